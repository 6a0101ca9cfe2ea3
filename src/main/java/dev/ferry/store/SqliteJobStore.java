package dev.ferry.store;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded {@link JobStore}: one SQLite file (by default {@code .ferry/ferry.db}), in WAL mode.
 *
 * <p>Durability: WAL with {@code synchronous=NORMAL}. A committed transaction is in the WAL file before
 * the commit returns, so killing the process (even {@code kill -9}) never loses it. A power loss or
 * operating-system crash may lose the last transactions committed since the WAL was last synced (at a
 * checkpoint); the database stays consistent, and the rows of those transactions are simply sent again
 * on resume, with the same idempotency keys.
 *
 * <p>Files: the database file (and the {@code -wal}/{@code -shm} files SQLite derives from it) are made
 * owner-only ({@code rw-------}), and directories created by {@link #open} owner-only ({@code rwx------}),
 * where the file system supports POSIX permissions. An existing parent directory is left as it is.
 *
 * <p>This class is threadsafe.
 */
public final class SqliteJobStore implements JobStore {
  /*
   * Concurrency: one JDBC connection, used only while holding `lock`. Each public method takes the lock
   * for all of its database work, so statements of two threads never interleave on the connection, and
   * each state-changing method is exactly one `BEGIN IMMEDIATE ... COMMIT` that other threads see whole
   * or not at all. BEGIN IMMEDIATE takes SQLite's write lock when the transaction starts, so the
   * read-then-write methods (claimChunk, recordOutcomes, reopenRetryable) are atomic against other
   * processes on the same file as well; busy_timeout makes such a process wait rather than fail, and WAL
   * lets readers go on meanwhile. SQLite serialises writers anyway, so one connection costs no
   * parallelism. Callbacks (forEachProblem's consumer) run without the lock.
   */

  private static final Logger log = LoggerFactory.getLogger(SqliteJobStore.class);

  /** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
  static final int BUSY_TIMEOUT_MILLIS = 10_000;
  /** Rows per page of forEachProblem; the lock is released between pages. */
  static final int PROBLEM_PAGE = 1_000;

  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

  private static final String JOB_COLUMNS = "id, kind, input_path, input_size, input_sha256, total_rows, "
      + "chunk_size, config, status, message, created_at, updated_at";
  private static final String CHUNK_COLUMNS =
      "idx, byte_offset, first_line, first_row, row_count, state, lease_owner, lease_expires_at";
  private static final String OUTCOME_COLUMNS =
      "row, chunk, line, outcome, retryable, key, step, http_status, code, message, request_id, note";
  // Queries whose plans SqliteJobStoreTest checks: each must be served by an index, never by a scan of the
  // job's whole ledger. Without ANALYZE statistics SQLite prefers the (covering) primary key to a partial
  // index that needs a lookup per row, so the partial-index queries name their index (INDEXED BY is the
  // one SQLite-only clause here; preparing fails loudly if the index were ever missing).
  static final String CLAIM_PENDING = "SELECT " + CHUNK_COLUMNS + " FROM chunks"
      + " WHERE job_id = ? AND state = 'PENDING' ORDER BY idx LIMIT 1";
  static final String CLAIM_EXPIRED = "SELECT " + CHUNK_COLUMNS + " FROM chunks"
      + " WHERE job_id = ? AND state = 'LEASED' AND lease_expires_at < ? ORDER BY idx LIMIT 1";
  /** A chunk's rows are a primary-key range: read straight from the (job_id, row) b-tree. */
  static final String SETTLED_ROWS = "SELECT row FROM outcomes WHERE job_id = ? AND row >= ? AND row < ?"
      + " AND NOT (outcome = 'FAILED' AND retryable = 1)";
  static final String PROBLEM_PAGE_ROWS = "SELECT " + OUTCOME_COLUMNS
      + " FROM outcomes INDEXED BY outcomes_problems"
      + " WHERE job_id = ? AND outcome <> 'DONE' AND row > ? ORDER BY row LIMIT " + PROBLEM_PAGE;
  static final String RETRYABLE_BY_CHUNK = "SELECT chunk, COUNT(*) FROM outcomes INDEXED BY outcomes_retryable"
      + " WHERE job_id = ? AND outcome = 'FAILED' AND retryable = 1 GROUP BY chunk";

  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();
  /** @GuardedBy("lock") */
  private final Connection connection;
  /** Prepared statements by SQL text, reused for the life of the connection. @GuardedBy("lock") */
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  /** @GuardedBy("lock") */
  private final Statement control;
  /** @GuardedBy("lock") */
  private boolean closed;
  /** Writes ledger batches through {@link #statement}. @GuardedBy("lock") */
  private final LedgerWriter ledger = new LedgerWriter(this::statement);

  private SqliteJobStore(Path file, Connection connection) throws SQLException {
    this.file = file;
    this.connection = connection;
    this.control = connection.createStatement();
  }

  /**
   * Opens (creating when absent) the store in {@code dbFile}, creating missing parent directories.
   *
   * @throws StoreException when the file cannot be created or opened, is not a ferry database, or was
   *     written by a newer ferry
   */
  public static SqliteJobStore open(Path dbFile) {
    return open(dbFile, false);
  }

  /** As {@link #open(Path)}; {@code readOnly} opens the file read-only (tests use it to force write errors). */
  static SqliteJobStore open(Path dbFile, boolean readOnly) {
    Objects.requireNonNull(dbFile, "dbFile cannot be null");
    Path file = dbFile.toAbsolutePath().normalize();
    if (!readOnly) {
      prepareFile(file);
    }
    SqliteNativeLibrary.useKeptCopy();
    Connection connection;
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(readOnly);
      connection = config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw SqliteErrors.wrap("open the job store", file, e);
    }
    try {
      configure(connection, file);
      Schema.ensure(connection);
      SqliteJobStore store = new SqliteJobStore(file, connection);
      if (!readOnly) {
        restrictSidecars(file);
      }
      log.debug("opened job store {}", file);
      return store;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw SqliteErrors.wrap("open the job store", file, e);
    } catch (Schema.SchemaVersionException e) {
      closeQuietly(connection);
      throw new StoreException("cannot open the job store in " + file + ": it was written by a newer ferry ("
          + e.getMessage() + ")");
    }
  }

  private static void configure(Connection connection, Path file) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
      try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
        String mode = rs.next() ? rs.getString(1) : "?";
        if (!"wal".equalsIgnoreCase(mode)) {
          log.warn("job store {} runs in journal mode '{}', not WAL (file system without shared memory?)", file,
              mode);
        }
      }
      st.execute("PRAGMA synchronous = NORMAL");
      st.execute("PRAGMA cache_size = -16384"); // KiB: 16 MiB of page cache, up from SQLite's 2 MiB
    }
  }

  /** Creates missing directories and the file itself with owner-only permissions. */
  private static void prepareFile(Path file) {
    Path dir = file.getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (Files.isDirectory(file)) {
      throw new StoreException("cannot create the job store " + file + ": it is a directory");
    }
    try {
      if (!Files.isDirectory(dir)) {
        FileAttribute<?>[] attrs = posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_DIR)} : new FileAttribute<?>[0];
        Files.createDirectories(dir, attrs);
      }
      if (!Files.exists(file)) {
        try {
          FileAttribute<?>[] attrs = posix
              ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)} : new FileAttribute<?>[0];
          Files.createFile(file, attrs);
        } catch (FileAlreadyExistsException raced) {
          // another process created it first: fine
        }
      }
      if (posix) {
        Files.setPosixFilePermissions(file, OWNER_FILE);
      }
    } catch (FileAlreadyExistsException e) {
      throw new StoreException("cannot create the job store " + file + ": " + e.getFile()
          + " exists and is not a directory", e);
    } catch (AccessDeniedException e) {
      throw new StoreException("cannot create the job store " + file + ": permission denied on " + e.getFile(), e);
    } catch (FileSystemException e) {
      String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
      throw new StoreException("cannot create the job store " + file + ": " + reason + " (" + e.getFile() + ")", e);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      throw new StoreException("cannot create the job store " + file + ": " + e, e);
    }
  }

  /** SQLite gives -wal/-shm the database file's mode; this only repairs files left by an older, laxer run. */
  private static void restrictSidecars(Path file) {
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Path sidecar = file.resolveSibling(file.getFileName() + suffix);
      try {
        if (Files.exists(sidecar) && sidecar.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.setPosixFilePermissions(sidecar, OWNER_FILE);
        }
      } catch (IOException | UnsupportedOperationException e) {
        log.warn("cannot make {} owner-only: {}", sidecar, e.toString());
      }
    }
  }

  /** The absolute path of the database file. */
  public Path file() {
    return file;
  }

  // ---------------------------------------------------------------------------------------------- jobs

  @Override
  public void createJob(JobRecord job) {
    Objects.requireNonNull(job, "job cannot be null");
    String id = requireId(job.id());
    write("create job '" + id + "'", () -> {
      if (exists(id)) {
        throw new IllegalStateException("job '" + id + "' already exists");
      }
      PreparedStatement ps = statement("INSERT INTO jobs (" + JOB_COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
      ps.executeUpdate();
      return null;
    });
  }

  @Override
  public Optional<JobRecord> findJob(String jobId) {
    String id = requireId(jobId);
    return read("read job '" + id + "'", () -> Optional.ofNullable(job(id)));
  }

  @Override
  public List<JobRecord> listJobs() {
    return read("list jobs", () -> {
      PreparedStatement ps = statement("SELECT " + JOB_COLUMNS + " FROM jobs ORDER BY created_at DESC, id");
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
    write("delete job '" + id + "'", () -> {
      for (String table : new String[] {"outcomes", "chunks", "lookups"}) {
        PreparedStatement ps = statement("DELETE FROM " + table + " WHERE job_id = ?");
        ps.setString(1, id);
        ps.executeUpdate();
      }
      PreparedStatement ps = statement("DELETE FROM jobs WHERE id = ?");
      ps.setString(1, id);
      ps.executeUpdate();
      return null;
    });
  }

  @Override
  public JobRecord updateStatus(String jobId, JobStatus status, String message, long nowMillis) {
    String id = requireId(jobId);
    Objects.requireNonNull(status, "status cannot be null");
    return write("update the status of job '" + id + "'", () -> {
      PreparedStatement ps = statement("UPDATE jobs SET status = ?, message = ?, updated_at = ? WHERE id = ?");
      ps.setString(1, status.name());
      ps.setString(2, nz(message));
      ps.setLong(3, nowMillis);
      ps.setString(4, id);
      if (ps.executeUpdate() == 0) {
        throw new IllegalStateException("job '" + id + "' does not exist");
      }
      return job(id);
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
    write("store the plan of job '" + id + "'", () -> {
      JobRecord job = job(id);
      if (job == null) {
        throw new IllegalStateException("job '" + id + "' does not exist");
      }
      if (job.status() != JobStatus.PLANNING) {
        throw new IllegalStateException("job '" + id + "' is " + job.status() + ", not PLANNING");
      }
      PreparedStatement clear = statement("DELETE FROM chunks WHERE job_id = ?");
      clear.setString(1, id);
      clear.executeUpdate();
      PreparedStatement ins = statement("INSERT INTO chunks (job_id, " + CHUNK_COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', NULL, 0)");
      try {
        int pending = 0;
        for (ChunkSpec c : chunks) {
          ins.setString(1, id);
          ins.setInt(2, c.index());
          ins.setLong(3, c.byteOffset());
          ins.setLong(4, c.firstLine());
          ins.setLong(5, c.firstRow());
          ins.setInt(6, c.rowCount());
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
      PreparedStatement upd = statement("UPDATE jobs SET total_rows = ?, input_size = ?, input_sha256 = ?,"
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
    return write("claim a chunk of job '" + id + "'", () -> {
      PreparedStatement pending = statement(CLAIM_PENDING);
      pending.setString(1, id);
      ChunkRecord found = firstChunk(pending);
      if (found == null) {
        PreparedStatement expired = statement(CLAIM_EXPIRED);
        expired.setString(1, id);
        expired.setLong(2, nowMillis);
        found = firstChunk(expired);
      }
      if (found == null) {
        return Optional.<ChunkRecord>empty();
      }
      PreparedStatement take = statement("UPDATE chunks SET state = 'LEASED', lease_owner = ?,"
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
    return write("renew the lease on chunk " + chunkIndex + " of job '" + id + "'", () -> {
      PreparedStatement ps = statement("UPDATE chunks SET lease_expires_at = ?"
          + " WHERE job_id = ? AND idx = ? AND state = 'LEASED' AND lease_owner = ?");
      ps.setLong(1, expires);
      ps.setString(2, id);
      ps.setInt(3, chunkIndex);
      ps.setString(4, workerId);
      return ps.executeUpdate() == 1;
    });
  }

  @Override
  public boolean completeChunk(String jobId, int chunkIndex, String workerId) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    return write("complete chunk " + chunkIndex + " of job '" + id + "'", () -> {
      PreparedStatement ps = statement("UPDATE chunks SET state = 'DONE', lease_owner = NULL, lease_expires_at = 0"
          + " WHERE job_id = ? AND idx = ? AND (state <> 'LEASED' OR lease_owner = ?)");
      ps.setString(1, id);
      ps.setInt(2, chunkIndex);
      ps.setString(3, workerId);
      return ps.executeUpdate() == 1;
    });
  }

  @Override
  public void releaseChunk(String jobId, int chunkIndex, String workerId) {
    String id = requireId(jobId);
    Objects.requireNonNull(workerId, "workerId cannot be null");
    write("release chunk " + chunkIndex + " of job '" + id + "'", () -> {
      PreparedStatement ps = statement("UPDATE chunks SET state = 'PENDING', lease_owner = NULL,"
          + " lease_expires_at = 0 WHERE job_id = ? AND idx = ? AND state = 'LEASED' AND lease_owner = ?");
      ps.setString(1, id);
      ps.setInt(2, chunkIndex);
      ps.setString(3, workerId);
      ps.executeUpdate();
      return null;
    });
  }

  @Override
  public int releaseAllLeases(String jobId) {
    String id = requireId(jobId);
    return write("release the leases of job '" + id + "'", () -> {
      PreparedStatement ps = statement("UPDATE chunks SET state = 'PENDING', lease_owner = NULL,"
          + " lease_expires_at = 0 WHERE job_id = ? AND state = 'LEASED'");
      ps.setString(1, id);
      return ps.executeUpdate();
    });
  }

  @Override
  public List<ChunkRecord> chunks(String jobId) {
    String id = requireId(jobId);
    return read("read the chunks of job '" + id + "'", () -> {
      PreparedStatement ps = statement("SELECT " + CHUNK_COLUMNS + " FROM chunks WHERE job_id = ? ORDER BY idx");
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

  // -------------------------------------------------------------------------------------------- ledger

  @Override
  public void recordOutcomes(String jobId, Collection<RowOutcome> outcomes) {
    String id = requireId(jobId);
    Objects.requireNonNull(outcomes, "outcomes cannot be null");
    if (outcomes.isEmpty()) {
      return;
    }
    write("record outcomes of job '" + id + "'", () -> {
      record(id, outcomes);
      return null;
    });
  }

  /** The body of recordOutcomes, inside the caller's write transaction. @GuardedBy("lock") */
  private void record(String id, Collection<RowOutcome> batch) throws SQLException {
    PreparedStatement job = statement("SELECT retryable_count FROM jobs WHERE id = ?");
    job.setString(1, id);
    long retryableStored;
    try (ResultSet rs = job.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("job '" + id + "' does not exist");
      }
      retryableStored = rs.getLong(1);
    }
    LedgerWriter.Deltas d = ledger.write(id, batch, retryableStored > 0);
    if (!d.isZero()) {
      PreparedStatement ps = statement("UPDATE jobs SET done_count = done_count + ?,"
          + " failed_count = failed_count + ?, invalid_count = invalid_count + ?,"
          + " retryable_count = retryable_count + ? WHERE id = ?");
      ps.setLong(1, d.done());
      ps.setLong(2, d.failed());
      ps.setLong(3, d.invalid());
      ps.setLong(4, d.retryable());
      ps.setString(5, id);
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
    return write("seal chunk " + chunkIndex + " of job '" + id + "'", () -> {
      PreparedStatement get = statement("SELECT first_row, row_count, state, lease_owner, implied_done"
          + " FROM chunks WHERE job_id = ? AND idx = ?");
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
        record(id, batch);
      }
      PreparedStatement count = statement("SELECT COUNT(*) FROM outcomes WHERE job_id = ? AND row >= ? AND row < ?");
      count.setString(1, id);
      count.setLong(2, firstRow);
      count.setLong(3, firstRow + rowCount);
      long recorded;
      try (ResultSet rs = count.executeQuery()) {
        recorded = rs.next() ? rs.getLong(1) : 0;
      }
      long implied = Math.max(0, rowCount - recorded);
      PreparedStatement seal = statement("UPDATE chunks SET state = 'DONE', lease_owner = NULL,"
          + " lease_expires_at = 0, implied_done = ? WHERE job_id = ? AND idx = ?");
      seal.setLong(1, implied);
      seal.setString(2, id);
      seal.setInt(3, chunkIndex);
      seal.executeUpdate();
      if (implied != impliedBefore) {
        PreparedStatement ps = statement("UPDATE jobs SET done_count = done_count + ? WHERE id = ?");
        ps.setLong(1, implied - impliedBefore);
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return true;
    });
  }

  @Override
  public BitSet settledRows(String jobId, ChunkSpec chunk) {
    String id = requireId(jobId);
    Objects.requireNonNull(chunk, "chunk cannot be null");
    return read("read the ledger of chunk " + chunk.index() + " of job '" + id + "'", () -> {
      BitSet settled = new BitSet(chunk.rowCount());
      PreparedStatement implied = statement("SELECT implied_done FROM chunks WHERE job_id = ? AND idx = ?");
      implied.setString(1, id);
      implied.setInt(2, chunk.index());
      boolean sealed;
      try (ResultSet rs = implied.executeQuery()) {
        sealed = rs.next() && rs.getLong(1) > 0;
      }
      if (sealed) {
        // every row without a ledger row is an implied DONE: settled, except the retryable failures
        settled.set(0, chunk.rowCount());
        PreparedStatement retry = statement("SELECT row FROM outcomes WHERE job_id = ? AND row >= ? AND row < ?"
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
      PreparedStatement ps = statement(SETTLED_ROWS);
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
    return read("read the counts of job '" + id + "'", () -> {
      PreparedStatement ps = statement(
          "SELECT done_count, failed_count, invalid_count, retryable_count FROM jobs WHERE id = ?");
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new OutcomeCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))
            : OutcomeCounts.ZERO;
      }
    });
  }

  /** {@inheritDoc} Reads pages of {@value #PROBLEM_PAGE} rows and calls the consumer without holding the lock. */
  @Override
  public void forEachProblem(String jobId, Consumer<RowOutcome> consumer) {
    String id = requireId(jobId);
    Objects.requireNonNull(consumer, "consumer cannot be null");
    long after = 0;
    while (true) {
      long from = after;
      List<RowOutcome> page = read("read the failed rows of job '" + id + "'", () -> {
        PreparedStatement ps = statement(PROBLEM_PAGE_ROWS);
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
    return write("reopen the retryable rows of job '" + id + "'", () -> {
      PreparedStatement ps = statement(RETRYABLE_BY_CHUNK);
      ps.setString(1, id);
      Map<Integer, Long> perChunk = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          perChunk.put(rs.getInt(1), rs.getLong(2));
        }
      }
      // Only DONE chunks are reopened: a PENDING one will be sent anyway, and a LEASED one belongs to a
      // live worker, which re-sends unsettled rows itself (handing it to a second worker would double them).
      PreparedStatement reopen = statement("UPDATE chunks SET state = 'PENDING', lease_owner = NULL,"
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
    write("store a lookup of job '" + id + "'", () -> {
      PreparedStatement ps = statement("INSERT INTO lookups (job_id, namespace, key, value) VALUES (?, ?, ?, ?)"
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
    return read("read the lookups of job '" + id + "'", () -> {
      PreparedStatement ps = statement("SELECT key, value FROM lookups WHERE job_id = ? AND namespace = ?");
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

  /** Closes the connection; idempotent. Later calls on the store throw {@link IllegalStateException}. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (PreparedStatement ps : statements.values()) {
        ps.close();
      }
      statements.clear();
      control.close();
      connection.close();
    } catch (SQLException e) {
      throw SqliteErrors.wrap("close the job store", file, e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "SqliteJobStore[" + file + "]";
  }

  // ------------------------------------------------------------------------------------------ plumbing

  /** Database work run under {@link #lock}. */
  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} as one write transaction; rolls back on any exception. */
  private <T> T write(String operation, Work<T> work) {
    lock.lock();
    try {
      ensureOpen();
      control.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run();
        control.execute("COMMIT");
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollback(e);
        throw e;
      }
    } catch (SQLException e) {
      throw SqliteErrors.wrap(operation, file, e);
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code work}, a single read statement or a few independent ones, outside an explicit transaction. */
  private <T> T read(String operation, Work<T> work) {
    lock.lock();
    try {
      ensureOpen();
      return work.run();
    } catch (SQLException e) {
      throw SqliteErrors.wrap(operation, file, e);
    } finally {
      lock.unlock();
    }
  }

  /** @GuardedBy("lock") */
  private void rollback(Throwable cause) {
    try {
      control.execute("ROLLBACK");
    } catch (SQLException e) {
      // SQLite already rolled back after some errors (SQLITE_FULL, SQLITE_IOERR): nothing left to undo.
      cause.addSuppressed(e);
    }
  }

  /** @GuardedBy("lock") */
  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("job store " + file + " is closed");
    }
  }

  /** @GuardedBy("lock") */
  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /** @GuardedBy("lock") */
  private boolean exists(String id) throws SQLException {
    PreparedStatement ps = statement("SELECT 1 FROM jobs WHERE id = ?");
    ps.setString(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** @GuardedBy("lock") */
  private JobRecord job(String id) throws SQLException {
    PreparedStatement ps = statement("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?");
    ps.setString(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? jobRecord(rs) : null;
    }
  }

  /** @GuardedBy("lock") */
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
    ChunkSpec spec = new ChunkSpec(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getInt(5));
    return new ChunkRecord(spec, ChunkState.valueOf(rs.getString(6)), nz(rs.getString(7)), rs.getLong(8));
  }

  private static RowOutcome rowOutcome(ResultSet rs) throws SQLException {
    return new RowOutcome(rs.getLong(1), rs.getInt(2), rs.getLong(3), Outcome.valueOf(rs.getString(4)),
        rs.getInt(5) == 1, rs.getString(6), rs.getString(7), rs.getInt(8), rs.getString(9), rs.getString(10),
        rs.getString(11), rs.getString(12));
  }

  private static long expiry(Duration lease, long nowMillis) {
    Objects.requireNonNull(lease, "lease cannot be null");
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive: " + lease);
    }
    try {
      return Math.addExact(nowMillis, lease.toMillis());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // a lease beyond the year 292 million never expires
    }
  }

  private static String requireId(String jobId) {
    return Objects.requireNonNull(jobId, "jobId cannot be null");
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the open already failed; its exception is the one worth reporting
    }
  }
}
