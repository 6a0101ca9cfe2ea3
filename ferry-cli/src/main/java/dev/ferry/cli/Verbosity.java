package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Process-wide --verbose switch: DEBUG logs of ferry to stderr, stack traces on internal errors. */
final class Verbosity {
  static volatile boolean verbose;

  private Verbosity() {}

  static void set(boolean on) {
    verbose = on;
    if (LoggerFactory.getLogger("dev.ferry") instanceof Logger l) {
      l.setLevel(on ? Level.DEBUG : Level.WARN);
    }
  }
}
