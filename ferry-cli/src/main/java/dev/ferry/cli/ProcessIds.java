package dev.ferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Names this process in chunk leases and heartbeats: unique across machines, readable in `ferry status`. */
final class ProcessIds {
  private ProcessIds() {}

  /** {@code host:pid:random}; the random part tells apart two processes that reuse a host name and pid. */
  static String create() {
    byte[] r = new byte[3];
    new SecureRandom().nextBytes(r);
    return hostName() + ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(r);
  }

  /** The kernel's host name (no DNS lookup: it must not slow a start). */
  private static String hostName() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!h.isEmpty()) return h;
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    String env = System.getenv("HOSTNAME");
    return env != null && !env.isBlank() ? env.strip() : "host";
  }
}
