package dev.ferry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * SIGINT/SIGTERM during a run: the first asks the run to stop gracefully (no new rows; rows in flight finish
 * within the grace period and are recorded, state is saved, exit 3); the second stops the process at once with
 * exit 3 (the ledger stays exact: rows not yet recorded are re-sent on resume with the same idempotency keys).
 * The handlers are process-wide; closing the returned handle puts the previous ones back.
 */
@SuppressWarnings("removal")
final class Signals {
  private static final String[] NAMES = {"INT", "TERM"};

  private Signals() {}

  /** What a job says: its first signal stops it gracefully, a second at once, and resume goes on. */
  static final Words JOB = new Words("no new rows; rows in flight may finish (press Ctrl-C again to stop at once)",
      "stopped at once; 'ferry resume' continues exactly");

  /** What {@code ferry serve} says: it has items and deliveries, and no resume (the queue is its state). */
  static final Words SERVE = new Words("new deliveries get 503; items in flight may settle within --drain-timeout"
      + " (press Ctrl-C again to stop at once)", "stopped at once; the items in flight are claimed again when their"
      + " lease runs out (by this service's next start or another replica)");

  /**
   * The two lines of a run's signals.
   *
   * @param stopping after "stopping: ", on the first signal
   * @param halted   the line of the second signal
   */
  record Words(String stopping, String halted) {
    String first(String signal) {
      return "ferry: SIG" + signal + ": stopping: " + stopping;
    }
  }

  /** @param graceful called once, on the signal thread, with the signal's name ("INT" or "TERM") */
  static AutoCloseable onInterrupt(Consumer<String> graceful) {
    return onInterrupt(JOB, graceful);
  }

  /** As {@link #onInterrupt(Consumer)}, saying {@code words}. */
  static AutoCloseable onInterrupt(Words words, Consumer<String> graceful) {
    AtomicInteger count = new AtomicInteger();
    return install(sig -> {
      if (count.incrementAndGet() == 1) {
        System.err.println("\n" + words.first(sig.getName()));
        graceful.accept(sig.getName());
      } else {
        halt("SIG" + sig.getName() + ": " + words.halted());
      }
    });
  }

  /** While planning: any signal ends the process at once with exit 3 and {@code message}. */
  static AutoCloseable haltOnInterrupt(String message) {
    return install(sig -> halt("SIG" + sig.getName() + ": " + message));
  }

  private static void halt(String message) {
    System.err.println("\nferry: " + message);
    System.err.flush();
    Runtime.getRuntime().halt(ExitCodes.STOPPED);
  }

  private static AutoCloseable install(sun.misc.SignalHandler handler) {
    List<Runnable> restore = new ArrayList<>();
    for (String name : NAMES) {
      try {
        sun.misc.Signal signal = new sun.misc.Signal(name);
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, handler);
        restore.add(() -> sun.misc.Signal.handle(signal, previous));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // signal not available on this platform: default handling stays
      }
    }
    return () -> restore.forEach(Runnable::run);
  }
}
