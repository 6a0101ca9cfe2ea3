package dev.ferry.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Points sqlite-jdbc at a kept copy of its native library, so a start does not extract the library (about 1 MB)
 * into the temporary directory and compare it byte by byte with the jar's copy again, which costs a short run
 * about 50 ms of CPU. The copy lives in the folder named by the system property {@value #DIR_PROPERTY} (the
 * {@code ./ferry} launcher gives {@code target/native}, beside the jar); without it, or when the folder cannot be
 * written, nothing changes and the driver extracts as usual. A copy that cannot be loaded costs nothing either:
 * the driver then falls back to extracting. {@code org.sqlite.lib.path} set by the user wins.
 *
 * <p>This class is threadsafe: the first call does the work once per process; processes that race to make the
 * copy each write a temporary file and rename it into place, so the copy is whole or absent.
 */
final class SqliteNativeLibrary {
  static final String DIR_PROPERTY = "ferry.native.dir";
  private static final Logger LOG = LoggerFactory.getLogger(SqliteNativeLibrary.class);
  private static final String LIB_PATH = "org.sqlite.lib.path";
  private static final String LIB_NAME = "org.sqlite.lib.name";

  private SqliteNativeLibrary() {}

  /** Uses the kept copy (making it when missing) before the first connection opens. Never throws. */
  static void useKeptCopy() {
    Holder.touch();
  }

  private static final class Holder {
    static {
      String dir = System.getProperty(DIR_PROPERTY);
      if (dir != null && !dir.isBlank() && System.getProperty(LIB_PATH) == null) {
        Path lib = keptCopy(Path.of(dir));
        if (lib != null) {
          System.setProperty(LIB_PATH, lib.getParent().toString());
          System.setProperty(LIB_NAME, lib.getFileName().toString());
        }
      }
    }

    static void touch() {}
  }

  /**
   * The kept copy of this driver's native library under {@code dir}, made when missing; null when it cannot be
   * made (read-only folder, no library for this platform).
   */
  static Path keptCopy(Path dir) {
    try {
      // Keyed by the driver's version and the platform, so another driver or JDK architecture gets its own.
      Path folder = dir.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-"
          + (System.getProperty("os.name") + "-" + System.getProperty("os.arch")).replaceAll("[^A-Za-z0-9_.-]", "_"));
      Path lib = folder.resolve(LibraryLoaderUtil.getNativeLibName());
      if (Files.isRegularFile(lib)) return lib;
      String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
      try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
        if (in == null) return null;
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, "lib", ".tmp");
        try {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return lib;
    } catch (IOException | RuntimeException e) {
      LOG.debug("no kept copy of the SQLite native library in {}: {}", dir, e.toString());
      return null;
    }
  }
}
