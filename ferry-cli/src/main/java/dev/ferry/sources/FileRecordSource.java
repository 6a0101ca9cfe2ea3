package dev.ferry.sources;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What every file source shares: its file, described by its path, and a resume that reads only the bytes that were
 * planned (size and SHA-256, {@link FileFingerprint}). Immutable; subclasses are threadsafe.
 */
abstract class FileRecordSource implements RecordSource {
  final Path file;

  FileRecordSource(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  @Override
  public final void checkUnchanged(long plannedSize, String plannedFingerprint) throws IOException {
    FileFingerprint.check(file, plannedSize, plannedFingerprint, "");
  }

  @Override
  public final String describe() {
    return file.toString();
  }
}
