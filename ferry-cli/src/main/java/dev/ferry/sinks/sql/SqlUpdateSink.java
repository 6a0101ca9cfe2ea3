package dev.ferry.sinks.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.engine.RowInput;
import dev.ferry.sinks.ResultSink;
import dev.ferry.sources.sql.JdbcDatabase;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes each settled row's results back to its source row: {@code UPDATE table SET c1 = ?, … WHERE key = ?}.
 *
 * <p>Exactly once per settled row: the same row always gets the same values, so a write repeated after a crash
 * (the runner writes before the ledger records the row) changes nothing more: idempotent by construction. A row
 * whose key matches no row any more (deleted since) updates nothing and counts in {@link #rowsNotFound()}; that is
 * not an error, so a deleted row never blocks a job.
 *
 * <p>Batching (group commit): writes arriving while a batch is being written wait and go together as the next JDBC
 * batch, in one transaction, so many rows settling at once cost one round trip, and a lone row waits for nobody
 * (no linger). When a batch fails, its rows are written one by one, so one bad value fails only its own row.
 *
 * <p>Values: strings, numbers and booleans as they are; lists and maps as JSON text; absent values as NULL. On
 * PostgreSQL, text is bound untyped so it fits text, json, jsonb, uuid or number columns alike.
 *
 * <p>This class is threadsafe.
 */
public final class SqlUpdateSink implements ResultSink {
  /*
   * Concurrency: `queue`, `flushing` and `closed` are guarded by `lock`. A writer enqueues its update and, if no
   * flush is running, becomes the flusher (flushing = true): outside the lock it takes the queue's contents, writes
   * them on `connection`, completes their futures, and loops until it finds the queue empty, when it sets flushing
   * = false under the lock. So at most one thread uses `connection` at a time (it is touched only by the flusher,
   * and by close(), which waits until no flush runs), and every enqueued update is written by the flush that is
   * running when it is enqueued or by the one its own writer starts. Writers wait on their own future.
   */
  /** Rows per JDBC batch at most. */
  static final int MAX_BATCH = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqlUpdateSinkConfig config;
  private final JdbcDatabase db;
  private final String sql;
  private final List<ValuePath> paths;
  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.concurrent.locks.Condition idle = lock.newCondition();
  /** @GuardedBy("lock") */
  private List<Update> queue = new ArrayList<>();
  /** @GuardedBy("lock") */
  private boolean flushing;
  /** @GuardedBy("lock") */
  private boolean closed;
  /** Used only by the flusher (see the concurrency note). */
  private Connection connection;
  private final AtomicLong notFound = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong batchesTaken = new AtomicLong();

  /** @throws IllegalArgumentException if the URL is not a JDBC URL */
  public SqlUpdateSink(SqlUpdateSinkConfig config) {
    this.config = Objects.requireNonNull(config, "config cannot be null");
    this.db = new JdbcDatabase(config.url(), config.user(), config.password());
    StringBuilder s = new StringBuilder("UPDATE ").append(config.table()).append(" SET ");
    List<ValuePath> p = new ArrayList<>();
    for (Map.Entry<String, String> e : config.set().entrySet()) {
      s.append(p.isEmpty() ? "" : ", ").append(e.getKey()).append(" = ?");
      p.add(ValuePath.parse(e.getValue()));
    }
    this.sql = s.append(" WHERE ").append(config.key()).append(" = ?").toString();
    this.paths = List.copyOf(p);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IOException when the database refuses the update (the message names the table and the row, never the
   *     credentials), or when interrupted while waiting ({@link InterruptedIOException}, interrupt flag kept)
   * @throws IllegalStateException if the sink is closed
   */
  @Override
  public void write(RowInput row, Map<String, Object> results) throws IOException {
    Objects.requireNonNull(row, "row cannot be null");
    Object key = row.record() == null ? null : row.record().get(config.keyField());
    if (key == null) {
      throw new IOException("row " + row.row() + " has no value for '" + config.keyField() + "', the key of "
          + config.table());
    }
    Object[] values = new Object[paths.size()];
    for (int i = 0; i < values.length; i++) values[i] = paths.get(i).resolve(row, results == null ? Map.of() : results);
    Update update = new Update(row.row(), key, values, new CompletableFuture<>());
    boolean flush;
    lock.lock();
    try {
      if (closed) throw new IllegalStateException("the SQL sink for " + config.table() + " is closed");
      queue.add(update);
      flush = !flushing;
      flushing = true;
    } finally {
      lock.unlock();
    }
    if (flush) flushAll();
    try {
      update.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing row " + row.row() + " to " + config.table());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw new IOException(io.getMessage());
      throw new IOException("cannot write row " + row.row() + " to " + config.table() + ": " + e.getCause());
    }
  }

  /**
   * Checks, before anything is sent, that the table exists with its key and every column of {@code set} (a query
   * that reads them and no row): a name mistyped in the spec would otherwise be found only by the first row's
   * write, after its calls were made and paid for, and every row would fail until the job paused.
   *
   * @throws IOException naming the table and the database's reason (never the credentials)
   */
  public static void check(SqlUpdateSinkConfig config) throws IOException {
    JdbcDatabase db = new JdbcDatabase(config.url(), config.user(), config.password());
    StringBuilder sql = new StringBuilder("SELECT ").append(config.key());
    for (String column : config.set().keySet()) sql.append(", ").append(column);
    sql.append(" FROM ").append(config.table()).append(" WHERE 1 = 0");
    try (Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
      st.executeQuery(sql.toString()).close();
    } catch (SQLException e) {
      throw new IOException(db.message("write the results to " + config.table() + " (key " + config.key()
          + ", columns " + String.join(", ", config.set().keySet()) + ")", e));
    }
  }

  /** Rows whose key matched no row of the table (deleted since they were read). */
  public long rowsNotFound() {
    return notFound.get();
  }

  /** JDBC batches written so far (a batch is one transaction). */
  public long batches() {
    return batches.get();
  }

  /** Updates waiting for the next batch (tests). */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Batches taken from the queue so far, written or not yet (tests). */
  long batchesTaken() {
    return batchesTaken.get();
  }

  /** Waits for a running flush, then closes the connection; idempotent. Later writes throw. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      closed = true;
      while (flushing) idle.awaitUninterruptibly();
    } finally {
      lock.unlock();
    }
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        throw new IOException(db.message("close the connection to " + config.table(), e));
      } finally {
        connection = null;
      }
    }
  }

  @Override
  public String toString() {
    return "SqlUpdateSink[" + db.location() + " " + config.table() + "]";
  }

  // ------------------------------------------------------------------------------------------ flushing

  /** The flusher's loop: writes batches until the queue is empty, then gives up the role. */
  private void flushAll() {
    while (true) {
      List<Update> batch;
      lock.lock();
      try {
        if (queue.isEmpty()) {
          flushing = false;
          idle.signalAll();
          return;
        }
        if (queue.size() <= MAX_BATCH) {
          batch = queue;
          queue = new ArrayList<>();
        } else {
          batch = new ArrayList<>(queue.subList(0, MAX_BATCH));
          queue.subList(0, MAX_BATCH).clear();
        }
      } finally {
        lock.unlock();
      }
      batchesTaken.incrementAndGet();
      try {
        writeBatch(batch);
      } catch (Throwable t) { // never leave a writer waiting
        for (Update u : batch) u.done().completeExceptionally(t);
      }
    }
  }

  private void writeBatch(List<Update> batch) {
    try {
      Connection c = connection();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (Update u : batch) {
          bind(ps, u);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        c.commit();
        batches.incrementAndGet();
        for (int i = 0; i < batch.size(); i++) {
          if (i < counts.length && counts[i] == 0) notFound.incrementAndGet();
          batch.get(i).done().complete(null);
        }
        return;
      }
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      if (batch.size() == 1) {
        fail(batch.get(0), e);
        return;
      }
    }
    for (Update u : batch) writeAlone(u); // one bad row fails alone
  }

  private void writeAlone(Update u) {
    try {
      Connection c = connection();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, u);
        if (ps.executeUpdate() == 0) notFound.incrementAndGet();
        c.commit();
        batches.incrementAndGet();
        u.done().complete(null);
      }
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      fail(u, e);
    }
  }

  private void fail(Update u, Exception e) {
    String why = e instanceof SQLException sql
        ? db.message("update row " + u.row() + " in " + config.table(), sql)
        : "cannot update row " + u.row() + " in " + config.table() + ": " + db.scrub(String.valueOf(e.getMessage()));
    u.done().completeExceptionally(new IOException(why));
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Connection c = db.connect();
      c.setAutoCommit(false);
      connection = c;
    }
    return connection;
  }

  /** After a failure: undo, and drop a connection that may be broken (the next batch opens a new one). */
  private void rollbackQuietly() {
    if (connection == null) return;
    try {
      connection.rollback();
    } catch (SQLException e) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already broken
      }
      connection = null;
    }
  }

  private void bind(PreparedStatement ps, Update u) throws SQLException {
    for (int i = 0; i < u.values().length; i++) bindValue(ps, i + 1, u.values()[i]);
    bindValue(ps, u.values().length + 1, u.key());
  }

  private void bindValue(PreparedStatement ps, int index, Object value) throws SQLException {
    switch (value) {
      case null -> ps.setNull(index, Types.NULL);
      case String s -> text(ps, index, s);
      case Boolean b -> ps.setBoolean(index, b);
      case Number n -> ps.setObject(index, n);
      case Map<?, ?> m -> text(ps, index, json(m));
      case List<?> l -> text(ps, index, json(l));
      default -> text(ps, index, value.toString());
    }
  }

  private void text(PreparedStatement ps, int index, String s) throws SQLException {
    if (db.isPostgres()) {
      ps.setObject(index, s, Types.OTHER); // untyped: the column's type decides (text, jsonb, uuid, …)
    } else {
      ps.setString(index, s);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write the value as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** One row's pending update. */
  private record Update(long row, Object key, Object[] values, CompletableFuture<Void> done) {}
}
