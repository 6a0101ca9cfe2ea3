package dev.ferry.http;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.QuotaPace;
import dev.ferry.core.limit.RateLimiter;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Turns HTTP attempts into the samples adaptive limits learn from (the Netflix mapping of outcomes, on
 * {@link ResponseClass}):
 * <ul>
 *   <li><b>success</b>: any definite answer (2xx, and 4xx other than 408 and 429: the target did the work)
 *       is a latency sample for the concurrency limit, and an admission for the rate learner. The sample
 *       is the target's own time (from sending to the answer) with the requests then in flight at the
 *       target as its in-flight count: a row waiting for our pacer is not load on the target, so when the
 *       pace is the bottleneck the limit sees itself under-used and stops growing, instead of reading our
 *       own queue as the target's latency;</li>
 *   <li><b>dropped</b>: 429, 503, 504, 408, a timeout or a connection error are congestion signals (the
 *       limit is cut); a 429 also tells the rate learner the target's limit was reached;</li>
 *   <li><b>ignored</b>: 401/403 (the job stops anyway) and other 5xx, which say nothing about load.</li>
 * </ul>
 * A pace the learner proposes is applied to the shared {@link RateLimiter} at once. When the target sends
 * rate-limit headers, a {@link QuotaPace} reads the pace from them instead (and pauses every caller when the
 * budget is spent before the reset, and has the limiter keep the stated budget in any window of its clock); the 429
 * learner then stands by. A 403 with a spent quota is a 429. In a distributed job the processes read one quota, and
 * each paces its share of it (the count of live processes, read at each answer).
 *
 * <p>Threadsafe: the limiter, the learner and the rate limiter are.
 */
public final class AdaptiveFeedback implements AttemptListener {
  private final ConcurrencyLimiter concurrency;
  private final RateLimiter pacer;
  private final RateLearner learner;
  private final QuotaPace quotas;
  private final IntSupplier requestsInFlight;
  /** The live processes of the job that share the target's quota (1 unless distributed). */
  private final IntSupplier processes;
  /** Set once an answer carried rate-limit headers: from then on they govern the pace, not the learner. */
  private volatile boolean headersSeen;

  /**
   * @param concurrency      the job's concurrency limiter, or null when concurrency is fixed
   * @param pacer            the target's rate limiter
   * @param learner          learns the pace from 429s when no rate limit was given, or null
   * @param requestsInFlight requests sent and not yet answered (not counting the one being reported)
   */
  public AdaptiveFeedback(ConcurrencyLimiter concurrency, RateLimiter pacer, RateLearner learner,
      IntSupplier requestsInFlight) {
    this(concurrency, pacer, learner, null, requestsInFlight);
  }

  /**
   * @param quotas reads the pace from the target's rate-limit headers when it sends them (then the learner
   *               stands by), or null to ignore them
   */
  public AdaptiveFeedback(ConcurrencyLimiter concurrency, RateLimiter pacer, RateLearner learner, QuotaPace quotas,
      IntSupplier requestsInFlight) {
    this(concurrency, pacer, learner, quotas, requestsInFlight, () -> 1);
  }

  /**
   * @param processes the live processes of a distributed job, this one included, read at each answer with headers:
   *                  the pace they state is shared between them ({@link QuotaPace#onQuota(long, long,
   *                  dev.ferry.core.limit.Quota, boolean, long, int)}); {@code () -> 1} for a process alone
   */
  public AdaptiveFeedback(ConcurrencyLimiter concurrency, RateLimiter pacer, RateLearner learner, QuotaPace quotas,
      IntSupplier requestsInFlight, IntSupplier processes) {
    this.processes = Objects.requireNonNull(processes, "processes cannot be null");
    this.concurrency = concurrency;
    this.requestsInFlight = Objects.requireNonNull(requestsInFlight, "requestsInFlight cannot be null");
    this.pacer = Objects.requireNonNull(pacer, "pacer cannot be null");
    this.learner = learner;
    this.quotas = quotas;
    if (learner != null) pacer.setRate(learner.rate());
  }

  @Override
  public void onAttempt(Attempt a) {
    ResponseClass c = a.outcome();
    boolean definite = c == ResponseClass.FINAL;
    boolean dropped = c == ResponseClass.THROTTLED || c == ResponseClass.OVERLOADED;
    if (concurrency != null && (definite || dropped)) {
      concurrency.onSample(a.sentNanos(), a.answeredNanos() - a.sentNanos(), requestsInFlight.getAsInt() + 1,
          !definite);
    }
    if (quotas != null && a.quota() != null) {
      headersSeen = true;
      QuotaPace.Step step = quotas.onQuota(a.sentNanos(), a.answeredNanos(), a.quota(), a.write(), a.sentAfter(),
          Math.max(1, processes.getAsInt()));
      if (!Double.isNaN(step.pace()) && step.pace() != pacer.rate()) pacer.setRate(step.pace());
      if (step.pauseNanos() > 0) pacer.pauseFor(Duration.ofNanos(step.pauseNanos()));
      if (step.budgetPermits() > 0) {
        pacer.limitWindow(step.budgetPermits(), Duration.ofNanos(step.budgetWindowNanos()));
        pacer.countedLate(a.sentNanos(), step.countedLateNanos());
      }
      return;
    }
    if (learner == null || headersSeen) return;
    double rate;
    if (c == ResponseClass.THROTTLED) {
      rate = learner.onThrottled(a.sentNanos(), a.answeredNanos(), a.retryAfterNanos(), a.write());
    } else if (c.admitted() && a.status() > 0) {
      rate = learner.onAdmitted(a.sentNanos(), a.answeredNanos(), a.waitedForPermit(), a.write());
    } else {
      return;
    }
    if (rate != pacer.rate()) pacer.setRate(rate);
  }

  /** True once the target's rate-limit headers govern the pace. */
  public boolean fromHeaders() {
    return headersSeen;
  }

  /**
   * The pace learned (from rate-limit headers, or from 429s), per second; NaN when nothing was learned (no
   * learner, still ramping, or no 429 yet where none was expected).
   */
  public double learnedRate() {
    if (headersSeen) return pacer.rate();
    return learner == null || learner.ramping() || Double.isInfinite(learner.rate()) ? Double.NaN : learner.rate();
  }
}
