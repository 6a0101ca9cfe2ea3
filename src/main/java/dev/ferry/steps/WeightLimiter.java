package dev.ferry.steps;

import dev.ferry.core.time.Sleeper;
import java.time.Duration;

/**
 * A limit on a weight (tokens) that calls charge before they are sent: a stated budget ({@link WeightBudgetLimiter})
 * or a pace learned from the target's headers ({@link WeightPace}). Implementations are threadsafe.
 */
interface WeightLimiter {
  /** Blocks until {@code weight} units are granted (again after a pause that began meanwhile). */
  void acquire(long weight, Sleeper sleeper) throws InterruptedException;

  /** Grants nothing before {@code pause} from now (a 429 for this unit: until the target's window comes back). */
  void pauseFor(Duration pause);

  /**
   * A call charged {@code charged} units before it was sent and the target counted {@code counted} (OpenAI's
   * {@code usage.total_tokens}): the difference is charged (or credited, where the limiter can) now, so the pace
   * follows the target's own count rather than ferry's estimate.
   */
  void settle(long charged, long counted);
}
