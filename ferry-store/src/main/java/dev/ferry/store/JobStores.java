package dev.ferry.store;

import dev.ferry.core.spi.JobStore;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Opens the job store a location names: a {@code jdbc:postgresql:} URL (distributed,
 * {@link PostgresJobStore}) or the path of a SQLite file (embedded, {@link SqliteJobStore}). Stateless and
 * threadsafe.
 */
public final class JobStores {
  private static final String POSTGRES = "jdbc:postgresql:";
  /** Anything that looks like a URL ({@code scheme:...} with a scheme of two letters or more, or jdbc:). */
  private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

  private JobStores() {}

  /**
   * Opens the store at {@code location}.
   *
   * @throws IllegalArgumentException when {@code location} is a URL of another kind (e.g. {@code jdbc:mysql:})
   *     or empty; the message says what is accepted
   * @throws dev.ferry.core.spi.StoreException when the store cannot be opened
   */
  public static JobStore open(String location) {
    if (isRemote(location)) {
      return PostgresJobStore.open(location);
    }
    return SqliteJobStore.open(Path.of(location));
  }

  /**
   * Whether {@code location} names a store shared by several machines (a {@code jdbc:postgresql:} URL);
   * false for a SQLite file path.
   *
   * @throws IllegalArgumentException as {@link #open}
   */
  public static boolean isRemote(String location) {
    Objects.requireNonNull(location, "location cannot be null");
    if (location.startsWith(POSTGRES)) {
      return true;
    }
    if (location.isBlank() || URL.matcher(location).matches()) {
      throw new IllegalArgumentException("unsupported job store '" + scheme(location) + "': give a "
          + POSTGRES + "//host:port/database URL (PostgreSQL) or the path of a SQLite file");
    }
    return false;
  }

  /** What to show of a refused location: its scheme only, so no credential in it is ever echoed. */
  private static String scheme(String location) {
    if (location.startsWith("jdbc:")) {
      int end = location.indexOf(':', "jdbc:".length());
      return end < 0 ? location : location.substring(0, end + 1);
    }
    int colon = location.indexOf(':');
    return colon < 0 ? location : location.substring(0, colon + 1);
  }
}
