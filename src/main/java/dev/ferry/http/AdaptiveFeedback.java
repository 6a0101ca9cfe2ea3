package dev.ferry.http;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.RateLimiter;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Turns HTTP attempts into the samples adaptive limits learn from (the Netflix mapping of outcomes):
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
 * A pace the learner proposes is applied to the shared {@link RateLimiter} at once.
 *
 * <p>Threadsafe: the limiter, the learner and the rate limiter are.
 */
public final class AdaptiveFeedback implements AttemptListener {
  private final ConcurrencyLimiter concurrency;
  private final RateLimiter pacer;
  private final RateLearner learner;
  private final IntSupplier requestsInFlight;

  /**
   * @param concurrency      the job's concurrency limiter, or null when concurrency is fixed
   * @param pacer            the target's rate limiter
   * @param learner          learns the pace when no rate limit was given, or null
   * @param requestsInFlight requests sent and not yet answered (not counting the one being reported)
   */
  public AdaptiveFeedback(ConcurrencyLimiter concurrency, RateLimiter pacer, RateLearner learner,
      IntSupplier requestsInFlight) {
    this.concurrency = concurrency;
    this.requestsInFlight = Objects.requireNonNull(requestsInFlight, "requestsInFlight cannot be null");
    this.pacer = Objects.requireNonNull(pacer, "pacer cannot be null");
    this.learner = learner;
    if (learner != null) pacer.setRate(learner.rate());
  }

  @Override
  public void onAttempt(Attempt a) {
    int s = a.status();
    boolean throttled = s == 429;
    boolean overloaded = s == 0 || s == 408 || s == 503 || s == 504;
    boolean definite = s > 0 && s < 500 && !throttled && s != 408 && s != 401 && s != 403;
    if (concurrency != null && (definite || throttled || overloaded)) {
      concurrency.onSample(a.sentNanos(), a.answeredNanos() - a.sentNanos(), requestsInFlight.getAsInt() + 1,
          !definite);
    }
    if (learner == null) return;
    double rate;
    if (throttled) {
      rate = learner.onThrottled(a.sentNanos(), a.answeredNanos(), a.retryAfterNanos(), a.write());
    } else if (s > 0 && s != 401 && s != 403) {
      rate = learner.onAdmitted(a.sentNanos(), a.answeredNanos(), a.waitedForPermit(), a.write());
    } else {
      return;
    }
    if (rate != pacer.rate()) pacer.setRate(rate);
  }

  /** The pace learned from 429s, per second; NaN when nothing was learned (no learner, or no 429 yet). */
  public double learnedRate() {
    return learner == null || learner.ramping() ? Double.NaN : learner.rate();
  }
}
