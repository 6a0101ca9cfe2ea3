package dev.ferry.sources;

import dev.ferry.core.source.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What "unchanged" means for a file source: the same size and the same SHA-256. Stateless, threadsafe. */
final class FileFingerprint {
  private FileFingerprint() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e); // every Java SE platform must have it
    }
  }

  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * @throws InputException naming the file and what changed when it is gone, has another size or another hash
   */
  static void check(Path file, long plannedSize, String plannedSha256, String jobHint) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new InputException(file + ": the job's input file is gone; put it back at this path to resume");
    }
    long size = Files.size(file);
    if (size != plannedSize) throw changed(file, "size " + plannedSize + " -> " + size + " bytes", jobHint);
    MessageDigest digest = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[128 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
    }
    if (!hex(digest).equals(plannedSha256)) {
      throw changed(file, "the same size, other content: its SHA-256 differs", jobHint);
    }
  }

  private static InputException changed(Path file, String what, String jobHint) {
    return new InputException(file + ": the file changed since the job was planned (" + what + "); resuming would mix"
        + " two inputs. Restore the original file" + jobHint);
  }
}
