package dev.ferry.store;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OpenChunks;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@link JobStore} methods, written once over JDBC for both stores ({@link SqliteJobStore},
 * {@link PostgresJobStore}); the tables are {@link Schema}'s. A subclass supplies the transactions
 * ({@link #write}, {@link #read}) and its {@link Dialect}, which adapts the few clauses that differ.
 *
 * <p>Atomicity: every state-changing method is one {@link #write} transaction. Where a method reads rows
 * it then changes, the read carries {@code dialect.lockRows} (PostgreSQL: {@code FOR UPDATE}; SQLite
 * needs none, as BEGIN IMMEDIATE admits one writer at a time), and claims carry {@code dialect.skipLocked}
 * (PostgreSQL: {@code FOR UPDATE SKIP LOCKED}, so concurrent claimers pass over each other's chunk instead
 * of queueing behind it). Lock order, to keep PostgreSQL free of deadlocks between writers: chunk row, then
 * job row, then ledger rows.
 *
 * <p>Threadsafe as far as the subclass's {@link #write} and {@link #read} are.
 */
abstract class SqlJobStore implements JobStore {
  /** Rows per page of forEachProblem; each page is its own read. */
  static final int PROBLEM_PAGE = 1_000;

  static final String JOB_COLUMNS = "id, kind, input_path, input_size, input_sha256, total_rows, "
      + "chunk_size, config, status, message, created_at, updated_at";
  static final String CHUNK_COLUMNS =
      "idx, byte_offset, first_line, first_row, row_count, state, lease_owner, lease_expires_at, source_position";
  static final String OUTCOME_COLUMNS =
      "row, chunk, line, outcome, retryable, key, step, http_status, code, message, request_id, note";
  // Queries whose plans SqliteJobStoreTest checks: each must be served by an index, never by a scan of the
  // job's whole ledger. Without ANALYZE statistics SQLite prefers the (covering) primary key to a partial
  // index that needs a lookup per row, so the partial-index queries name their index (INDEXED BY is the
  // one SQLite-only clause here, which Dialect.POSTGRES drops; preparing fails loudly if the index were
  // ever missing).
  static final String CLAIM_PENDING = "SELECT " + CHUNK_COLUMNS + " FROM chunks"
      + " WHERE job_id = ? AND state = 'PENDING' ORDER BY idx LIMIT 1";
  static final String CLAIM_EXPIRED = "SELECT " + CHUNK_COLUMNS + " FROM chunks"
      + " WHERE job_id = ? AND state = 'LEASED' AND lease_expires_at < ? ORDER BY idx LIMIT 1";
  /**
   * The open chunks of a job by kind: 'PENDING', or 'OTHERS' for the chunks leased by workers whose id does not
   * start with the given prefix (of the given length; an empty prefix counts every lease), with their lease span.
   * The asking process's own leases fall in neither group.
   */
  static final String OPEN_CHUNKS = "SELECT kind, COUNT(*), MIN(lease_expires_at), MAX(lease_expires_at) FROM ("
      + "SELECT CASE WHEN state = 'PENDING' THEN 'PENDING'"
      + " WHEN ? > 0 AND substr(lease_owner, 1, ?) = ? THEN 'OWN' ELSE 'OTHERS' END AS kind, lease_expires_at"
      + " FROM chunks WHERE job_id = ? AND state IN ('PENDING', 'LEASED')) open_chunks"
      + " WHERE kind <> 'OWN' GROUP BY kind";
  /** A chunk's rows are a primary-key range: read straight from the (job_id, row) b-tree. */
  static final String SETTLED_ROWS = "SELECT row FROM outcomes WHERE job_id = ? AND row >= ? AND row < ?"
      + " AND NOT (outcome = 'FAILED' AND retryable = 1)";
  static final String PROBLEM_PAGE_ROWS = "SELECT " + OUTCOME_COLUMNS
      + " FROM outcomes INDEXED BY outcomes_problems"
      + " WHERE job_id = ? AND outcome <> 'DONE' AND row > ? ORDER BY row LIMIT " + PROBLEM_PAGE;
  static final String RETRYABLE_BY_CHUNK = "SELECT chunk, COUNT(*) FROM outcomes INDEXED BY outcomes_retryable"
      + " WHERE job_id = ? AND outcome = 'FAILED' AND retryable = 1 GROUP BY chunk";

  /** The clauses that differ between the databases. */
  final Dialect dialect;
  private final LedgerWriter ledger;

  /** When a row settles ({@code jobs.progress_at}); the system's, or a test's. */
  private volatile WallClock clock = WallClock.system();

  SqlJobStore(Dialect dialect) {
    this.dialect = dialect;
    this.ledger = LedgerWriter.of(dialect);
  }

  /** The clock of {@code progress_at} (tests). */
  void clock(WallClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock cannot be null");
  }

  /** Prepared statements of one transaction, adapted to the dialect. Valid only inside its {@link Work}. */
  @FunctionalInterface
  interface Tx extends LedgerWriter.Statements {
    default PreparedStatement statement(String sql) throws SQLException {
      return get(sql);
    }
  }

  /** Database work, run by {@link #write} or {@link #read} with the statements of its transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Tx tx) throws SQLException;
  }

  /**
   * Runs {@code work} as one write transaction, committed when it returns and rolled back when it throws.
   * A {@link java.sql.SQLException} becomes a {@link dev.ferry.core.spi.StoreException} naming
   * {@code operation} (e.g. "claim a chunk of job 'users'"); runtime exceptions pass unchanged.
   */
  abstract <T> T write(String operation, Work<T> work);

  /** Runs {@code work}, a single read or a few independent ones; errors as {@link #write}. */
  abstract <T> T read(String operation, Work<T> work);

  // ---------------------------------------------------------------------------------------------- jobs

  @Override
  public void createJob(JobRecord job) {
    Objects.requireNonNull(job, "job cannot be null");
    String id = requireId(job.id());
    write("create job '" + id + "'", tx -> {
      // ON CONFLICT DO NOTHING rather than a look first: two processes creating one id at once both see
      // the answer (one inserts, the other inserts nothing) instead of one failing on the key.
      PreparedStatement ps = tx.statement("INSERT INTO jobs (" + JOB_COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
      ps.setString(1, id);
      ps.setString(2, nz(job.kind()));
      ps.setString(3, nz(job.inputPath()));
      ps.setLong(4, job.inputSize());
      ps.setString(5, nz(job.inputSha256()));
      ps.setLong(6, job.totalRows());
      ps.setInt(7, job.chunkSize());
      ps.setString(8, nz(job.config()));
      ps.setString(9, JobStatus.PLANNING.name());
      ps.setString(10, nz(job.message()));
      ps.setLong(11, job.createdAtMillis());
      ps.setLong(12, job.updatedAtMillis());
      if (ps.executeUpdate() == 0) {
        throw new IllegalStateException("job '" + id + "' already exists");
      }
      return null;
    });
  }

  @Override
  public Optional<JobRecord> findJob(String jobId) {
    String id = requireId(jobId);
    return read("read job '" + id + "'", tx -> Optional.ofNullable(job(tx, id)));
  }

  @Override
  public List<JobRecord> listJobs() {
    return read("list jobs", tx -> {
      PreparedStatement ps = tx.statement("SELECT " + JOB_COLUMNS + " FROM jobs ORDER BY created_at DESC, id");
      List<JobRecord> jobs = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(jobRecord(rs));
        }
      }
      return List.copyOf(jobs);
    });
  }

  @Override
  public void deleteJob(String jobId) {
    String id = requireId(jobId);
    write("delete job '" + id + "'", tx -> {
      // The job row first, as recordOutcomes locks it before the ledger rows it writes.
      job(tx, id, dialect.lockRows);
      for (String table : new String[] {"outcomes", "chunks", "lookups", "processes"}) {
        PreparedStatement ps = tx.statement("DELETE FROM " + table + " WHERE job_id = ?");
        ps.setString(1, id);
        ps.executeUpdate();
      }
      PreparedStatement ps = tx.statement("DELETE FROM jobs WHERE id = ?");
      ps.setString(1, id);
      ps.executeUpdate();
      return null;
    });
  }

  @Override
  public JobRecord updateStatus(String jobId, JobStatus status, String message, long nowMillis) {
    String id = requireId(jobId);
    Objects.requireNonNull(status, "status cannot be null");
    return write("update the status of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement("UPDATE jobs SET status = ?, message = ?, updated_at = ? WHERE id = ?");
      ps.setString(1, status.name());
      ps.setString(2, nz(message));
      ps.setLong(3, nowMillis);
      ps.setString(4, id);
      if (ps.executeUpdate() == 0) {
        throw new IllegalStateException("job '" + id + "' does not exist");
      }
      return job(tx, id);
    });
  }

  @Override
  public void completePlan(String jobId, List<ChunkSpec> chunks, long totalRows, long inputSize,
      String inputSha256, long nowMillis) {
    String id = requireId(jobId);
    Objects.requireNonNull(chunks, "chunks cannot be null");
    BitSet seen = new BitSet();
    for (ChunkSpec c : chunks) {
      if (seen.get(c.index())) {
        throw new IllegalArgumentException("chunk index " + c.index() + " appears twice in the plan");
      }
      seen.set(c.index());
    }
    write("store the plan of job '" + id + "'", tx -> {
      JobRecord job = job(tx, id, dialect.lockRows);
      if (job == null) {
        throw new IllegalStateException("job '" + id + "' does not exist");
      }
      if (job.status() != JobStatus.PLANNING) {
        throw new IllegalStateException("job '" + id + "' is " + job.status() + ", not PLANNING");
      }
      PreparedStatement clear = tx.statement("DELETE FROM chunks WHERE job_id = ?");
      clear.setString(1, id);
      clear.executeUpdate();
      PreparedStatement ins = tx.statement("INSERT INTO chunks (job_id, " + CHUNK_COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', NULL, 0, ?)");
      try {
        int pending = 0;
        for (ChunkSpec c : chunks) {
          ins.setString(1, id);
          ins.setInt(2, c.index());
          ins.setLong(3, c.byteOffset());
          ins.setLong(4, c.firstLine());
          ins.setLong(5, c.firstRow());
          ins.setInt(6, c.rowCount());
          ins.setString(7, c.position());
          ins.addBatch();
          if (++pending == 1_000) {
            ins.executeBatch();
            pending = 0;
          }
        }
        if (pending > 0) {
          ins.executeBatch();
        }
      } finally {
        ins.clearBatch();
      }
      PreparedStatement upd = tx.statement("UPDATE jobs SET total_rows = ?, input_size = ?, input_sha256 = ?,"
          + " status = 'RUNNING', message = '', updated_at = ? WHERE id = ?");
      upd.setLong(1, totalRows);
      upd.setLong(2, inputSize);
      upd.setString(3, nz(inputSha256));
      upd.setLong(4, nowMillis);
      upd.setString(5, id);
      upd.executeUpdate();
      return null;
    });
  }

  // -------------------------------------------------------------------------------------------- chunks

  @Override
  public Optional<ChunkRecord> claimChunk(String jobId, String workerId, Duration lease, long nowMillis) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    long expires = expiry(lease, nowMillis);
    return write("claim a chunk of job '" + id + "'", tx -> {
      PreparedStatement pending = tx.statement(CLAIM_PENDING + dialect.skipLocked);
      pending.setString(1, id);
      ChunkRecord found = firstChunk(pending);
      if (found == null) {
        PreparedStatement expired = tx.statement(CLAIM_EXPIRED + dialect.skipLocked);
        expired.setString(1, id);
        expired.setLong(2, nowMillis);
        found = firstChunk(expired);
      }
      if (found == null) {
        return Optional.<ChunkRecord>empty();
      }
      PreparedStatement take = tx.statement("UPDATE chunks SET state = 'LEASED', lease_owner = ?,"
          + " lease_expires_at = ? WHERE job_id = ? AND idx = ?");
      take.setString(1, workerId);
      take.setLong(2, expires);
      take.setString(3, id);
      take.setInt(4, found.spec().index());
      take.executeUpdate();
      return Optional.of(new ChunkRecord(found.spec(), ChunkState.LEASED, workerId, expires));
    });
  }

  @Override
  public boolean renewLease(String jobId, int chunkIndex, String workerId, Duration lease, long nowMillis) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    long expires = expiry(lease, nowMillis);
    return write("renew the lease on chunk " + chunkIndex + " of job '" + id + "'", tx -> {
      return update(tx, "UPDATE chunks SET lease_expires_at = ?"
          + " WHERE job_id = ? AND idx = ? AND state = 'LEASED' AND lease_owner = ?",
          expires, id, chunkIndex, workerId) == 1;
    });
  }

  @Override
  public boolean completeChunk(String jobId, int chunkIndex, String workerId) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    return write("complete chunk " + chunkIndex + " of job '" + id + "'", tx -> {
      return update(tx, "UPDATE chunks SET state = 'DONE', lease_owner = NULL, lease_expires_at = 0"
          + " WHERE job_id = ? AND idx = ? AND (state <> 'LEASED' OR lease_owner = ?)", id, chunkIndex, workerId) == 1;
    });
  }

  @Override
  public void releaseChunk(String jobId, int chunkIndex, String workerId) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    write("release chunk " + chunkIndex + " of job '" + id + "'", tx -> {
      update(tx, "UPDATE chunks SET state = 'PENDING', lease_owner = NULL, lease_expires_at = 0"
          + " WHERE job_id = ? AND idx = ? AND state = 'LEASED' AND lease_owner = ?", id, chunkIndex, workerId);
      return null;
    });
  }

  @Override
  public int releaseAllLeases(String jobId) {
    String id = requireId(jobId);
    return write("release the leases of job '" + id + "'", tx -> {
      return update(tx, "UPDATE chunks SET state = 'PENDING', lease_owner = NULL,"
          + " lease_expires_at = 0 WHERE job_id = ? AND state = 'LEASED'", id);
    });
  }

  @Override
  public List<ChunkRecord> chunks(String jobId) {
    String id = requireId(jobId);
    return read("read the chunks of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement("SELECT " + CHUNK_COLUMNS + " FROM chunks WHERE job_id = ? ORDER BY idx");
      ps.setString(1, id);
      List<ChunkRecord> result = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(chunkRecord(rs));
        }
      }
      return List.copyOf(result);
    });
  }

  /**
   * {@inheritDoc} One aggregate over the job's open chunks ({@code chunks_by_state} serves it): the PENDING ones, and
   * the LEASED ones whose owner does not start with {@code ownPrefix}, with their first and last expiry.
   */
  @Override
  public OpenChunks openChunks(String jobId, String ownPrefix) {
    String id = requireId(jobId);
    Objects.requireNonNull(ownPrefix, "ownPrefix cannot be null");
    return read("read the open chunks of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement(OPEN_CHUNKS);
      ps.setInt(1, ownPrefix.length());
      ps.setInt(2, ownPrefix.length());
      ps.setString(3, ownPrefix);
      ps.setString(4, id);
      try (ResultSet rs = ps.executeQuery()) {
        int pending = 0;
        int held = 0;
        long first = 0;
        long last = 0;
        while (rs.next()) {
          if ("PENDING".equals(rs.getString(1))) {
            pending += rs.getInt(2);
          } else {
            held += rs.getInt(2);
            first = rs.getLong(3);
            last = rs.getLong(4);
          }
        }
        return new OpenChunks(pending, held, first, last);
      }
    });
  }

  // -------------------------------------------------------------------------------------------- ledger

  @Override
  public void recordOutcomes(String jobId, Collection<RowOutcome> outcomes) {
    String id = requireId(jobId);
    Objects.requireNonNull(outcomes, "outcomes cannot be null");
    if (outcomes.isEmpty()) {
      return;
    }
    write("record outcomes of job '" + id + "'", tx -> {
      record(tx, id, outcomes);
      return null;
    });
  }

  /**
   * The body of recordOutcomes, inside the caller's write transaction. Reading the job row locks it (where
   * the dialect has row locks) until the commit, so ledger writes of one job never interleave: the probe
   * for replaced retryable rows and the upserts see the same ledger.
   */
  private void record(Tx tx, String id, Collection<RowOutcome> batch) throws SQLException {
    PreparedStatement job = tx.statement("SELECT retryable_count FROM jobs WHERE id = ?" + dialect.lockRows);
    job.setString(1, id);
    long retryableStored;
    try (ResultSet rs = job.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("job '" + id + "' does not exist");
      }
      retryableStored = rs.getLong(1);
    }
    LedgerWriter.Deltas d = ledger.write(tx, id, batch, retryableStored > 0);
    if (!d.isZero()) {
      PreparedStatement ps = tx.statement("UPDATE jobs SET done_count = done_count + ?,"
          + " failed_count = failed_count + ?, invalid_count = invalid_count + ?,"
          + " retryable_count = retryable_count + ?, progress_at = ? WHERE id = ?");
      ps.setLong(1, d.done());
      ps.setLong(2, d.failed());
      ps.setLong(3, d.invalid());
      ps.setLong(4, d.retryable());
      ps.setLong(5, clock.millis());
      ps.setString(6, id);
      ps.executeUpdate();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One transaction: the lease check, the outcomes, a count of the chunk's ledger rows over the primary
   * key range {@code [first_row, first_row + row_count)}, the chunk row (state and {@code implied_done})
   * and the job's DONE counter.
   */
  @Override
  public boolean sealChunk(String jobId, int chunkIndex, String workerId, Collection<RowOutcome> outcomes) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    Objects.requireNonNull(outcomes, "outcomes cannot be null");
    List<RowOutcome> batch = List.copyOf(outcomes);
    return write("seal chunk " + chunkIndex + " of job '" + id + "'", tx -> {
      PreparedStatement get = tx.statement("SELECT first_row, row_count, state, lease_owner, implied_done"
          + " FROM chunks WHERE job_id = ? AND idx = ?" + dialect.lockRows);
      get.setString(1, id);
      get.setInt(2, chunkIndex);
      long firstRow;
      int rowCount;
      long impliedBefore;
      try (ResultSet rs = get.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("job '" + id + "' has no chunk " + chunkIndex);
        }
        firstRow = rs.getLong(1);
        rowCount = rs.getInt(2);
        boolean heldByOther = ChunkState.LEASED.name().equals(rs.getString(3)) && !workerId.equals(rs.getString(4));
        if (heldByOther) {
          return false;
        }
        impliedBefore = rs.getLong(5);
      }
      if (!batch.isEmpty()) {
        record(tx, id, batch);
      }
      PreparedStatement count = tx.statement("SELECT COUNT(*) FROM outcomes WHERE job_id = ? AND row >= ? AND row < ?");
      count.setString(1, id);
      count.setLong(2, firstRow);
      count.setLong(3, firstRow + rowCount);
      long recorded;
      try (ResultSet rs = count.executeQuery()) {
        recorded = rs.next() ? rs.getLong(1) : 0;
      }
      long implied = Math.max(0, rowCount - recorded);
      PreparedStatement seal = tx.statement("UPDATE chunks SET state = 'DONE', lease_owner = NULL,"
          + " lease_expires_at = 0, implied_done = ? WHERE job_id = ? AND idx = ?");
      seal.setLong(1, implied);
      seal.setString(2, id);
      seal.setInt(3, chunkIndex);
      seal.executeUpdate();
      if (implied != impliedBefore) {
        PreparedStatement ps = tx.statement("UPDATE jobs SET done_count = done_count + ?, progress_at = ?"
            + " WHERE id = ?");
        ps.setLong(1, implied - impliedBefore);
        ps.setLong(2, clock.millis());
        ps.setString(3, id);
        ps.executeUpdate();
      }
      return true;
    });
  }

  @Override
  public BitSet settledRows(String jobId, ChunkSpec chunk) {
    String id = requireId(jobId);
    Objects.requireNonNull(chunk, "chunk cannot be null");
    return read("read the ledger of chunk " + chunk.index() + " of job '" + id + "'", tx -> {
      BitSet settled = new BitSet(chunk.rowCount());
      PreparedStatement implied = tx.statement("SELECT implied_done FROM chunks WHERE job_id = ? AND idx = ?");
      implied.setString(1, id);
      implied.setInt(2, chunk.index());
      boolean sealed;
      try (ResultSet rs = implied.executeQuery()) {
        sealed = rs.next() && rs.getLong(1) > 0;
      }
      if (sealed) {
        // every row without a ledger row is an implied DONE: settled, except the retryable failures
        settled.set(0, chunk.rowCount());
        PreparedStatement retry = tx.statement("SELECT row FROM outcomes WHERE job_id = ? AND row >= ? AND row < ?"
            + " AND outcome = 'FAILED' AND retryable = 1");
        retry.setString(1, id);
        retry.setLong(2, chunk.firstRow());
        retry.setLong(3, chunk.firstRow() + chunk.rowCount());
        try (ResultSet rs = retry.executeQuery()) {
          while (rs.next()) {
            settled.clear((int) (rs.getLong(1) - chunk.firstRow()));
          }
        }
        return settled;
      }
      PreparedStatement ps = tx.statement(SETTLED_ROWS);
      ps.setString(1, id);
      ps.setLong(2, chunk.firstRow());
      ps.setLong(3, chunk.endRow());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          settled.set((int) (rs.getLong(1) - chunk.firstRow()));
        }
      }
      return settled;
    });
  }

  @Override
  public OutcomeCounts counts(String jobId) {
    String id = requireId(jobId);
    return read("read the counts of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement(
          "SELECT done_count, failed_count, invalid_count, retryable_count FROM jobs WHERE id = ?");
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new OutcomeCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))
            : OutcomeCounts.ZERO;
      }
    });
  }

  @Override
  public long progressAtMillis(String jobId) {
    String id = requireId(jobId);
    return read("read the progress of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement("SELECT progress_at FROM jobs WHERE id = ?");
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  /** {@inheritDoc} Reads pages of {@value #PROBLEM_PAGE} rows, each in its own read; the consumer runs between. */
  @Override
  public void forEachProblem(String jobId, Consumer<RowOutcome> consumer) {
    String id = requireId(jobId);
    Objects.requireNonNull(consumer, "consumer cannot be null");
    long after = 0;
    while (true) {
      long from = after;
      List<RowOutcome> page = read("read the failed rows of job '" + id + "'", tx -> {
        PreparedStatement ps = tx.statement(PROBLEM_PAGE_ROWS);
        ps.setString(1, id);
        ps.setLong(2, from);
        List<RowOutcome> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(rowOutcome(rs));
          }
        }
        return rows;
      });
      page.forEach(consumer);
      if (page.size() < PROBLEM_PAGE) {
        return;
      }
      after = page.get(page.size() - 1).row();
    }
  }

  @Override
  public long reopenRetryable(String jobId) {
    String id = requireId(jobId);
    return write("reopen the retryable rows of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement(RETRYABLE_BY_CHUNK);
      ps.setString(1, id);
      Map<Integer, Long> perChunk = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          perChunk.put(rs.getInt(1), rs.getLong(2));
        }
      }
      // Only DONE chunks are reopened: a PENDING one will be sent anyway, and a LEASED one belongs to a
      // live worker, which re-sends unsettled rows itself (handing it to a second worker would double them).
      PreparedStatement reopen = tx.statement("UPDATE chunks SET state = 'PENDING', lease_owner = NULL,"
          + " lease_expires_at = 0 WHERE job_id = ? AND idx = ? AND state = 'DONE'");
      long rows = 0;
      for (Map.Entry<Integer, Long> e : perChunk.entrySet()) {
        reopen.setString(1, id);
        reopen.setInt(2, e.getKey());
        reopen.executeUpdate();
        rows += e.getValue();
      }
      return rows;
    });
  }

  // ------------------------------------------------------------------------------------------- lookups

  @Override
  public void putLookup(String jobId, String namespace, String key, String value) {
    String id = requireId(jobId);
    Objects.requireNonNull(namespace, "namespace cannot be null");
    Objects.requireNonNull(key, "key cannot be null");
    Objects.requireNonNull(value, "value cannot be null");
    write("store a lookup of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement("INSERT INTO lookups (job_id, namespace, key, value) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (job_id, namespace, key) DO UPDATE SET value = excluded.value");
      ps.setString(1, id);
      ps.setString(2, namespace);
      ps.setString(3, key);
      ps.setString(4, value);
      ps.executeUpdate();
      return null;
    });
  }

  @Override
  public Map<String, String> lookups(String jobId, String namespace) {
    String id = requireId(jobId);
    Objects.requireNonNull(namespace, "namespace cannot be null");
    return read("read the lookups of job '" + id + "'", tx -> {
      PreparedStatement ps = tx.statement("SELECT key, value FROM lookups WHERE job_id = ? AND namespace = ?");
      ps.setString(1, id);
      ps.setString(2, namespace);
      Map<String, String> result = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.put(rs.getString(1), rs.getString(2));
        }
      }
      return Map.copyOf(result);
    });
  }

  // ----------------------------------------------------------------------------------------- processes

  @Override
  public int heartbeat(String jobId, String processId, Duration ttl, long nowMillis) {
    String id = requireId(jobId);
    Objects.requireNonNull(processId, "processId cannot be null");
    long expires = expiry("ttl", ttl, nowMillis);
    return write("send the heartbeat of process '" + processId + "' for job '" + id + "'", tx -> {
      update(tx, "DELETE FROM processes WHERE job_id = ? AND expires_at <= ?", id, nowMillis);
      update(tx, "INSERT INTO processes (job_id, process_id, expires_at) VALUES (?, ?, ?)"
          + " ON CONFLICT (job_id, process_id) DO UPDATE SET expires_at = excluded.expires_at", id, processId, expires);
      PreparedStatement live = tx.statement("SELECT COUNT(*) FROM processes WHERE job_id = ? AND expires_at > ?");
      live.setString(1, id);
      live.setLong(2, nowMillis);
      try (ResultSet rs = live.executeQuery()) {
        return rs.next() ? Math.max(1, rs.getInt(1)) : 1;
      }
    });
  }

  @Override
  public void leave(String jobId, String processId) {
    String id = requireId(jobId);
    Objects.requireNonNull(processId, "processId cannot be null");
    write("remove the heartbeat of process '" + processId + "' for job '" + id + "'", tx -> {
      update(tx, "DELETE FROM processes WHERE job_id = ? AND process_id = ?", id, processId);
      return null;
    });
  }

  // ------------------------------------------------------------------------------------------ mapping

  /** Runs an update with {@code params} (String, Integer or Long) bound in order; returns the row count. */
  private static int update(Tx tx, String sql, Object... params) throws SQLException {
    PreparedStatement ps = tx.statement(sql);
    for (int i = 0; i < params.length; i++) {
      switch (params[i]) {
        case String v -> ps.setString(i + 1, v);
        case Integer v -> ps.setInt(i + 1, v);
        case Long v -> ps.setLong(i + 1, v);
        default -> throw new IllegalArgumentException("cannot bind " + params[i].getClass());
      }
    }
    return ps.executeUpdate();
  }

  private static JobRecord job(Tx tx, String id) throws SQLException {
    return job(tx, id, "");
  }

  /** The job, or null; {@code lock} is "" or the dialect's row lock. */
  private static JobRecord job(Tx tx, String id, String lock) throws SQLException {
    PreparedStatement ps = tx.statement("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?" + lock);
    ps.setString(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? jobRecord(rs) : null;
    }
  }

  private static ChunkRecord firstChunk(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? chunkRecord(rs) : null;
    }
  }

  private static JobRecord jobRecord(ResultSet rs) throws SQLException {
    return new JobRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
        rs.getLong(6), rs.getInt(7), rs.getString(8), JobStatus.valueOf(rs.getString(9)), rs.getString(10),
        rs.getLong(11), rs.getLong(12));
  }

  /** Maps {@link #CHUNK_COLUMNS}; a chunk nobody holds has lease owner "" and expiry 0. */
  private static ChunkRecord chunkRecord(ResultSet rs) throws SQLException {
    ChunkSpec spec = new ChunkSpec(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
        nz(rs.getString(9)));
    return new ChunkRecord(spec, ChunkState.valueOf(rs.getString(6)), nz(rs.getString(7)), rs.getLong(8));
  }

  private static RowOutcome rowOutcome(ResultSet rs) throws SQLException {
    return new RowOutcome(rs.getLong(1), rs.getInt(2), rs.getLong(3), Outcome.valueOf(rs.getString(4)),
        rs.getInt(5) == 1, rs.getString(6), rs.getString(7), rs.getInt(8), rs.getString(9), rs.getString(10),
        rs.getString(11), rs.getString(12));
  }

  /** {@code nowMillis + span}, saturating; {@code what} names the argument in the error. */
  static long expiry(String what, Duration span, long nowMillis) {
    Objects.requireNonNull(span, what + " cannot be null");
    if (span.isNegative() || span.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + span);
    }
    try {
      return Math.addExact(nowMillis, span.toMillis());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // beyond the year 292 million: never expires
    }
  }

  private static long expiry(Duration lease, long nowMillis) {
    return expiry("lease", lease, nowMillis);
  }

  private static String requireId(String jobId) {
    return Objects.requireNonNull(jobId, "jobId cannot be null");
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
