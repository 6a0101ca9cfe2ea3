package dev.ferry.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * SIGINT/SIGTERM during a run: the first asks the run to stop gracefully (no new rows; rows in flight finish
 * within the grace period and are recorded, state is saved, exit 3); the second stops the process at once with
 * exit 3 (the ledger stays exact: rows not yet recorded are re-sent on resume with the same idempotency keys). A
 * signal within {@link Arrivals#SAME_REQUEST} of the first is a copy of it, not a second one ({@link Arrivals}).
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
    Arrivals arrivals = new Arrivals();
    return install(sig -> {
      switch (arrivals.arrive(System.nanoTime())) {
        case FIRST -> {
          System.err.println("\n" + words.first(sig.getName()));
          graceful.accept(sig.getName());
        }
        case COPY -> { } // the same request sent twice (GNU timeout, kill 0): still the graceful stop
        case AGAIN -> halt("SIG" + sig.getName() + ": " + words.halted());
      }
    });
  }

  /**
   * Tells the first stop signal from a copy of it and from a second request. {@code timeout CMD} sends its
   * SIGTERM to the command and then to the command's process group (as {@code kill 0} does), so one request can
   * arrive twice within microseconds: counted as two, it skipped the graceful stop and halted the process (exit 3
   * instead of a drain, and the first signal's line sometimes never printed, the two handler threads racing). A signal
   * within {@link #SAME_REQUEST} of the first is that first request again; one later is a second request (Ctrl-C
   * pressed again). Concurrency: the first arrival is set once by compare-and-set; a handler thread that read the
   * clock before the winner did sees a negative gap, a copy. Threadsafe.
   */
  static final class Arrivals {
    /** How close after the first a signal is taken for a copy of it. */
    static final Duration SAME_REQUEST = Duration.ofMillis(250);

    /** What a signal is. */
    enum Kind {
      /** The first: stop gracefully. */
      FIRST,
      /** The first again (within {@link #SAME_REQUEST}): nothing more to do. */
      COPY,
      /** A second request: stop at once. */
      AGAIN
    }

    private static final long UNSET = Long.MIN_VALUE;
    private final AtomicLong first = new AtomicLong(UNSET);

    /** @param nowNanos {@code System.nanoTime()} as the signal is handled */
    Kind arrive(long nowNanos) {
      if (first.compareAndSet(UNSET, nowNanos)) return Kind.FIRST;
      return nowNanos - first.get() < SAME_REQUEST.toNanos() ? Kind.COPY : Kind.AGAIN;
    }
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
