package dev.ferry.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * SIGINT/SIGTERM during a run: the first asks the run to stop gracefully (no new rows; rows in flight finish
 * within the grace period and are recorded, state is saved, exit 3); the second stops the process at once with
 * exit 3 (the ledger stays exact: rows not yet recorded are re-sent on resume with the same idempotency keys).
 * The handlers are process-wide; each run replaces the previous run's.
 */
final class Signals {
  private Signals() {}

  /**
   * Installs the handler for INT and TERM until the returned handle is closed, which puts back the handlers
   * that were there before (so a run inside a longer-lived JVM, e.g. a test or an embedding, does not leave
   * Ctrl-C pointing at a finished run).
   *
   * @param graceful called once, on the signal thread, with the signal's name ("INT" or "TERM")
   */
  @SuppressWarnings("removal")
  static AutoCloseable onInterrupt(Consumer<String> graceful) {
    AtomicInteger count = new AtomicInteger();
    sun.misc.SignalHandler handler = sig -> {
      if (count.incrementAndGet() == 1) {
        System.err.println("\nferry: SIG" + sig.getName() + ": stopping: no new rows; rows in flight may finish"
            + " (press Ctrl-C again to stop at once)");
        graceful.accept(sig.getName());
      } else {
        System.err.println("\nferry: SIG" + sig.getName() + ": stopped at once; 'ferry resume' continues exactly");
        System.err.flush();
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
