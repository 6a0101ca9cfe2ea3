package dev.ferry.store;

import dev.ferry.core.spi.JobStore;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
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
public final class SqliteJobStore extends SqlJobStore {
  /*
   * Concurrency: one JDBC connection, used only while holding `lock`. Each public method takes the lock
   * for all of its database work, so statements of two threads never interleave on the connection, and
   * each state-changing method is exactly one `BEGIN IMMEDIATE ... COMMIT` that other threads see whole
   * or not at all. BEGIN IMMEDIATE takes SQLite's write lock when the transaction starts, so the
   * read-then-write methods (claimChunk, recordOutcomes, reopenRetryable) are atomic against other
   * processes on the same file as well; busy_timeout makes such a process wait rather than fail, and WAL
   * lets readers go on meanwhile. SQLite serialises writers anyway, so one connection costs no
   * parallelism. The SPI methods themselves are SqlJobStore's; callbacks (forEachProblem's consumer) run
   * without the lock.
   */

  private static final Logger log = LoggerFactory.getLogger(SqliteJobStore.class);

  /** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
  static final int BUSY_TIMEOUT_MILLIS = 10_000;
  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

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

  private SqliteJobStore(Path file, Connection connection) throws SQLException {
    super(Dialect.SQLITE);
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

  /** Runs {@code work} under {@link #lock} as one write transaction; rolls back on any exception. */
  @Override
  <T> T write(String operation, Work<T> work) {
    lock.lock();
    try {
      ensureOpen();
      control.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run(this::statement);
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
  @Override
  <T> T read(String operation, Work<T> work) {
    lock.lock();
    try {
      ensureOpen();
      return work.run(this::statement);
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

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the open already failed; its exception is the one worth reporting
    }
  }
}
