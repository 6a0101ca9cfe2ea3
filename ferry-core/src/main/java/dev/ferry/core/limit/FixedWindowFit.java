package dev.ferry.core.limit;

import java.util.Arrays;

/**
 * Reads a fixed window's quota from when its refusals came: a target that counts {@code N} requests per aligned
 * window of length {@code W} admits exactly {@code N} from the window's start to its first refusal, and nothing after
 * it in that window. Given the send times of the admitted requests and of the refusals, a window phase under which
 * every window holding a refusal admitted the same count before it (within 2 %), nothing after it, and no window
 * without a refusal admitted more, says the target counts that way, and the count is {@code N}: exact, whatever the
 * phase and however unevenly the requests came, where a rate read over an unaligned span is off by up to a window's
 * share. Phases a request or two from the true one fit as well, so the answer is the least and the most count of the
 * phases that fit best; they agree when within 10 % (when the paces at the windows' starts were alike, a range of
 * phases fits). A sliding log never fits above its limit (a part of its window admitted no more than all of it); a
 * token bucket's or a GCRA's refusals mostly fit no phase (what they admit before a refusal depends on what came before
 * the window): then there is no answer.
 *
 * <p>At least two refusals in different windows are needed: one alone fits any phase (with a count from nothing to
 * all that was admitted over a window before it). The search tries a window start at each admission in the window
 * before each refusal (where the counts change; every few beyond a thousand), each checked against every window from
 * the earliest admission kept to the last refused one in O(log history) each: a few milliseconds, on a refusal only.
 * The windows before the first refusal count too: a sliding log of 10 s that ran out late in a ramp answers a Retry-After
 * of a second or two, and fitted with windows that short, the windows it refused just after each pause (it still held
 * the ramp's admissions) once agreed on a count a tenth of its limit, which only the ramp's windows, admitting far more
 * unrefused, rule out.
 *
 * <p>Pure logic on the send times the caller passes in; not threadsafe (the {@link RateLearner} holding it guards it).
 */
final class FixedWindowFit {
  /** Most admissions kept (13 s at 5,000/s); the oldest go first. */
  private static final int CAPACITY = 1 << 16;
  /** Most phases tried in the window before each refusal (a request's send time each, a phase every few beyond). */
  private static final int CANDIDATES = 1000;
  /** Most refusals fitted at once: the latest. */
  private static final int REFUSALS = 4;
  /** The best-fitting phases agree when their counts are this close (else their paces at the windows' starts were alike). */
  private static final double SPREAD = 1.1;

  /** Admitted send times, ascending, in {@code admitted[lo, hi)}. */
  private long[] admitted = new long[1024];
  private int lo;
  private int hi;
  /** The latest send time forgotten to make room; Long.MIN_VALUE while all are kept. */
  private long forgotten = Long.MIN_VALUE;
  /** Refused send times (the first of each refused stretch), ascending; the latest {@link #REFUSALS}. */
  private final long[] refused = new long[REFUSALS];
  private int refusals;

  /** A request sent at {@code sentNanos} was admitted (reported in about the order sent). */
  void admitted(long sentNanos) {
    if (hi == admitted.length) makeRoom();
    int i = hi++;
    while (i > lo && admitted[i - 1] > sentNanos) {
      admitted[i] = admitted[i - 1];
      i--;
    }
    admitted[i] = sentNanos;
  }

  /** A request sent at {@code sentNanos} was refused: the first of a refused stretch. */
  void refused(long sentNanos) {
    if (refusals == REFUSALS) {
      System.arraycopy(refused, 1, refused, 0, REFUSALS - 1);
      refusals--;
    }
    int i = refusals++;
    while (i > 0 && refused[i - 1] > sentNanos) {
      refused[i] = refused[i - 1];
      i--;
    }
    refused[i] = sentNanos;
  }

  private void makeRoom() {
    int size = hi - lo;
    if (size >= CAPACITY) {
      lo += size / 4; // forget the oldest quarter
      forgotten = admitted[lo - 1];
      size = hi - lo;
    }
    long[] into = size * 2 > admitted.length && admitted.length < CAPACITY ? new long[admitted.length * 2] : admitted;
    System.arraycopy(admitted, lo, into, 0, size);
    admitted = into;
    lo = 0;
    hi = size;
  }

  /**
   * The least and the most requests a window of {@code windowNanos} admits under the phases that fit the admissions and
   * refusals so far best (see the class comment); {@code least == most} but for the tolerance when one count fits.
   */
  record Counts(long least, long most) {
    /** Whether the phases that fit agree on the count (within {@link #SPREAD}). */
    boolean agree() {
      return most <= least * SPREAD + 1;
    }
  }

  /** The counts of the phases that fit fixed windows of {@code windowNanos} best; null when none fits. */
  Counts perWindow(long windowNanos) {
    if (hi == lo) return null;
    int first = 0;
    while (first < refusals && refused[first] - windowNanos <= forgotten) first++;
    if (refusals - first < 2) return null;
    // The phases that fit best (the least spread between the refused windows' counts): the true one fits exactly but for
    // a request or two; others fit within the tolerance only near it, or all alike when nothing tells them apart.
    long bestSpread = Long.MAX_VALUE;
    long least = Long.MAX_VALUE;
    long most = 0;
    for (int r = first; r < refusals; r++) {
      int from = ceiling(refused[r] - windowNanos);
      int to = ceiling(refused[r]);
      // At most CANDIDATES phases a window: beyond, neighbours move the counts by less than the tolerance.
      int stride = Math.max(1, (to - from) / CANDIDATES);
      for (int i = from; i < to; i += stride) {
        long fit = fit(Math.floorMod(admitted[i], windowNanos), windowNanos, first);
        if (fit == NO_FIT) continue;
        long count = fit >>> 32;
        long spread = fit & 0xffffffffL;
        if (spread < bestSpread) {
          bestSpread = spread;
          least = count;
          most = count;
        } else if (spread == bestSpread) {
          least = Math.min(least, count);
          most = Math.max(most, count);
        }
      }
    }
    return most == 0 ? null : new Counts(least, most);
  }

  private static final long NO_FIT = -1;

  /**
   * For windows starting at {@code phase} (mod the window): the least count a window holding a refusal admitted before
   * it (high 32 bits) and how much more the others admitted (low 32 bits); {@link #NO_FIT} when they differ by more than
   * the tolerance, one admitted after its refusal, or a window without a refusal admitted more.
   */
  private long fit(long phase, long windowNanos, int first) {
    long least = Long.MAX_VALUE;
    long most = 0;
    long lastStart = Long.MIN_VALUE;
    long firstStart = Long.MIN_VALUE;
    for (int r = first; r < refusals; r++) {
      long c = refused[r];
      long start = c - Math.floorMod(c - phase, windowNanos);
      if (start == lastStart) continue; // a later refusal of the same window: the first one counts
      if (firstStart == Long.MIN_VALUE) firstStart = start;
      lastStart = start;
      long before = ceiling(c) - ceiling(start);
      long after = ceiling(start + windowNanos) - ceiling(c + 1);
      least = Math.min(least, before);
      most = Math.max(most, before);
      if (after > tolerance(before)) return NO_FIT;
    }
    if (least == 0 || firstStart == lastStart || most - least > tolerance(least)) return NO_FIT;
    // Every window that refused nothing admitted at most as much, the ones before the first refusal included (a window
    // admitted its quota at most, whatever came before): from the earliest admission kept to the last refused window.
    long earliest = admitted[lo] - Math.floorMod(admitted[lo] - phase, windowNanos);
    for (long start = earliest; start < lastStart; start += windowNanos) {
      if (ceiling(start + windowNanos) - ceiling(start) > least + tolerance(least) && !refusedIn(start, windowNanos)) {
        return NO_FIT;
      }
    }
    return least << 32 | (most - least);
  }

  private boolean refusedIn(long start, long windowNanos) {
    for (int r = 0; r < refusals; r++) if (refused[r] >= start && refused[r] < start + windowNanos) return true;
    return false;
  }

  /**
   * None of a few, 2 % of many (at least 25): requests sent near a window's start or a refusal reach the target in
   * another order, or late (a stall of the client between reading the clock and sending).
   */
  private static long tolerance(long count) {
    return Math.round(count * 0.02);
  }

  /** Index of the first admission sent at or after {@code t}. */
  private int ceiling(long t) {
    int i = Arrays.binarySearch(admitted, lo, hi, t);
    if (i < 0) return -i - 1;
    while (i > lo && admitted[i - 1] == t) i--;
    return i;
  }
}
