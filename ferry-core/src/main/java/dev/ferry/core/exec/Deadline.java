package dev.ferry.core.exec;

import dev.ferry.core.time.Scheduler;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deadline on one run on the calling thread (a bulk job's row, under {@code --row-timeout}): either the run ends
 * first or the deadline fires first, never both. When the deadline wins, the run is interrupted through
 * {@link TimedRun} (so the interrupt reaches only this run and is cleared at {@link #end()}); the caller then decides
 * the run's outcome. The live pool's tasks use the same {@link TimedRun}, with their future as the winner's record.
 *
 * <pre>{@code
 * Deadline d = Deadline.start(scheduler, timeoutNanos);
 * try { result = work(); } finally { expired = d.end(); }
 * }</pre>
 *
 * <p>This class is threadsafe; {@link #start} and {@link #end} are called by the running thread.
 */
public final class Deadline {
  /* Concurrency: `settled` is the one race between the run and the timer: whoever sets it first wins. The timer
   * interrupts only when it won, and through TimedRun, which delivers the interrupt only between begin and end and
   * clears it at end: so a run that ended first is never interrupted, and one the timer won is interrupted at most
   * until end() returns. */
  private final TimedRun run = new TimedRun();
  private final AtomicBoolean settled = new AtomicBoolean();

  private Deadline() {}

  /** Running thread: starts a deadline {@code timeoutNanos} from now (never firing when not positive). */
  public static Deadline start(Scheduler scheduler, long timeoutNanos) {
    Deadline d = new Deadline();
    d.run.begin();
    d.run.startTimer(scheduler, timeoutNanos, () -> d.settled.compareAndSet(false, true));
    return d;
  }

  /**
   * Running thread: the run ended. Calls the timer off and clears an interrupt it delivered.
   *
   * @return true when the deadline fired first (the run was, or was being, interrupted)
   */
  public boolean end() {
    boolean expired = !settled.compareAndSet(false, true);
    run.end();
    return expired;
  }
}
