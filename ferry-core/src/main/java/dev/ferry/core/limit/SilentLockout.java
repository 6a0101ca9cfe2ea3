package dev.ferry.core.limit;

/**
 * A stretch of 429s that carry no Retry-After: when the target refused, it did not say until when, so the learner
 * reads the wait from when the refusals stopped. The stretch opens at its first refusal (sent at {@code t0}, answered at
 * {@code a0}) and closes at the first admission of a request sent after {@code a0} (the client knew of the refusal by
 * then, and every later send was a try of whether the target takes requests again). The target took requests again
 * somewhere after the last refused send and no later than that admission's send: the wait from {@code t0} lies in
 * that interval, and its middle is the reading (the backoff between the tries sets how wide it is).
 *
 * <p>Invariant: a refusal of a request sent at or after {@code t0} while the stretch is open is the stretch's own (the
 * target still refusing, not a pace found too fast), so it neither counts as a new refusal nor moves the pace; only
 * the latest such send time is kept.
 *
 * <p>Pure state; not threadsafe (the {@link RateLearner} holding it guards it).
 */
final class SilentLockout {
  private static final long SECOND = 1_000_000_000L;
  private static final long NONE = Long.MIN_VALUE;

  private long firstSentNanos = NONE;
  private long firstAnsweredNanos;
  private long lastRefusedSentNanos;
  private int kind;
  private double paceBefore;
  private boolean rampingBefore;
  /** The longest wait read so far (not rounded), 0 = none. */
  private long longestWaitNanos;

  /** Whether a stretch of {@code kind} is open. */
  boolean open(int kind) {
    return firstSentNanos != NONE && this.kind == kind;
  }

  boolean open() {
    return firstSentNanos != NONE;
  }

  /** Opens a stretch at a refusal sent at {@code sentNanos}, answered at {@code answeredNanos}, at {@code pace}. */
  void start(int kind, long sentNanos, long answeredNanos, double pace, boolean ramping) {
    this.kind = kind;
    firstSentNanos = sentNanos;
    firstAnsweredNanos = answeredNanos;
    lastRefusedSentNanos = sentNanos;
    paceBefore = pace;
    rampingBefore = ramping;
  }

  /** A refusal of a request sent at {@code sentNanos} while the stretch is open: whether it is the stretch's. */
  boolean refused(long sentNanos) {
    if (sentNanos < firstSentNanos) return false;
    lastRefusedSentNanos = Math.max(lastRefusedSentNanos, sentNanos);
    return true;
  }

  /** Whether an admission of a request sent at {@code sentNanos} closes the stretch (it was sent after the answer). */
  boolean endsWith(long sentNanos) {
    return firstSentNanos != NONE && sentNanos > firstAnsweredNanos;
  }

  long firstSentNanos() {
    return firstSentNanos;
  }

  long firstAnsweredNanos() {
    return firstAnsweredNanos;
  }

  /** The pace when the stretch began (restored before the stretch is read as one refusal). */
  double paceBefore() {
    return paceBefore;
  }

  boolean rampingBefore() {
    return rampingBefore;
  }

  /**
   * Closes the stretch at the admission of a request sent at {@code admittedSentNanos}: the wait read from it, from
   * the first refusal's send to the middle between the last refused send and that admission, rounded up to whole
   * seconds (at least 1) as the servers that do send Retry-After round it, so that the learner reads it as it reads
   * theirs.
   */
  long close(long admittedSentNanos) {
    long wait = lastRefusedSentNanos + (admittedSentNanos - lastRefusedSentNanos) / 2 - firstSentNanos;
    longestWaitNanos = Math.max(longestWaitNanos, wait);
    firstSentNanos = NONE;
    return Math.max(1, (wait + SECOND - 1) / SECOND) * SECOND;
  }

  /** The longest wait read so far, not rounded; 0 = none. */
  long longestWaitNanos() {
    return longestWaitNanos;
  }
}
