package dev.ferry.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.core.spi.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The {@link WorkQueue} in the job store's database: the SQLite file jobs use, or a PostgreSQL database that
 * several processes share. Its tables ({@code ferry_queue}, {@code ferry_queue_deliveries},
 * {@code ferry_queue_names}, {@code ferry_queue_version}) are its own, created when the queue opens and versioned
 * apart from the job schema.
 *
 * <p>Threadsafe. Concurrency: every method is one transaction. On SQLite one connection is used only while holding
 * {@code lock}, and each transaction that writes starts with {@code BEGIN IMMEDIATE}, which takes the file's write
 * lock: a claim's read-then-update and an offer's count-then-insert are atomic against other processes on the same
 * file too. On PostgreSQL a pool of connections runs READ COMMITTED transactions: a claim's SELECT takes the rows it
 * returns with {@code FOR UPDATE SKIP LOCKED}, so two processes never claim one row; an offer's backlog count is not
 * serialised with other processes' offers, so replicas together may exceed the backlog by the deliveries they store
 * at the same moment (bounded by their number); the unique key on (queue, delivery id) makes one of two concurrent
 * offers of one delivery a duplicate.
 */
public final class SqlWorkQueue implements WorkQueue {
  /** The version of this queue's tables; a database holding a newer one is refused. */
  static final int VERSION = 1;
  private static final long PG_DDL_LOCK = 0x6665727279_71L; // "ferryq": serialises replicas creating the tables

  private final Dialect dialect;
  private final String queue;
  private final String location;
  private final ReentrantLock lock = new ReentrantLock();
  /** SQLite's one connection, @GuardedBy("lock"); null on PostgreSQL. */
  private final Connection sqlite;
  /** PostgreSQL's pool; null on SQLite. */
  private final HikariDataSource pool;
  private volatile boolean closed;

  private SqlWorkQueue(Dialect dialect, String queue, String location, Connection sqlite, HikariDataSource pool) {
    this.dialect = dialect;
    this.queue = queue;
    this.location = location;
    this.sqlite = sqlite;
    this.pool = pool;
  }

  /**
   * Opens the queue named {@code queue} in the store at {@code location} (a SQLite file or a
   * {@code jdbc:postgresql:} URL, as {@link JobStores#open}), creating its tables when absent.
   *
   * @throws StoreException when the store cannot be opened or holds a newer queue version
   */
  public static SqlWorkQueue open(String location, String queue) {
    Objects.requireNonNull(queue, "queue cannot be null");
    if (JobStores.isRemote(location)) return openPostgres(location, queue, true);
    return openSqlite(Path.of(location).toAbsolutePath().normalize(), queue, true);
  }

  /**
   * Opens the queue named {@code queue} only if the store at {@code location} already holds it: creates no file, no
   * table and no name (for actions on a queue's failed items, where a wrong store or name must not look like an
   * empty queue). A queue is known once a process opened it with {@link #open} (its name is kept from then on), or
   * while the store holds any of its deliveries (queues of a store made before names were kept).
   *
   * @throws NoSuchQueueException when the store has no queue tables or no queue of that name
   * @throws StoreException when the store cannot be opened or holds a newer queue version
   */
  public static SqlWorkQueue openExisting(String location, String queue) {
    Objects.requireNonNull(queue, "queue cannot be null");
    if (JobStores.isRemote(location)) return openPostgres(location, queue, false);
    return openSqlite(Path.of(location).toAbsolutePath().normalize(), queue, false);
  }

  /**
   * The queue named {@code queue} is not in the store. {@link #queues()} names those that are, sorted; empty when the
   * store has no queue tables at all ({@link #noTables()}).
   */
  public static final class NoSuchQueueException extends StoreException {
    private final transient List<String> queues;
    private final boolean noTables;

    NoSuchQueueException(String queue, List<String> queues, boolean noTables) {
      super(noTables ? "no queue tables (no queue was ever opened in this store)"
          : "no queue '" + queue + "'; queues: " + (queues.isEmpty() ? "none" : String.join(", ", queues)));
      this.queues = List.copyOf(queues);
      this.noTables = noTables;
    }

    public List<String> queues() {
      return queues;
    }

    public boolean noTables() {
      return noTables;
    }
  }

  private static SqlWorkQueue openSqlite(Path file, String queue, boolean create) {
    SqliteNativeLibrary.useKeptCopy();
    Connection c;
    try {
      SQLiteConfig config = new SQLiteConfig();
      if (!create) config.resetOpenMode(SQLiteOpenMode.CREATE); // a missing file is an error, not an empty store
      c = config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("open the queue", file, e);
    }
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = " + SqliteJobStore.BUSY_TIMEOUT_MILLIS);
      if (create) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = NORMAL");
      }
      st.execute("BEGIN IMMEDIATE");
      if (create) {
        createTables(st, Dialect.SQLITE);
        keepName(c, queue);
      } else {
        requireQueue(c, Dialect.SQLITE, queue);
      }
      st.execute("COMMIT");
      return new SqlWorkQueue(Dialect.SQLITE, queue, file.toString(), c, null);
    } catch (SQLException e) {
      closeQuietly(c);
      throw SqliteErrors.wrap("open the queue", file, e);
    } catch (NoSuchQueueException e) {
      closeQuietly(c);
      throw e;
    } catch (StoreException e) {
      closeQuietly(c);
      throw new StoreException("cannot open the queue in " + file + ": " + e.getMessage());
    }
  }

  private static SqlWorkQueue openPostgres(String url, String queue, boolean create) {
    String location = PostgresErrors.describe(url);
    HikariConfig config = new HikariConfig();
    config.setPoolName("ferry-queue");
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setConnectionTimeout(5_000);
    config.addDataSourceProperty("logServerErrorDetail", "false");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw PostgresErrors.wrap("open the queue", location, e);
    }
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      if (create) {
        st.execute("SELECT pg_advisory_xact_lock(" + PG_DDL_LOCK + ")");
        createTables(st, Dialect.POSTGRES);
        keepName(c, queue);
      } else {
        requireQueue(c, Dialect.POSTGRES, queue);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      pool.close();
      if (e instanceof NoSuchQueueException n) throw n;
      if (e instanceof StoreException s) throw new StoreException("cannot open the queue in " + location + ": "
          + s.getMessage());
      throw PostgresErrors.wrap("open the queue", location, e);
    }
    return new SqlWorkQueue(Dialect.POSTGRES, queue, location, null, pool);
  }

  private static void createTables(Statement st, Dialect d) throws SQLException {
    String id = d == Dialect.SQLITE ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
    st.execute("CREATE TABLE IF NOT EXISTS ferry_queue_version (version INTEGER NOT NULL)");
    st.execute("CREATE TABLE IF NOT EXISTS ferry_queue_deliveries (queue TEXT NOT NULL, delivery_id TEXT NOT NULL,"
        + " items INTEGER NOT NULL, received_at BIGINT NOT NULL, PRIMARY KEY (queue, delivery_id))");
    st.execute("CREATE TABLE IF NOT EXISTS ferry_queue (id " + id + ", queue TEXT NOT NULL,"
        + " delivery_id TEXT NOT NULL, item_index INTEGER NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL,"
        + " attempts INTEGER NOT NULL DEFAULT 0, due_at BIGINT NOT NULL, owner TEXT, lease_until BIGINT,"
        + " reason TEXT, received_at BIGINT NOT NULL, settled_at BIGINT)");
    st.execute("CREATE INDEX IF NOT EXISTS ferry_queue_by_state ON ferry_queue (queue, state, id)");
    // compaction: deliveries by age, and a delivery's items (indexes only: the tables' version is unchanged)
    st.execute("CREATE INDEX IF NOT EXISTS ferry_queue_by_delivery ON ferry_queue (queue, delivery_id)");
    st.execute("CREATE INDEX IF NOT EXISTS ferry_queue_deliveries_by_age ON ferry_queue_deliveries (queue,"
        + " received_at)");
    try (ResultSet rs = st.executeQuery("SELECT MAX(version) FROM ferry_queue_version")) {
      int found = rs.next() ? rs.getInt(1) : 0;
      if (found > VERSION) {
        throw new StoreException("its queue tables are version " + found + ", written by a newer ferry (this one"
            + " knows " + VERSION + ")");
      }
      if (found == 0) st.execute("INSERT INTO ferry_queue_version (version) VALUES (" + VERSION + ")");
    }
    // the names of the queues ever opened (added in version 1, like the indexes: older stores gain it on open)
    st.execute("CREATE TABLE IF NOT EXISTS ferry_queue_names (queue TEXT PRIMARY KEY)");
  }

  private static void keepName(Connection c, String queue) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO ferry_queue_names (queue) VALUES (?)"
        + " ON CONFLICT (queue) DO NOTHING")) {
      p.setString(1, queue);
      p.executeUpdate();
    }
  }

  /** Reads only: the queue tables' version, and {@code queue} among the queues the store knows. */
  private static void requireQueue(Connection c, Dialect d, String queue) throws SQLException {
    if (!tableExists(c, d, "ferry_queue_version") || !tableExists(c, d, "ferry_queue")) {
      throw new NoSuchQueueException(queue, List.of(), true);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MAX(version) FROM ferry_queue_version")) {
      int found = rs.next() ? rs.getInt(1) : 0;
      if (found > VERSION) {
        throw new StoreException("its queue tables are version " + found + ", written by a newer ferry (this one"
            + " knows " + VERSION + ")");
      }
    }
    String names = "SELECT queue FROM ferry_queue_deliveries UNION SELECT queue FROM ferry_queue"
        + (tableExists(c, d, "ferry_queue_names") ? " UNION SELECT queue FROM ferry_queue_names" : "");
    List<String> queues = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(names + " ORDER BY 1")) {
      while (rs.next()) queues.add(rs.getString(1));
    }
    if (!queues.contains(queue)) throw new NoSuchQueueException(queue, queues, false);
  }

  private static boolean tableExists(Connection c, Dialect d, String table) throws SQLException {
    String sql = d == Dialect.SQLITE ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        : "SELECT 1 WHERE to_regclass(?) IS NOT NULL";
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, table);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next();
      }
    }
  }

  // ------------------------------------------------------------------------------------------ the queue

  @Override
  public Offer offer(String deliveryId, List<String> items, long nowMillis, long backlog) {
    return inTx("store a delivery", c -> {
      try (PreparedStatement seen = c.prepareStatement(
          "SELECT 1 FROM ferry_queue_deliveries WHERE queue = ? AND delivery_id = ?")) {
        seen.setString(1, queue);
        seen.setString(2, deliveryId);
        try (ResultSet rs = seen.executeQuery()) {
          if (rs.next()) return Offer.DUPLICATE;
        }
      }
      if (!items.isEmpty() && unsettled(c) >= backlog) return Offer.FULL;
      try (PreparedStatement d = c.prepareStatement("INSERT INTO ferry_queue_deliveries (queue, delivery_id, items,"
          + " received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        d.setString(1, queue);
        d.setString(2, deliveryId);
        d.setInt(3, items.size());
        d.setLong(4, nowMillis);
        if (d.executeUpdate() == 0) return Offer.DUPLICATE; // another process stored it just now
      }
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO ferry_queue (queue, delivery_id, item_index, body,"
          + " state, attempts, due_at, received_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)")) {
        for (int i = 0; i < items.size(); i++) {
          ins.setString(1, queue);
          ins.setString(2, deliveryId);
          ins.setInt(3, i);
          ins.setString(4, items.get(i));
          ins.setLong(5, nowMillis);
          ins.setLong(6, nowMillis);
          ins.addBatch();
        }
        if (!items.isEmpty()) ins.executeBatch();
      }
      return Offer.STORED;
    });
  }

  private long unsettled(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "SELECT COUNT(*) FROM ferry_queue WHERE queue = ? AND state IN ('pending', 'claimed')")) {
      p.setString(1, queue);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public List<QueueItem> claim(String owner, int max, long nowMillis, long leaseMillis) {
    if (max <= 0) return List.of();
    return inTx("claim items", c -> {
      List<QueueItem> out = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement("SELECT id, delivery_id, item_index, body, attempts FROM ferry_queue"
          + " WHERE queue = ? AND ((state = 'pending' AND due_at <= ?) OR (state = 'claimed' AND lease_until <= ?))"
          + " ORDER BY id LIMIT ?" + dialect.skipLocked)) {
        p.setString(1, queue);
        p.setLong(2, nowMillis);
        p.setLong(3, nowMillis);
        p.setInt(4, max);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(new QueueItem(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5) + 1));
          }
        }
      }
      if (out.isEmpty()) return out;
      try (PreparedStatement u = c.prepareStatement("UPDATE ferry_queue SET state = 'claimed', owner = ?,"
          + " lease_until = ?, attempts = attempts + 1 WHERE id = ?")) {
        for (QueueItem item : out) {
          u.setString(1, owner);
          u.setLong(2, nowMillis + leaseMillis);
          u.setLong(3, item.id());
          u.addBatch();
        }
        u.executeBatch();
      }
      return out;
    });
  }

  @Override
  public void renew(String owner, long leaseUntilMillis) {
    update("renew leases", "UPDATE ferry_queue SET lease_until = ? WHERE queue = ? AND state = 'claimed' AND owner = ?",
        leaseUntilMillis, queue, owner);
  }

  @Override
  public void done(long id, String owner, long nowMillis) {
    update("settle an item", "UPDATE ferry_queue SET state = 'done', owner = NULL, lease_until = NULL, reason = NULL,"
        + " settled_at = ? WHERE id = ? AND state = 'claimed' AND owner = ?", nowMillis, id, owner);
  }

  @Override
  public void fail(long id, String owner, String reason, long nowMillis) {
    update("settle an item", "UPDATE ferry_queue SET state = 'failed', owner = NULL, lease_until = NULL, reason = ?,"
        + " settled_at = ? WHERE id = ? AND state = 'claimed' AND owner = ?", reason, nowMillis, id, owner);
  }

  @Override
  public void retryLater(long id, String owner, String reason, long dueMillis) {
    update("put an item back", "UPDATE ferry_queue SET state = 'pending', owner = NULL, lease_until = NULL,"
        + " reason = ?, due_at = ? WHERE id = ? AND state = 'claimed' AND owner = ?", reason, dueMillis, id, owner);
  }

  @Override
  public void postpone(long id, String owner, String reason, long dueMillis) {
    update("put an item back", "UPDATE ferry_queue SET state = 'pending', owner = NULL, lease_until = NULL,"
        + " attempts = attempts - 1, reason = ?, due_at = ? WHERE id = ? AND state = 'claimed' AND owner = ?", reason,
        dueMillis, id, owner);
  }

  @Override
  public void release(String owner) {
    update("release claims", "UPDATE ferry_queue SET state = 'pending', owner = NULL, lease_until = NULL,"
        + " attempts = attempts - 1 WHERE queue = ? AND state = 'claimed' AND owner = ?", queue, owner);
  }

  @Override
  public QueueStats stats(long nowMillis) {
    return inTx("read the queue", c -> {
      long pending = 0;
      long claimed = 0;
      long done = 0;
      long failed = 0;
      long oldest = Long.MAX_VALUE;
      try (PreparedStatement p = c.prepareStatement("SELECT state, COUNT(*), MIN(received_at) FROM ferry_queue"
          + " WHERE queue = ? GROUP BY state")) {
        p.setString(1, queue);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            long n = rs.getLong(2);
            switch (rs.getString(1)) {
              case "pending" -> pending = n;
              case "claimed" -> claimed = n;
              case "done" -> done = n;
              case "failed" -> failed = n;
              default -> { }
            }
            if (rs.getString(1).equals("pending") || rs.getString(1).equals("claimed")) {
              oldest = Math.min(oldest, rs.getLong(3));
            }
          }
        }
      }
      return new QueueStats(pending, claimed, done, failed, oldest == Long.MAX_VALUE ? 0
          : Math.max(0, nowMillis - oldest));
    });
  }

  @Override
  public List<FailedItem> failed(int limit, int bodyChars) {
    if (bodyChars < 0) throw new IllegalArgumentException("bodyChars must be at least 0: " + bodyChars);
    return inTx("list failed items", c -> {
      List<FailedItem> out = new ArrayList<>();
      // substr and length count characters in SQLite (TEXT) and PostgreSQL alike: the cut happens in the store
      try (PreparedStatement p = c.prepareStatement("SELECT id, delivery_id, item_index, attempts, reason, settled_at,"
          + " substr(body, 1, ?), length(body) FROM ferry_queue WHERE queue = ? AND state = 'failed' ORDER BY id"
          + " LIMIT ?")) {
        p.setInt(1, bodyChars);
        p.setString(2, queue);
        p.setInt(3, limit);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(new FailedItem(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
                Objects.toString(rs.getString(5), ""), rs.getLong(6), Objects.toString(rs.getString(7), ""),
                rs.getLong(8)));
          }
        }
      }
      return out;
    });
  }

  @Override
  public int redrive(long nowMillis) {
    return update("redrive failed items", "UPDATE ferry_queue SET state = 'pending', attempts = 0, due_at = ?,"
        + " settled_at = NULL WHERE queue = ? AND state = 'failed'", nowMillis, queue);
  }

  @Override
  public int dropFailed() {
    return update("drop failed items", "DELETE FROM ferry_queue WHERE queue = ? AND state = 'failed'", queue);
  }

  /**
   * One transaction: the oldest deliveries past the cut-off with no item left unsettled or failed, then their items
   * and themselves. A done item never changes state again and a new item never joins a stored delivery, so the set
   * chosen stays compactable until it is deleted; two processes compacting at once delete the same rows, once.
   */
  @Override
  public int compact(long receivedBeforeMillis, int max) {
    if (max <= 0) return 0;
    return inTx("compact the queue", c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement("SELECT d.delivery_id FROM ferry_queue_deliveries d"
          + " WHERE d.queue = ? AND d.received_at < ? AND NOT EXISTS (SELECT 1 FROM ferry_queue q"
          + " WHERE q.queue = d.queue AND q.delivery_id = d.delivery_id AND q.state <> 'done')"
          + " ORDER BY d.received_at LIMIT ?")) {
        p.setString(1, queue);
        p.setLong(2, receivedBeforeMillis);
        p.setInt(3, max);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) ids.add(rs.getString(1));
        }
      }
      if (ids.isEmpty()) return 0;
      for (String table : List.of("ferry_queue", "ferry_queue_deliveries")) {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE queue = ? AND delivery_id = ?")) {
          for (String id : ids) {
            d.setString(1, queue);
            d.setString(2, id);
            d.addBatch();
          }
          d.executeBatch();
        }
      }
      return ids.size();
    });
  }

  @Override
  public boolean reachable() {
    try {
      return inTx("ping", c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
          return rs.next();
        }
      });
    } catch (StoreException e) {
      return false;
    }
  }

  /** Where the queue lives, without credentials. */
  public String location() {
    return location;
  }

  @Override
  public void close() {
    closed = true;
    if (pool != null) pool.close();
    if (sqlite != null) {
      lock.lock();
      try {
        closeQuietly(sqlite);
      } finally {
        lock.unlock();
      }
    }
  }

  // ------------------------------------------------------------------------------------------ plumbing

  private int update(String what, String sql, Object... args) {
    return inTx(what, c -> {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) p.setObject(i + 1, args[i]);
        return p.executeUpdate();
      }
    });
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} as one transaction (SQLite: BEGIN IMMEDIATE under the lock; PostgreSQL: a pooled one). */
  private <T> T inTx(String what, Work<T> work) {
    if (closed) throw new IllegalStateException("the queue is closed");
    if (sqlite != null) {
      lock.lock();
      try (Statement control = sqlite.createStatement()) {
        control.execute("BEGIN IMMEDIATE");
        try {
          T result = work.run(sqlite);
          control.execute("COMMIT");
          return result;
        } catch (SQLException | RuntimeException e) {
          try {
            control.execute("ROLLBACK");
          } catch (SQLException ignored) {
            // the transaction is gone with the failure
          }
          throw e;
        }
      } catch (SQLException e) {
        throw SqliteErrors.wrap(what, Path.of(location), e);
      } finally {
        lock.unlock();
      }
    }
    try (Connection c = pool.getConnection()) {
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw PostgresErrors.wrap(what, location, e);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }

  @Override
  public String toString() {
    return "SqlWorkQueue[" + queue + " in " + location + "]";
  }
}
