package dev.ferry.core.limit;

import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.time.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;

/**
 * A discrete-event model of a bulk import in virtual time: rows of {@code callsPerRow} sequential calls,
 * admitted by a {@link ConcurrencyLimiter} (fed by a {@link Limit}), paced by a {@link RateLimiter} (its
 * rate optionally learned by a {@link RateLearner}), sent to a model target with a latency, an optional
 * capacity (over it, latency grows in proportion: a saturated server) and an optional rate limit counted in
 * a sliding window with Retry-After, like {@code ferry sim}. The same feedback the real run uses: every
 * attempt is one sample (the target's time, with the requests in flight at the target); a 429 pauses the
 * pacer for Retry-After and is retried.
 *
 * <p>Deterministic (no threads; any randomness, such as {@link Target#jitterNanos}, is seeded). Not threadsafe.
 */
final class VirtualImport {
  static final long SECOND = 1_000_000_000L;

  /** How the model target counts against its rate limit. */
  enum Algorithm {
    /** An exact sliding log of {@code rate × window} (ferry's simulator, WorkOS). */
    SLIDING,
    /** Fixed windows of {@code rate × window} aligned to the run's start. */
    FIXED,
    /** A token bucket of {@code rate × burstSeconds}, full at the start. */
    BUCKET
  }

  /** Model target settings. */
  static final class Target {
    /**
     * A target of {@code algorithm} admitting {@code rate} a second over windows of {@code windowSeconds}, at a constant
     * {@code latencyMs}.
     */
    static Target of(Algorithm algorithm, double rate, long windowSeconds, long latencyMs) {
      Target t = new Target();
      t.algorithm = algorithm;
      t.rateLimit = rate;
      t.windowNanos = windowSeconds * SECOND;
      t.latencyNanos = x -> latencyMs * 1_000_000L;
      return t;
    }

    Algorithm algorithm = Algorithm.SLIDING;
    /** Token bucket capacity as seconds at the rate. */
    double burstSeconds = 1;
    /** Whether answers carry the quota (rate-limit headers), as the simulator states it. */
    boolean headers;
    /** Whether the quota states its window (the IETF policy's w). */
    boolean statesWindow;
    /** Base latency in nanos as a function of virtual time (a step models a target that slows down). */
    LongToDoubleFunction latencyNanos = t -> 100_000_000L;
    /** Requests the target serves at base latency; more are slowed in proportion. 0 = unlimited. */
    int capacity;
    /** Admissions per second (sliding window); 0 = unlimited. */
    double rateLimit;
    long windowNanos = 10 * SECOND;
    /** Where the fixed windows begin, after the run's start (a real target's windows start anywhere). */
    long phaseNanos;
    /**
     * A stall of the server: requests arriving from {@code stallAtNanos} (after the run's start) for {@code
     * stallNanos} are counted and served only when it ends, bunched (0 = none).
     */
    long stallAtNanos;
    long stallNanos;
    /**
     * Each request reaches the server a random delay after it left the pacer, uniform in {@code [0, jitterNanos]}
     * (0 = none): a host's scheduling and the network bunch arrivals that left evenly spaced. Seeded by {@code
     * jitterSeed}, so a run is the same every time.
     */
    long jitterNanos;
    long jitterSeed = 14;
    /**
     * Stalls of a loaded host at random, {@code hiccupNanos} long and {@code hiccupGapNanos} apart on average
     * (exponential gaps, seeded by {@code jitterSeed}; 0 = none): as {@link #stallNanos}, the requests sent during one
     * are counted together when it ends.
     */
    long hiccupGapNanos;
    long hiccupNanos;
    /** From this second of the run on, the limit is {@code raisedRate} (0 = never). */
    int raiseAtSecond;
    double raisedRate;
    /**
     * Whether a 429 carries no Retry-After (nor a body's wait): the learner is told none, and the pause is the one
     * HttpTarget takes then ({@link #pauseWithoutRetryAfter}).
     */
    boolean noRetryAfter;
    /**
     * Another client of the same limit: from second {@code foreignFromSecond} to {@code foreignToSecond} of the run it
     * sends {@code foreignRate} requests a second, evenly spaced, and the target counts its admissions as ferry's (0 =
     * none). It does not slow down when refused (a client paced at a rate it was told), so ferry gets what is left.
     */
    double foreignRate;
    int foreignFromSecond;
    int foreignToSecond;
  }

  private final long[] clock = {1_000 * SECOND};
  private final Ticker ticker = () -> clock[0];
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private long seq;

  private final Target target;
  private final ConcurrencyLimiter limiter;
  private final RateLimiter pacer;
  private final RateLearner learner;
  private final QuotaPace quotas;
  private final int callsPerRow;
  private long sends;
  private long fixedIndex = Long.MIN_VALUE;
  private int fixedUsed;
  private long bucketTat = Long.MIN_VALUE;
  private final ArrayDeque<Long> admissions = new ArrayDeque<>();
  private int serverInflight;
  private final long startNanos;
  private final SplittableRandom jitter;
  private final SplittableRandom hiccups;
  /** The current or next random stall, [hiccupStart, hiccupEnd). */
  private long hiccupStart = Long.MIN_VALUE;
  private long hiccupEnd = Long.MIN_VALUE;

  // results
  final List<Double> acceptedPerSecond = new ArrayList<>();
  final List<Integer> limitPerSecond = new ArrayList<>();
  final List<Double> ratePerSecond = new ArrayList<>();
  final List<Integer> throttledPerSecond = new ArrayList<>();
  private int throttledThisSecond;
  long requests;
  long throttled;
  long rowsDone;
  /** 429s answered to requests sent after the first second. */
  long throttledAfterFirstSecond;
  /** When the requests answered with a 429 were sent, from the run's start. */
  final List<Long> throttledSentNanos = new ArrayList<>();
  /** The foreign client's requests the target admitted, and refused ({@link Target#foreignRate}). */
  long foreignAdmitted;
  long foreignRefused;
  private int acceptedThisSecond;

  VirtualImport(Target target, Limit limit, double knownRate, boolean learnRate, int callsPerRow) {
    this(target, limit, knownRate, learnRate ? RateLearner.withDefaults() : null, false, callsPerRow);
  }

  /**
   * @param learner   learns the pace from 429s (null: none)
   * @param useQuotas reads the pace from the target's quota headers when it sends them
   */
  VirtualImport(Target target, Limit limit, double knownRate, RateLearner learner, boolean useQuotas,
      int callsPerRow) {
    this.target = target;
    this.limiter = ConcurrencyLimiter.of(limit);
    this.pacer = knownRate > 0 ? RateLimiter.smooth(knownRate, ticker) : RateLimiter.unlimited(ticker);
    this.learner = learner;
    if (learner != null) pacer.setRate(learner.rate());
    this.quotas = useQuotas ? new QuotaPace(0.985) : null;
    this.callsPerRow = callsPerRow;
    this.startNanos = clock[0];
    this.jitter = new SplittableRandom(target.jitterSeed);
    this.hiccups = new SplittableRandom(target.jitterSeed + 1);
  }

  /** The ceiling: what the target admits per second in the long run. */
  double ceiling() {
    return target.rateLimit;
  }

  ConcurrencyLimiter limiter() {
    return limiter;
  }

  /** Runs for {@code seconds} of virtual time with an endless supply of rows. */
  VirtualImport run(int seconds) {
    long end = startNanos + seconds * SECOND;
    pump();
    if (target.foreignRate > 0) at(startNanos + target.foreignFromSecond * SECOND, this::foreignSend);
    long nextTick = startNanos + SECOND;
    while (!events.isEmpty()) {
      Event e = events.peek();
      if (e.at >= nextTick) {
        clock[0] = nextTick;
        acceptedPerSecond.add((double) acceptedThisSecond);
        limitPerSecond.add(limiter.limit());
        ratePerSecond.add(pacer.rate());
        throttledPerSecond.add(throttledThisSecond);
        throttledThisSecond = 0;
        acceptedThisSecond = 0;
        nextTick += SECOND;
        if (target.raiseAtSecond > 0 && acceptedPerSecond.size() == target.raiseAtSecond) {
          target.rateLimit = target.raisedRate;
        }
        if (clock[0] >= end) break;
        continue;
      }
      events.poll();
      clock[0] = e.at;
      e.action.run();
    }
    return this;
  }

  /** The foreign client's next request, until its last second ({@link Target#foreignRate}). */
  private void foreignSend() {
    if (clock[0] >= startNanos + target.foreignToSecond * SECOND) return;
    if (admit(clock[0]) < 0) {
      foreignAdmitted++;
    } else {
      foreignRefused++;
    }
    at(clock[0] + (long) (SECOND / target.foreignRate), this::foreignSend);
  }

  private void pump() {
    while (limiter.tryAcquire()) {
      startCall(new Row());
    }
  }

  private final class Row {
    int callsLeft = callsPerRow;
  }

  /** The jitter of HttpTarget's backoff, seeded: deterministic in the order of events. */
  private final SplittableRandom random = new SplittableRandom(14);

  /** HttpTarget's refusedSinceNanos: the first refusal's answer of the target's current stretch of refusals. */
  private long refusedSince = Long.MIN_VALUE;

  /** The pause HttpTarget takes after a 429 without Retry-After: a share of the time refused so far. */
  private long pauseWithoutRetryAfter() {
    if (refusedSince == Long.MIN_VALUE) refusedSince = clock[0];
    return RetryPolicy.defaults().pauseWithoutRetryAfterNanos(clock[0] - refusedSince, random.nextDouble());
  }

  private void startCall(Row row) {
    reserve(row, clock[0], false);
  }

  /**
   * RateLimiter.acquire in events: a slot reserved before a pause began is reserved again behind it, and a caller whose
   * slot is more than a slice ahead sleeps in slices, reserving again as soon as one ends after the pace was raised far
   * ({@link SmoothRateLimiter#acquire} with a sleeper that cannot be woken, the default of {@code Sleeper.sleepNanos(long,
   * Wakeup)}). The system sleeper wakes such a caller at once instead (up to a slice earlier): modelled so, the scenario
   * figures moved by -0.8 to +0.9 points, mixed (docs/PERFORMANCE.md "Session 12"), so the model keeps the slices.
   */
  private void reserve(Row row, long queued, boolean waitedBefore) {
    long pauses = pacer.pauses();
    long respaces = respaces();
    long wait = pacer.reserveNanos();
    sleepUntil(row, queued, waitedBefore || wait > 0, clock[0] + wait, pauses, respaces);
  }

  private void sleepUntil(Row row, long queued, boolean waited, long slot, long pauses, long respaces) {
    if (slot - clock[0] > SmoothRateLimiter.WAKE_SLICE_NANOS) {
      at(clock[0] + SmoothRateLimiter.WAKE_SLICE_NANOS, () -> {
        if (respaces() != respaces) reserve(row, queued, true);
        else sleepUntil(row, queued, waited, slot, pauses, respaces);
      });
      return;
    }
    at(slot, () -> {
      if (pacer.pauses() != pauses) reserve(row, queued, true);
      else send(row, queued, waited);
    });
  }

  private long respaces() {
    return pacer instanceof SmoothRateLimiter s ? s.respaces() : 0;
  }

  private boolean headersSeen;
  /** The requests refused by a target whose answers the client reads the quota of, until their answers are read. */
  private final HashSet<Long> refusedWithQuota = new HashSet<>();

  /** What the client does with an answer's quota (AdaptiveFeedback's part); true when it governs the pace. */
  private boolean onQuota(long sent, long seq, Quota quota) {
    if (quotas == null || quota == null) return headersSeen;
    headersSeen = true;
    QuotaPace.Step step = quotas.onQuota(sent, clock[0], quota, true, sends - seq);
    if (!Double.isNaN(step.pace()) && step.pace() != pacer.rate()) pacer.setRate(step.pace());
    if (step.pauseNanos() > 0) pacer.pauseFor(java.time.Duration.ofNanos(step.pauseNanos()));
    if (step.budgetPermits() > 0) {
      pacer.limitWindow(step.budgetPermits(), java.time.Duration.ofNanos(step.budgetWindowNanos()));
      pacer.countedLate(sent, step.countedLateNanos());
    }
    if (refusedWithQuota.remove(seq)) { // a 429 that came anyway (AdaptiveFeedback's part too)
      double trimmed = quotas.onRefused(sent, clock[0], true, 1).pace();
      if (!Double.isNaN(trimmed) && trimmed != pacer.rate()) pacer.setRate(trimmed);
    }
    return true;
  }

  private void send(Row row, long queued, boolean waited) {
    long sent = clock[0];
    long stallStart = startNanos + target.stallAtNanos;
    if (target.stallNanos > 0 && sent >= stallStart && sent < stallStart + target.stallNanos) {
      // the server counts it when the stall ends
      at(stallStart + target.stallNanos, () -> arrive(row, waited, sent));
    } else if (inHiccup(sent)) {
      at(hiccupEnd, () -> arrive(row, waited, sent));
    } else if (target.jitterNanos > 0) {
      at(sent + jitter.nextLong(target.jitterNanos + 1), () -> arrive(row, waited, sent));
    } else {
      arrive(row, waited, sent);
    }
  }

  /** Whether a request sent at {@code sent} (never earlier than the one before) falls in a random stall. */
  private boolean inHiccup(long sent) {
    if (target.hiccupGapNanos <= 0) return false;
    if (hiccupStart == Long.MIN_VALUE) hiccupEnd = startNanos;
    while (sent >= hiccupEnd) {
      long gap = (long) (-Math.log(1 - hiccups.nextDouble()) * target.hiccupGapNanos);
      hiccupStart = hiccupEnd + gap;
      hiccupEnd = hiccupStart + target.hiccupNanos;
    }
    return sent >= hiccupStart;
  }

  /** The server counts a request sent at {@code sent} now, and answers it after its latency. */
  private void arrive(Row row, boolean waited, long sent) {
    long counted = clock[0];
    requests++;
    long seq = ++sends;
    long retryAfter = admit(counted);
    if (retryAfter >= 0 && quotas != null) refusedWithQuota.add(seq);
    Quota quota = target.headers ? quota(counted) : null;
    double base = target.latencyNanos.applyAsDouble(counted);
    if (retryAfter >= 0) {
      at(counted + (long) base, () -> {
        throttled++;
        throttledThisSecond++;
        if (sent >= startNanos + SECOND) throttledAfterFirstSecond++;
        throttledSentNanos.add(sent - startNanos);
        limiter.onSample(sent, clock[0] - sent, serverInflight + 1, true);
        long told = target.noRetryAfter ? -1 : retryAfter;
        if (!onQuota(sent, seq, quota) && learner != null) {
          double r = learner.onThrottled(sent, clock[0], told);
          if (r != pacer.rate()) pacer.setRate(r);
        }
        pacer.pauseFor(java.time.Duration.ofNanos(told >= 0 ? told : pauseWithoutRetryAfter()));
        startCall(row);
      });
      return;
    }
    serverInflight++;
    double slow = target.capacity > 0 ? Math.max(1.0, (double) serverInflight / target.capacity) : 1.0;
    at(counted + (long) (base * slow), () -> {
      serverInflight--;
      acceptedThisSecond++;
      limiter.onSample(sent, clock[0] - sent, serverInflight + 1, false);
      if (!onQuota(sent, seq, quota) && learner != null) {
        double r = learner.onAdmitted(sent, clock[0], waited);
        if (r != pacer.rate()) pacer.setRate(r);
      }
      if (sent > refusedSince) refusedSince = Long.MIN_VALUE;
      if (--row.callsLeft > 0) {
        startCall(row);
      } else {
        rowsDone++;
        limiter.release();
        pump();
      }
    });
  }

  /** Returns -1 when admitted, else the Retry-After in nanos (whole seconds, at least 1, as the simulator). */
  private long admit(long now) {
    if (target.rateLimit <= 0) return -1;
    long free;
    switch (target.algorithm) {
      case SLIDING -> {
        while (!admissions.isEmpty() && admissions.peekFirst() <= now - target.windowNanos) admissions.pollFirst();
        if (admissions.size() < permits()) {
          admissions.addLast(now);
          return -1;
        }
        free = admissions.peekFirst() + target.windowNanos - now;
      }
      case FIXED -> {
        long index = Math.floorDiv(now - windowOrigin(), target.windowNanos);
        if (index != fixedIndex) {
          fixedIndex = index;
          fixedUsed = 0;
        }
        if (fixedUsed < permits()) {
          fixedUsed++;
          return -1;
        }
        free = windowOrigin() + (index + 1) * target.windowNanos - now;
      }
      default -> {
        long interval = (long) (1e9 / target.rateLimit);
        long burst = bucketCapacity() * interval;
        if (bucketTat == Long.MIN_VALUE) bucketTat = now;
        long next = Math.max(bucketTat, now) + interval;
        if (next - now <= burst) {
          bucketTat = next;
          return -1;
        }
        free = next - now - burst;
      }
    }
    long seconds = Math.max(1, (free + SECOND - 1) / SECOND);
    return seconds * SECOND;
  }

  private long windowOrigin() {
    return startNanos + target.phaseNanos;
  }

  private int permits() {
    return (int) Math.max(1, Math.round(target.rateLimit * target.windowNanos / 1e9));
  }

  private long bucketCapacity() {
    return Math.max(1, Math.round(target.rateLimit * target.burstSeconds));
  }

  /** The quota as ferry's simulator states it after counting a call at {@code now}: reset = fully restored. */
  private Quota quota(long now) {
    if (target.rateLimit <= 0) return null;
    long window = target.statesWindow ? target.windowNanos : -1;
    return switch (target.algorithm) {
      case SLIDING -> new Quota(permits(), permits() - admissions.size(),
          roundUpToSecond(admissions.isEmpty() ? 0 : admissions.peekLast() + target.windowNanos - now), window);
      case FIXED -> new Quota(permits(), Math.max(0, permits() - fixedUsed),
          roundUpToSecond(windowOrigin() + (Math.floorDiv(now - windowOrigin(), target.windowNanos) + 1)
              * target.windowNanos - now), window);
      case BUCKET -> {
        long interval = (long) (1e9 / target.rateLimit);
        long owed = Math.max(0, bucketTat - now);
        long capacity = bucketCapacity();
        yield new Quota(capacity, Math.max(0, Math.min(capacity, (capacity * interval - owed) / interval)),
            roundUpToSecond(owed), target.statesWindow ? capacity * interval : -1);
      }
    };
  }

  /**
   * Resets in whole seconds, as most conventions send them: rounded up from anywhere in the second below (a fixed
   * window's that ends in 0.3 s reads 1 s), as ferry's simulator and most servers do.
   */
  private static long roundUpToSecond(long nanos) {
    return Math.max(0, (nanos + SECOND - 1) / SECOND * SECOND);
  }

  private void at(long time, Runnable action) {
    events.add(new Event(time, seq++, action));
  }

  private record Event(long at, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  /** Mean accepted requests per second over seconds [from, to). */
  double meanAccepted(int from, int to) {
    return acceptedPerSecond.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  int limitAt(int second) {
    return limitPerSecond.get(second);
  }

  int minLimit(int from, int to) {
    return limitPerSecond.subList(from, to).stream().mapToInt(Integer::intValue).min().orElse(0);
  }

  String trace() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < acceptedPerSecond.size(); i++) {
      sb.append(String.format("%3d s: %7.0f req/s  %4d x429  limit %4d  pace %s%n", i + 1, acceptedPerSecond.get(i),
          throttledPerSecond.get(i), limitPerSecond.get(i), Double.isInfinite(ratePerSecond.get(i)) ? "-" : String.format("%.1f", ratePerSecond.get(i))));
    }
    return sb.toString();
  }
}
