package dev.ferry.sources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a job records about its input file when it is planned, besides its size and SHA-256: its modification time,
 * under the job store's lookup namespace {@link #NAMESPACE}, key {@link #MTIME}. A resume compares size and time at
 * once and hashes the file while the run starts (recipes' {@code InputCheck}), instead of hashing it first.
 * Stateless.
 */
public final class PlannedFile {
  /** Lookup namespace of facts about the input recorded at planning. */
  public static final String NAMESPACE = "input";
  /** Key of the input's modification time in {@link #NAMESPACE}. */
  public static final String MTIME = "mtime";

  private PlannedFile() {}

  /** The file's modification time as an exact instant (nanoseconds where the file system keeps them). */
  public static String modifiedAt(Path file) throws IOException {
    return Files.getLastModifiedTime(file).toInstant().toString();
  }
}
