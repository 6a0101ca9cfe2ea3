package dev.ferry.cli;

import dev.ferry.core.spi.JobStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the failed and invalid rows of a job as CSV ({@code line,email,step,http_status,code,message,request_id})
 * with owner-only permissions, rewritten from the ledger at the end of every run so it always matches the
 * state. Holds no key and no password: only what the ledger holds.
 */
final class ErrorsFile {
  static final String HEADER = "line,email,step,http_status,code,message,request_id";

  private ErrorsFile() {}

  /** Writes the file; returns the number of rows in it. */
  static long write(JobStore store, String jobId, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    long[] rows = {0};
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      store.forEachProblem(jobId, o -> {
        try {
          w.write(o.line() + "," + csv(o.key()) + "," + csv(o.step()) + "," + (o.httpStatus() == 0 ? "" : o.httpStatus())
              + "," + csv(o.code()) + "," + csv(o.message()) + "," + csv(o.requestId()) + "\n");
          rows[0]++;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return rows[0];
  }

  static String csv(String s) {
    if (s == null || s.isEmpty()) return "";
    boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }
}
