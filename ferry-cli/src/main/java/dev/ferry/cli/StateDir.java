package dev.ferry.cli;

import dev.ferry.core.spi.JobStore;
import dev.ferry.sources.sql.DatabaseUrl;
import dev.ferry.store.JobStores;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The checkpoint directory, {@code jobs/<id>/} (errors file, lock), and where job state lives: the embedded
 * {@code ferry.db} in that directory, or a store given with {@code --store} (a PostgreSQL URL: distributed mode,
 * where processes on any machine join one job).
 */
final class StateDir {
  /** Environment variable read when --store is not given (keeps a password off the command line). */
  static final String STORE_ENV = "FERRY_STORE";

  private final Path dir;
  private final String store;

  StateDir(Path dir) {
    this(dir, null);
  }

  /**
   * @param store a SQLite file, a {@code jdbc:postgresql:} URL, or a {@code postgres://user:password@host/db} URL (as
   *              platforms write {@code DATABASE_URL}, and as a spec's SQL source takes it); null = {@code
   *              <dir>/ferry.db}
   */
  StateDir(Path dir, String store) {
    this.dir = dir.toAbsolutePath().normalize();
    this.store = store == null || store.isBlank() ? null : jdbc(store.strip());
  }

  /** A {@code postgres://} or {@code postgresql://} URL in its JDBC form, user and password as parameters. */
  static String jdbc(String store) {
    String lower = store.toLowerCase(java.util.Locale.ROOT);
    return lower.startsWith("postgres://") || lower.startsWith("postgresql://")
        ? DatabaseUrl.of(store).withCredentials() : store;
  }

  /** The state of a command's flags: --store, else $FERRY_STORE, else the checkpoint directory's ferry.db. */
  static StateDir of(Path checkpointDir, String storeFlag, java.util.Map<String, String> env) {
    return new StateDir(checkpointDir, storeFlag != null ? storeFlag : env.get(STORE_ENV));
  }

  JobStore openStore() {
    try {
      return JobStores.open(store != null ? store : dir.resolve("ferry.db").toString());
    } catch (IllegalArgumentException e) {
      throw new ExitException(ExitCodes.USAGE, "--store: " + e.getMessage());
    }
  }

  /** Whether the state is shared by processes on several machines (a PostgreSQL store). */
  boolean distributed() {
    return store != null && JobStores.isRemote(store);
  }

  /** Whether there is any state to read (a remote store always may have some). */
  boolean exists() {
    return store != null ? (distributed() || Files.exists(Path.of(store))) : Files.exists(dir.resolve("ferry.db"));
  }

  /** Where the state lives, to open it: the SQLite file or the store URL (may hold credentials: never print it). */
  String location() {
    return store != null ? store : dir.resolve("ferry.db").toString();
  }

  /** Where the state lives, for messages: the file, or the URL without its user and password. */
  String describe() {
    if (store == null) return dir.resolve("ferry.db").toString();
    return distributed() ? redact(store) : store;
  }

  /** A JDBC URL without credentials: {@code user:pass@} and {@code password=} parameters are cut. */
  static String redact(String url) {
    return url.replaceAll("//[^/@?]*@", "//").replaceAll("(?i)([?&;](password|user)=)[^&;]*", "$1***");
  }

  Path jobDir(String jobId) {
    return dir.resolve("jobs").resolve(jobId);
  }

  /**
   * Takes the job's lock file so that two processes never run one embedded job at once. The lock is released
   * when the process ends, however it ends (the OS drops it on kill -9).
   */
  AutoCloseable lockJob(String jobId) {
    if (distributed()) return () -> {}; // several processes run one distributed job by design
    try {
      Path jd = jobDir(jobId);
      Files.createDirectories(jd);
      FileChannel ch = FileChannel.open(jd.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new ExitException(ExitCodes.USAGE, "job '" + jobId + "' is running in another ferry process;"
            + " wait for it, or stop it first");
      }
      FileLock held = lock;
      return () -> {
        held.release();
        ch.close();
      };
    } catch (IOException e) {
      throw new ExitException(ExitCodes.USAGE, "cannot lock job '" + jobId + "' in " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Whether a ferry process holds the job's lock right now. Probes by taking the lock and giving it back at
   * once: a process starting the job in that instant is refused as if the job were running, which it may
   * retry; nothing else can go wrong, since the probe never touches the store.
   */
  boolean jobRunningElsewhere(String jobId) {
    // A distributed job's processes may be on other machines: no lock to probe, so never call it interrupted.
    if (distributed()) return true;
    Path lockFile = jobDir(jobId).resolve("lock");
    if (!Files.exists(lockFile)) return false;
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) return true;
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // this very process runs it
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Refuses a state directory that is a file, or lies under one (the store would fail to open it, exit 3, as if the
   * store had failed): a usage error naming the flag and the path. A directory that does not exist yet is made later.
   *
   * @throws ExitException (usage)
   */
  static void directoryOrAbsent(Path dir, String flag) {
    Path d = dir.toAbsolutePath().normalize();
    Path existing = d;
    while (existing != null && !Files.exists(existing)) existing = existing.getParent();
    if (existing == null || Files.isDirectory(existing)) return;
    throw new ExitException(ExitCodes.USAGE, flag + " " + dir + (existing.equals(d) ? " is a file, not a directory"
        : ": " + existing + " is a file, not a directory"));
  }

  static void validJobId(String jobId) {
    if (jobId == null || !jobId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new ExitException(ExitCodes.USAGE, "job id '" + jobId + "' must be 1-100 letters, digits, '.', '_' or '-'");
    }
  }
}
