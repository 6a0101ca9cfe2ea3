package dev.ferry.cli;

import dev.ferry.core.spi.JobStore;
import dev.ferry.store.SqliteJobStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The checkpoint directory: {@code ferry.db} (all jobs) and {@code jobs/<id>/} (errors file, lock). */
final class StateDir {
  private final Path dir;

  StateDir(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  JobStore openStore() {
    return SqliteJobStore.open(dir.resolve("ferry.db"));
  }

  Path jobDir(String jobId) {
    return dir.resolve("jobs").resolve(jobId);
  }

  /**
   * Takes the job's lock file so that two processes never run one embedded job at once. The lock is released
   * when the process ends, however it ends (the OS drops it on kill -9).
   */
  AutoCloseable lockJob(String jobId) {
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

  static void validJobId(String jobId) {
    if (jobId == null || !jobId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new ExitException(ExitCodes.USAGE, "job id '" + jobId + "' must be 1-100 letters, digits, '.', '_' or '-'");
    }
  }
}
