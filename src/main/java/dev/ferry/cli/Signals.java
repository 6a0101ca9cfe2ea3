package dev.ferry.cli;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT/SIGTERM during a run: the first asks the run to stop gracefully (rows in flight finish and are
 * recorded, state is saved, exit 3); the second stops the process at once (the ledger stays exact: rows not
 * yet recorded are re-sent on resume with the same idempotency keys).
 */
final class Signals {
  private Signals() {}

  @SuppressWarnings("removal")
  static void onInterrupt(Runnable graceful) {
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
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // signal not available on this platform: default handling stays
      }
    }
  }
}
