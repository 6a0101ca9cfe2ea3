package dev.ferry.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT/SIGTERM during a run: the first asks the run to stop gracefully (rows in flight finish and are
 * recorded, state is saved, exit 3); the second stops the process at once (the ledger stays exact: rows not
 * yet recorded are re-sent on resume with the same idempotency keys).
 */
final class Signals {
  private Signals() {}

  /**
   * Installs the handler for INT and TERM until the returned handle is closed, which puts back the handlers
   * that were there before (so a run inside a longer-lived JVM, e.g. a test or an embedding, does not leave
   * Ctrl-C pointing at a finished run).
   */
  @SuppressWarnings("removal")
  static AutoCloseable onInterrupt(Runnable graceful) {
    AtomicInteger count = new AtomicInteger();
    sun.misc.SignalHandler handler = sig -> {
      if (count.incrementAndGet() == 1) {
        System.err.println("\nferry: stopping: letting rows in flight finish (press Ctrl-C again to stop at once)");
        graceful.run();
      } else {
        System.err.println("\nferry: stopped at once; 'ferry resume' continues exactly");
        Runtime.getRuntime().halt(ExitCodes.STOPPED);
      }
    };
    Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new LinkedHashMap<>();
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal signal = new sun.misc.Signal(name);
        previous.put(signal, sun.misc.Signal.handle(signal, handler));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // signal not available on this platform: default handling stays
      }
    }
    return () -> previous.forEach((signal, old) -> {
      try {
        sun.misc.Signal.handle(signal, old);
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // cannot restore: leave it
      }
    });
  }
}
