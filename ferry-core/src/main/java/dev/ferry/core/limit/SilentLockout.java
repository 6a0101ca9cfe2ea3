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
  /** The longest wait read so far (not rounded), 0 = none. */
  private long longestWaitNanos;
  /** Where the last {@link #ENDS} lockouts ended: after {@code endFrom[i]}, no later than {@code endTo[i]}. */
  private final long[] endFrom = new long[ENDS];
  private final long[] endTo = new long[ENDS];
  private int ends;
  private static final int ENDS = 4;

  /** Whether a stretch of {@code kind} is open. */
  boolean open(int kind) {
    return firstSentNanos != NONE && this.kind == kind;
  }

  boolean open() {
    return firstSentNanos != NONE;
  }

  /** Opens a stretch at a refusal sent at {@code sentNanos}, answered at {@code answeredNanos}, at {@code pace}. */
  void start(int kind, long sentNanos, long answeredNanos, double pace) {
    this.kind = kind;
    firstSentNanos = sentNanos;
    firstAnsweredNanos = answeredNanos;
    lastRefusedSentNanos = sentNanos;
    paceBefore = pace;
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

  /**
   * Closes the stretch at the admission of a request sent at {@code admittedSentNanos}: the wait read from it, from
   * the first refusal's send to the middle between the last refused send and that admission, rounded up to whole
   * seconds (at least 1) as the servers that do send Retry-After round it, so that the learner reads it as it reads
   * theirs.
   */
  long close(long admittedSentNanos) {
    long wait = lastRefusedSentNanos + (admittedSentNanos - lastRefusedSentNanos) / 2 - firstSentNanos;
    longestWaitNanos = Math.max(longestWaitNanos, wait);
    if (ends == ENDS) {
      System.arraycopy(endFrom, 1, endFrom, 0, ENDS - 1);
      System.arraycopy(endTo, 1, endTo, 0, ENDS - 1);
      ends--;
    }
    endFrom[ends] = lastRefusedSentNanos;
    endTo[ends++] = admittedSentNanos;
    firstSentNanos = NONE;
    return Math.max(1, (wait + SECOND - 1) / SECOND) * SECOND;
  }

  /**
   * Whether the last lockouts (three at least) could all have ended at boundaries of fixed windows of {@code windowNanos}
   * under one phase: a fixed window takes requests again exactly when its next window begins, so each lockout's end
   * interval holds a boundary. Windows of 1 s fit any lockouts that windows of 2 s fit; ones of 1 s refused in
   * consecutive windows (a pace above the quota is refused in every window) fit no windows of 2 s.
   */
  boolean endsFit(long windowNanos) {
    if (ends < 3) return false;
    // The intervals' common part, when there is one, ends where one of them ends.
    for (int j = 0; j < ends; j++) {
      long phase = Math.floorMod(endTo[j], windowNanos);
      boolean all = true;
      for (int i = 0; i < ends && all; i++) {
        long width = endTo[i] - endFrom[i];
        long into = Math.floorMod(phase - endFrom[i], windowNanos);
        all = width >= windowNanos || (into > 0 && into <= width);
      }
      if (all) return true;
    }
    return false;
  }

  /** The longest wait read so far, not rounded; 0 = none. */
  long longestWaitNanos() {
    return longestWaitNanos;
  }
}
