package dev.ferry.http;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.QuotaPace;
import dev.ferry.core.limit.ReadWriteLimiter;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Turns HTTP attempts into the samples adaptive limits learn from (the Netflix mapping of outcomes, on
 * {@link ResponseClass}):
 * <ul>
 *   <li><b>success</b>: any definite answer (2xx, and 4xx other than 408 and 429: the target did the work)
 *       is a latency sample for the concurrency limit, and an admission for the rate learner. The sample
 *       is the target's own time (from sending to the answer) with the requests then in flight at the
 *       target as its in-flight count: a row waiting for our pacer is not load on the target, so when the
 *       pace is the bottleneck the limit sees itself under-used and stops growing, instead of reading our
 *       own queue as the target's latency. The limit bounds rows, so an answer to a call that carried N rows
 *       (a batch call, {@link ApiCall#rows}) is N samples, and the in-flight count is then the rows of the
 *       target's calls in flight;</li>
 *   <li><b>dropped</b>: 429, 503, 504, 408, a timeout or a connection error are congestion signals (the
 *       limit is cut); a 429 also tells the rate learner the target's limit was reached;</li>
 *   <li><b>ignored</b>: 401/403 (the job stops anyway) and other 5xx, which say nothing about load.</li>
 * </ul>
 * Reads and writes are learned apart, each kind by a learner of its own that sees only that kind's attempts and paces
 * only that kind ({@link ReadWriteLimiter}): a target that limits its writes (as most state) does not hold back the
 * reads of a job that sends both, and one that counts both together refuses both, each kind then finding its share.
 * When the target sends rate-limit headers, a {@link QuotaPace} reads the pace from them instead, for the whole target
 * (and pauses every caller when the budget is spent before the reset, and has the limiter keep the stated budget in
 * any window of its clock, and trims that pace when a 429 comes anyway, {@link QuotaPace#onRefused}); the learners then
 * stand by and their paces are lifted. A 403 with a spent quota is a 429.
 * In a distributed job the processes read one quota, and each paces its share of it (the count of live processes,
 * read at each answer).
 *
 * <p>Threadsafe: the limiters and the learners are; {@code headersSeen} only ever turns true.
 */
public final class AdaptiveFeedback implements AttemptListener {
  /** Where the samples go: the target's own source of the job's limiter; null when concurrency is fixed. */
  private final ConcurrencyLimiter.Source concurrency;
  /** The target's pacer: the learners set each kind's pace, the headers the shared one; null without learning. */
  private final ReadWriteLimiter pacer;
  private final RateLearner reads;
  private final RateLearner writes;
  private final QuotaPace quotas;
  /** The target's load at an answer; null: the rows of its attempts in flight, from the attempt. */
  private final IntSupplier requestsInFlight;
  /** The live processes of the job that share the target's quota (1 unless distributed). */
  private final IntSupplier processes;
  /** Set once an answer carried rate-limit headers: from then on they govern the pace, not the learners. */
  private volatile boolean headersSeen;

  /**
   * Feeds only the concurrency limit (a rate limit was given).
   *
   * @param concurrency      the job's concurrency limiter
   * @param requestsInFlight requests sent and not yet answered (not counting the one being reported)
   */
  public AdaptiveFeedback(ConcurrencyLimiter concurrency, IntSupplier requestsInFlight) {
    this(Objects.requireNonNull(concurrency, "concurrency cannot be null").source(""), null, null, null, null,
        Objects.requireNonNull(requestsInFlight, "requestsInFlight cannot be null"), () -> 1);
  }

  /**
   * Feeds only a target's source of the concurrency limit (a rate limit was given), with the rows of the target's own
   * attempts in flight ({@link Attempt#rowsInFlight}) as its load.
   */
  public static AdaptiveFeedback forTarget(ConcurrencyLimiter.Source concurrency) {
    return new AdaptiveFeedback(Objects.requireNonNull(concurrency, "concurrency cannot be null"), null, null, null,
        null, null, () -> 1);
  }

  /**
   * Learns the target's pace (no rate limit was given).
   *
   * @param concurrency      the job's concurrency limiter, or null when concurrency is fixed
   * @param pacer            the target's rate limiter
   * @param learners         makes a learner (one for reads, one for writes), e.g. {@link RateLearner#withDefaults}
   * @param quotas           reads the pace from the target's rate-limit headers when it sends them
   * @param requestsInFlight requests sent and not yet answered (not counting the one being reported)
   * @param processes        the live processes of a distributed job, this one included, read at each answer with
   *                         headers: the pace they state is shared between them ({@link QuotaPace#onQuota(long, long,
   *                         dev.ferry.core.limit.Quota, boolean, long, int)}); {@code () -> 1} for a process alone
   */
  public AdaptiveFeedback(ConcurrencyLimiter concurrency, ReadWriteLimiter pacer, Supplier<RateLearner> learners,
      QuotaPace quotas, IntSupplier requestsInFlight, IntSupplier processes) {
    this(concurrency == null ? null : concurrency.source(""), pacer, learners, quotas,
        Objects.requireNonNull(requestsInFlight, "requestsInFlight cannot be null"), processes);
  }

  /**
   * Learns a spec target's pace (no rate limit was given) and feeds its own source of the concurrency limit, with the
   * rows of the target's own attempts in flight ({@link Attempt#rowsInFlight}) as its load.
   *
   * @param concurrency the target's source of the job's concurrency limiter, or null when concurrency is fixed
   * @see #AdaptiveFeedback(ConcurrencyLimiter, ReadWriteLimiter, Supplier, QuotaPace, IntSupplier, IntSupplier)
   */
  public static AdaptiveFeedback forTarget(ConcurrencyLimiter.Source concurrency, ReadWriteLimiter pacer,
      Supplier<RateLearner> learners, QuotaPace quotas, IntSupplier processes) {
    return new AdaptiveFeedback(concurrency, pacer, learners, quotas, (IntSupplier) null, processes);
  }

  private AdaptiveFeedback(ConcurrencyLimiter.Source concurrency, ReadWriteLimiter pacer,
      Supplier<RateLearner> learners, QuotaPace quotas, IntSupplier requestsInFlight, IntSupplier processes) {
    this(concurrency, Objects.requireNonNull(pacer, "pacer cannot be null"), learners.get(), learners.get(),
        Objects.requireNonNull(quotas, "quotas cannot be null"), requestsInFlight, processes);
    pacer.setRate(false, reads.rate());
    pacer.setRate(true, writes.rate());
  }

  private AdaptiveFeedback(ConcurrencyLimiter.Source concurrency, ReadWriteLimiter pacer, RateLearner reads,
      RateLearner writes, QuotaPace quotas, IntSupplier requestsInFlight, IntSupplier processes) {
    this.concurrency = concurrency;
    this.pacer = pacer;
    this.reads = reads;
    this.writes = writes;
    this.quotas = quotas;
    this.requestsInFlight = requestsInFlight;
    this.processes = Objects.requireNonNull(processes, "processes cannot be null");
  }

  @Override
  public void onAttempt(Attempt a) {
    ResponseClass c = a.outcome();
    boolean definite = c == ResponseClass.FINAL;
    boolean dropped = c == ResponseClass.THROTTLED || c == ResponseClass.OVERLOADED;
    if (concurrency != null && (definite || dropped)) {
      int load = requestsInFlight != null ? requestsInFlight.getAsInt() + 1
          : a.rowsInFlight() < 0 ? -1 : a.rowsInFlight() + a.rows();
      concurrency.onSample(a.sentNanos(), a.answeredNanos() - a.sentNanos(), load, !definite, a.rows());
    }
    if (pacer == null) return;
    if (a.quota() != null) {
      if (!headersSeen) { // the headers speak for the whole target: the kinds' learned paces give way
        headersSeen = true;
        pacer.paceByHeaders();
      }
      int live = Math.max(1, processes.getAsInt());
      QuotaPace.Step step = quotas.onQuota(a.sentNanos(), a.answeredNanos(), a.quota(), a.write(), a.sentAfter(), live);
      // a 429 that came anyway trims the headers' pace (arrivals bunched beyond what the budget tolerates)
      if (c == ResponseClass.THROTTLED) {
        QuotaPace.Step trimmed = quotas.onRefused(a.sentNanos(), a.answeredNanos(), a.write(), live);
        if (!Double.isNaN(trimmed.pace())) {
          step = new QuotaPace.Step(trimmed.pace(), step.pauseNanos(), step.budgetPermits(), step.budgetWindowNanos(),
              step.countedLateNanos());
        }
      }
      if (!Double.isNaN(step.pace()) && step.pace() != pacer.rate()) pacer.setRate(step.pace());
      if (step.pauseNanos() > 0) pacer.pauseFor(Duration.ofNanos(step.pauseNanos()));
      if (step.budgetPermits() > 0) {
        pacer.limitWindow(step.budgetPermits(), Duration.ofNanos(step.budgetWindowNanos()));
        pacer.countedLate(a.sentNanos(), step.countedLateNanos());
      }
      return;
    }
    if (headersSeen) return;
    boolean write = a.write();
    RateLearner learner = write ? writes : reads;
    double rate;
    if (c == ResponseClass.THROTTLED) {
      rate = learner.onThrottled(a.sentNanos(), a.answeredNanos(), a.retryAfterNanos(), write);
    } else if (c.admitted() && a.status() > 0) {
      rate = learner.onAdmitted(a.sentNanos(), a.answeredNanos(), a.waitedForPermit(), write);
    } else {
      return;
    }
    if (rate != pacer.rate(write)) pacer.setRate(write, rate);
  }

  /** True once the target's rate-limit headers govern the pace. */
  public boolean fromHeaders() {
    return headersSeen;
  }

  /**
   * The pace learned (from rate-limit headers, or from 429s: the writes' when they were refused, else the reads'), per
   * second; NaN when nothing was learned (no learner, still ramping, or no 429 yet where none was expected).
   */
  public double learnedRate() {
    if (pacer == null) return Double.NaN;
    if (headersSeen) return pacer.rate();
    double w = learned(writes);
    return Double.isNaN(w) ? learned(reads) : w;
  }

  private static double learned(RateLearner l) {
    return l.ramping() || Double.isInfinite(l.rate()) ? Double.NaN : l.rate();
  }
}
