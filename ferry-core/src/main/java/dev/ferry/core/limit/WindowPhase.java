package dev.ferry.core.limit;

/**
 * Where a fixed window's boundaries fall, read from the rate-limit headers themselves, whatever way the server rounds
 * its reset: within a fixed window {@code remaining} only falls, so an answer whose {@code remaining} jumped back up is
 * the first of a new window, whose boundary came after the previous answer's request was sent (the server counted it
 * no earlier) and no later than this answer came (the server counted this one no later). Later boundaries are that one
 * plus whole windows; each new jump narrows the interval (both shifted onto it must overlap, else the window is not
 * what was thought and the fit starts again from the new jump), and a boundary predicted but not seen (an answer sent
 * after it without a jump since) drops the fit.
 *
 * <p>The fit holds an interval {@code (lo, hi]} of one boundary: {@code hi} is never early (a pause that ends there
 * meets the new window), {@code lo} never late (a budget spent by then is spent within the window). A whole-second
 * reset, rounded up by most servers (the true one up to a second shorter) and down by some, says neither.
 *
 * <p>Pure logic on the timestamps passed in; not threadsafe ({@link QuotaPace} guards it).
 */
final class WindowPhase {
  /** Boundary interval (lo, hi] of the latest jump, narrowed by the earlier ones. */
  private long lo;
  private long hi;
  /** Jumps behind the interval that agreed with each other (0: no fit). */
  private int jumps;
  /** The window the jumps were fitted with. */
  private long windowNanos;
  /** When the latest jump's answer came: later answers are of its window or a later one. */
  private long jumpAnsweredNanos = Long.MIN_VALUE;
  private long prevSentNanos = Long.MIN_VALUE;
  private long prevRemaining = -1;
  /** Time between the requests of the latest answer and of the one before it. */
  private long gapNanos = Long.MAX_VALUE;

  /**
   * The freshest answer so far (sent after every answer passed before): its request sent at {@code sentNanos}, answered
   * at {@code answeredNanos}, with {@code remaining} left of {@code limit} in windows of {@code windowNanos}.
   *
   * @return whether it began a new window (its {@code remaining} jumped back up)
   */
  boolean onAnswer(long sentNanos, long answeredNanos, long remaining, long limit, long windowNanos) {
    boolean jumped = prevRemaining >= 0 && remaining - prevRemaining >= Math.max(2, limit / 10);
    if (jumped) {
      jump(prevSentNanos, answeredNanos, windowNanos);
      jumpAnsweredNanos = answeredNanos;
    } else if (jumps > 0 && sentNanos > hi + this.windowNanos) {
      jumps = 0; // sent after the next boundary, without a jump since: the fit was wrong
    }
    gapNanos = prevSentNanos == Long.MIN_VALUE ? Long.MAX_VALUE : sentNanos - prevSentNanos;
    prevSentNanos = sentNanos;
    prevRemaining = remaining;
    return jumped;
  }

  private void jump(long from, long to, long window) {
    if (jumps > 0 && window == windowNanos && window > 0) {
      long n = Math.round(((double) from + to - lo - hi) / 2 / window);
      long l = Math.max(from, lo + n * window);
      long h = Math.min(to, hi + n * window);
      if (n >= 1 && l < h) {
        lo = l;
        hi = h;
        jumps++;
        return;
      }
    }
    lo = from;
    hi = to;
    windowNanos = window;
    jumps = window > 0 ? 1 : 0;
  }

  /**
   * Whether the boundaries are known for windows of {@code window}: one jump when the server stated the window, two that
   * agree when it was read from the resets (a reset rounded down reads a window a second short, which jumps a window
   * apart do not fit).
   */
  boolean fitted(long window, boolean stated) {
    return jumps >= (stated ? 1 : 2) && window == windowNanos;
  }

  /**
   * The end (an upper bound: never early) of the window an answer speaks of: the first boundary after its request was
   * sent, or after the latest jump's answer when that came later (a request sent after the first answer of a window is
   * counted in it or a later one). Only when {@link #fitted}.
   */
  long windowEnd(long sentNanos) {
    long ref = Math.max(sentNanos, jumpAnsweredNanos);
    return hi + (Math.floorDiv(ref - hi, windowNanos) + 1) * windowNanos;
  }

  /**
   * Time between the request of the latest answer and of the freshest one before it: the requests sent between them
   * were all answered after it (else one of them would have been the freshest).
   */
  long gapNanos() {
    return gapNanos;
  }

  /** How much earlier than {@link #windowEnd} the boundary may be: the interval's width. */
  long uncertainty() {
    return hi - lo;
  }
}
