package dev.ferry.core.limit;

/**
 * The pace a target's rate-limit headers call for: the long-run rate they state, and the remaining budget as a
 * brake, so that a target that says what it allows is reached without a single 429 once the first answers came.
 *
 * <p><b>Rate.</b> The rate is {@code limit / window}, paced at {@code headroom} of it. The window is the one the
 * headers state (the IETF policy's {@code w}); otherwise the longest reset seen, which every convention's
 * "time until the quota is restored" reaches: a fixed window's reset right after it began, a sliding log's (its
 * newest admission plus the window) at any time, a token bucket's time to refill when it ran dry. Until the
 * longest reset is seen the rate is over-estimated, and the remaining budget brakes: pacing evenly at this rate
 * never puts more than the limit in any window, whichever way the server counts.
 *
 * <p><b>Budget.</b> {@code remaining} minus the requests sent after the answered one (which the answer could not
 * count yet) is what is left until the reset. When it is spent, no request leaves before the quota comes back:
 * at a <em>fixed window</em> (the reset instant stays put for 2 s, in a window of 3 s or more) until
 * the reset; otherwise for as long as the server needs at this rate to free the slots of the requests already
 * sent. At a fixed window the pace is {@code left / time to the reset} (at most twice the rate), without the
 * headroom: the budget lasts to the window's end even when the first answers came late, and what an earlier
 * stretch left unused is spent instead of lost. Once the boundaries are fitted from where {@code remaining} jumped back
 * up ({@link WindowPhase}; the window counts as fixed from then on), the time to the reset is the fitted one, not the
 * stated one (whole seconds rounded up from anywhere in the second below, or down): {@code left} is paced to the
 * earliest the window may end, and a spent window waits to the latest.
 *
 * <p><b>Ring.</b> Outside a fixed window each {@link Step} also states the budget, {@code limit} in the window, for the
 * pacer to keep in any window of the client's clock ({@link RateLimiter#limitWindow}), and how much later than the
 * quickest the target counted the answered request: its round trip beyond the shortest one ({@link
 * RateLimiter#countedLate}). A stall of either host makes the server count requests late, so they leave its window
 * late, and the requests sent a window after them must wait as much (with {@code remaining} and the pace alone, a stall
 * of 30 ms against 120 per 2 s was a 429). With that ring the pace keeps a third of the headroom (99.5 % for 98.5 %),
 * for what neither the round trips nor the limiter's late wake-ups show.
 *
 * <p><b>Share.</b> The processes of a distributed job read one quota: each answer's {@code remaining} is what all of
 * them have left. A process that knows it is one of {@code processes} paces its share of it: the rate, the ring's
 * budget and the remaining budget are divided by that count (its own requests sent after the answered one are then
 * taken from its share), so that together they spend the quota once, not once each.
 *
 * <p><b>Refusals.</b> A 429 that comes anyway, outside a fixed window (whose remaining budget and pauses govern), says
 * that arrivals bunched beyond what the budget tolerates: a token bucket of one token (a strict GCRA) tolerates no
 * bunching at all, so a pace of 99.5 % of its rate was refused every second or so and each refusal paused every caller
 * for a whole-second Retry-After (4–9 % of the rate in virtual time with 1–5 ms of arrival jitter). Each refusal of a
 * request sent after the last trim, and after the cold start (the first window after the first answer that stated a
 * rate), lowers a trim factor on the stated pace by {@code 5 %} (down to half of it); each
 * {@code 5 s} without a refusal raises it {@code 1 %} back towards 1, so a pace that is refused only now and then
 * settles where a refusal comes about every half minute ({@link #onRefused}). Invariant: {@code 0.5 <= trim <= 1}, and
 * it moves only at a refusal sent after the last trim (the requests in flight then count once) or a quiet 5 s.
 *
 * <p>Reads and writes are kept apart (APIs count them apart); the pace is the lower of the two known rates.
 * Answers older than the freshest one seen say nothing about the remaining budget (the server answered
 * requests sent later already), but still show the limit and window.
 *
 * <p>Pure logic on the timestamps the caller passes in. Threadsafe: every method is synchronized and O(1).
 */
public final class QuotaPace {
  private static final long SECOND = 1_000_000_000L;
  /** A fixed window's reset instant stays within this from answer to answer (resets in whole seconds). */
  private static final long SAME_RESET_NANOS = 1_100_000_000L;

  /**
   * What to do after an answer: the pace, a pause for every caller, the budget no span of {@code budgetWindowNanos}
   * of the client's clock may exceed ({@link RateLimiter#limitWindow}; 0 permits: none), and how much later than the
   * quickest the target counted the answered request ({@link RateLimiter#countedLate}).
   */
  public record Step(double pace, long pauseNanos, int budgetPermits, long budgetWindowNanos, long countedLateNanos) {
    /** Nothing known: keep what the pacer does. */
    public static final Step NONE = new Step(Double.NaN, 0);

    public Step(double pace, long pauseNanos) {
      this(pace, pauseNanos, 0, 0, 0);
    }
  }

  /** Budgets above this many permits are not kept in a ring (the pace alone keeps them). */
  static final int MAX_BUDGET_PERMITS = 100_000;

  /** A refusal outside a fixed window lowers the trim by this factor, down to MIN_TRIM. */
  private static final double TRIM_STEP = 0.95;
  private static final double MIN_TRIM = 0.5;
  /** Each quiet stretch this long raises the trim by TRIM_RECOVERY, up to 1. */
  private static final long TRIM_QUIET_NANOS = 5 * SECOND;
  private static final double TRIM_RECOVERY = 1.01;

  private final double headroom;
  /** @GuardedBy("this") share of the stated pace kept after refusals (see the class comment, "Refusals") */
  private double trim = 1;
  /** @GuardedBy("this") when the answer of the last refusal that lowered the trim came; Long.MIN_VALUE before one */
  private long trimmedNanos = Long.MIN_VALUE;
  /** @GuardedBy("this") when the trim last moved (lowered, or raised by a quiet stretch) */
  private long trimMovedNanos = Long.MIN_VALUE;
  /**
   * @GuardedBy("this") a window (at least a round trip) after the first answer with a known rate came: the cold start,
   * when callers left at the slots of the pace before it and the window was not known yet (a fixed window's refusal
   * near the end of the first window is the budget's business)
   */
  private long pacedSinceNanos = Long.MAX_VALUE;
  /** @GuardedBy("this") [reads, writes] */
  private final Kind[] kinds = {new Kind(), new Kind()};
  /** @GuardedBy("this") the shortest round trip seen */
  private long minRttNanos = Long.MAX_VALUE;

  /** @param headroom share of the stated rate to pace at, in (0, 1] */
  public QuotaPace(double headroom) {
    if (!(headroom > 0 && headroom <= 1)) throw new IllegalArgumentException("headroom must be in (0, 1]");
    this.headroom = headroom;
  }

  /**
   * An answer to a request sent at {@code sentNanos}, received at {@code answeredNanos}, carried {@code quota}.
   *
   * @param write     a write (counted apart from reads)
   * @param sentAfter requests sent after this one before its answer came (the answer cannot count them)
   * @return the pace (NaN while nothing is known) and a pause the caller should apply to every request
   */
  public Step onQuota(long sentNanos, long answeredNanos, Quota quota, boolean write, long sentAfter) {
    return onQuota(sentNanos, answeredNanos, quota, write, sentAfter, 1);
  }

  /**
   * As {@link #onQuota(long, long, Quota, boolean, long)} for one of {@code processes} that share the quota (a
   * distributed job): the pace, the ring's budget and the budget left are this process's share of the quota's.
   *
   * @param processes the live processes of the job, this one included (at least 1)
   * @throws IllegalArgumentException when {@code processes} is below 1
   */
  public synchronized Step onQuota(long sentNanos, long answeredNanos, Quota quota, boolean write, long sentAfter,
      int processes) {
    if (processes < 1) throw new IllegalArgumentException("processes must be >= 1");
    double share = 1.0 / processes;
    Kind k = kinds[write ? 1 : 0];
    if (quota.limit() > 0) k.limit = Math.max(k.limit, quota.limit());
    k.limit = Math.max(k.limit, quota.remaining() + 1);
    if (quota.windowNanos() > 0) {
      k.windowNanos = quota.windowNanos();
      k.windowStated = true;
    } else if (!k.windowStated && quota.resetNanos() > 0) {
      // The server measured the reset when it counted the request, up to a round trip before the answer came: a
      // precise reset (OpenAI's durations, an epoch reset read now) may be that much shorter than the window; a
      // reset in whole seconds was rounded up already.
      boolean wholeSeconds = quota.resetNanos() % SECOND == 0;
      long window = quota.resetNanos() + (wholeSeconds ? 0 : Math.max(0, answeredNanos - sentNanos));
      k.windowNanos = Math.max(k.windowNanos, Math.max(window, SECOND / 10));
    }
    // A request's round trip beyond the shortest is how late the server may have counted it (a stall of either host
    // delays its count and so the moment it leaves the server's window): the request a window after it waits as much.
    long rtt = Math.max(0, answeredNanos - sentNanos);
    minRttNanos = Math.min(minRttNanos, rtt);
    long excess = rtt - minRttNanos;
    long pause = 0;
    if (sentNanos >= k.freshestSentNanos && quota.resetNanos() >= 0) {
      k.freshestSentNanos = sentNanos;
      long resetAt = answeredNanos + quota.resetNanos();
      if (k.resetAt == Long.MIN_VALUE || Math.abs(resetAt - k.resetAt) > SAME_RESET_NANOS) {
        k.resetAt = resetAt;
        k.resetSeenSince = answeredNanos;
      }
      boolean jumped = k.phase.onAnswer(sentNanos, answeredNanos, quota.remaining(), k.limit, k.windowNanos);
      boolean fitted = k.phase.fitted(k.windowNanos, k.windowStated) && k.windowNanos >= 3 * SECOND;
      // A reset instant that stayed put for 2 s (a continuous count's drifts by a second a second) in a window
      // long enough for whole-second resets to tell, or boundaries seen where remaining jumped back up: a fixed window.
      k.fixed = fitted || answeredNanos - k.resetSeenSince > 2 * SECOND && k.windowNanos >= 3 * SECOND
          && quota.resetNanos() > 0;
      // this process's share of what the job has left, less its own requests the answer did not count yet
      double left = quota.remaining() * share - Math.max(0, sentAfter);
      k.budgetPace = Double.POSITIVE_INFINITY;
      if (fitted) {
        // The fitted boundary, not the stated reset (a whole second rounded up from anywhere in the second below):
        // the budget is spent by the earliest the window may end, and a spent one waits to the latest.
        long end = k.phase.windowEnd(jumped ? answeredNanos : sentNanos);
        long earliest = end - k.phase.uncertainty();
        if (end <= answeredNanos) {
          // that window is over: what it had left says nothing of the next one; the rate paces until an answer does
        } else if (left <= 0) {
          // Spent: wait for the latest the boundary may be. Unless this request may have been counted after it, and
          // the window after was spent unseen since the answer before (no jump): nearly its whole budget sent between
          // the two requests, which at no more than twice the rate takes nearly half a window. Then the stated reset.
          boolean sure = answeredNanos <= earliest || k.phase.gapNanos() < k.windowNanos / 4;
          pause = sure ? end - answeredNanos : Math.max(end - answeredNanos, quota.resetNanos());
        } else {
          k.budgetPace = left * 1e9 / (earliest > answeredNanos ? earliest - answeredNanos : end - answeredNanos);
        }
      } else if (k.fixed && left <= 0) {
        pause = quota.resetNanos();
      } else if (quota.remaining() == 0 && k.rate() > 0 && k.windowNanos >= 2 * SECOND) {
        // Spent as the server counted this one: arrivals bunched (a stall of either host). Hold every caller for
        // one slot of the rate (the job's, not this process's share: the server frees a slot that often, whichever
        // process takes it). Not in windows under 2 s, where the last slot of a window is spent every window at
        // this pace and holding the queued callers would cost more than the rare 429 it avoids.
        pause = Math.min(quota.resetNanos(), (long) (1e9 / k.rate()));
      } else if (k.fixed) {
        k.budgetPace = left * 1e9 / quota.resetNanos();
      }
    }
    recover(answeredNanos);
    Step step = step(share, pause, excess);
    if (!Double.isNaN(step.pace()) && pacedSinceNanos == Long.MAX_VALUE) {
      pacedSinceNanos = answeredNanos + Math.max(rtt, k.windowNanos);
    }
    return step;
  }

  /**
   * The pace of the kinds known (the lower), the pause, and the governing kind's budget for the ring when it keeps one.
   * @GuardedBy("this")
   */
  private Step step(double share, long pause, long excess) {
    double pace = Double.NaN;
    Kind governing = null;
    for (Kind kind : kinds) {
      double r = kind.rate() * share;
      if (r > 0) {
        // At a fixed window the budget governs: what is left, spread to the reset, which is never early (a reset in
        // whole seconds is rounded up), so it needs no headroom and spends what an earlier stretch left unused.
        // Elsewhere a ring keeps the stated budget in any window of the client's clock, widened by the late counts
        // (the headroom's first job: arrivals that bunch after a stall); a third of the headroom is left, for what
        // neither the round trips nor the limiter's late wake-ups show.
        double p = kind.fixed && Double.isFinite(kind.budgetPace) ? Math.min(kind.budgetPace, 2 * r)
            : Math.min(r * (kind.ring() ? 1 - (1 - headroom) / 3 : headroom), kind.budgetPace) * trim;
        if (Double.isNaN(pace) || p < pace) governing = kind;
        pace = Double.isNaN(pace) ? p : Math.min(pace, p);
      }
    }
    if (governing == null || !governing.ring()) return new Step(pace, pause);
    int budget = (int) Math.max(1, Math.floor(governing.limit * share));
    return new Step(pace, pause, budget, governing.windowNanos, excess);
  }

  /**
   * The answer to the request sent at {@code sentNanos}, received at {@code answeredNanos} and passed to {@link #onQuota}
   * first, was a 429: outside a fixed window, a refusal of a request sent after the last trim, and after the cold start
   * (a window, at least a round trip, after the first answer that stated a rate), lowers the trim (see the class
   * comment, "Refusals").
   *
   * @param processes the live processes of the job, as for {@link #onQuota(long, long, Quota, boolean, long, int)}
   * @return the lower pace (and the ring's budget, with no pause) when the trim moved, else {@link Step#NONE}
   */
  public synchronized Step onRefused(long sentNanos, long answeredNanos, boolean write, int processes) {
    if (processes < 1) throw new IllegalArgumentException("processes must be >= 1");
    if (kinds[write ? 1 : 0].fixed || sentNanos <= trimmedNanos || sentNanos < pacedSinceNanos) return Step.NONE;
    trim = Math.max(MIN_TRIM, trim * TRIM_STEP);
    trimmedNanos = answeredNanos;
    trimMovedNanos = answeredNanos;
    return step(1.0 / processes, 0, 0);
  }

  /** Raises the trim once for each quiet stretch since it last moved. @GuardedBy("this") */
  private void recover(long nowNanos) {
    if (trim >= 1) return;
    while (nowNanos - trimMovedNanos >= TRIM_QUIET_NANOS && trim < 1) {
      trim = Math.min(1, trim * TRIM_RECOVERY);
      trimMovedNanos += TRIM_QUIET_NANOS;
    }
  }

  /** The stated long-run rate of writes (of reads when no write was answered); NaN when none is known. */
  public synchronized double statedRate() {
    double r = kinds[1].rate() > 0 ? kinds[1].rate() : kinds[0].rate();
    return r > 0 ? r : Double.NaN;
  }

  /** One kind of request's view of its quota. @GuardedBy("QuotaPace.this") */
  private static final class Kind {
    long limit;
    long windowNanos;
    boolean windowStated;
    long freshestSentNanos = Long.MIN_VALUE;
    long resetAt = Long.MIN_VALUE;
    long resetSeenSince;
    boolean fixed;
    double budgetPace = Double.POSITIVE_INFINITY;
    final WindowPhase phase = new WindowPhase();

    double rate() {
      return limit > 0 && windowNanos > 0 ? limit * 1e9 / windowNanos : 0;
    }

    /** Whether a ring of grants keeps this budget (not at a fixed window, whose remaining budget governs). */
    boolean ring() {
      return !fixed && limit <= MAX_BUDGET_PERMITS;
    }
  }

  @Override
  public synchronized String toString() {
    return "QuotaPace[writes " + kinds[1].limit + " per " + kinds[1].windowNanos / 1e9 + " s, reads " + kinds[0].limit
        + " per " + kinds[0].windowNanos / 1e9 + " s]";
  }
}
