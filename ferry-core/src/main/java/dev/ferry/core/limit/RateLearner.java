package dev.ferry.core.limit;

/**
 * Learns a rate limit nobody told us about from the target's 429 answers, and proposes the pace a shared {@link
 * RateLimiter} should keep so that 429s stay rare.
 *
 * <p><b>Ramp.</b> Until the first 429 the pace starts at {@code initialPace} and grows every 100 ms in which requests
 * waited for it and used at least half of it (the pace was the bottleneck). Every request sent after the target's quota
 * ran out comes back 429, and the first 429 takes a round trip to arrive, so the discovery costs about {@code pace ×
 * mean latency} 429s (Little's law: the requests in flight). A pace growing by a factor {@code f} a second reaches
 * about {@code Q·ln f} per second when a quota of {@code Q} requests runs out, so the learner grows it by {@code f =
 * exp(0.05 s / mean latency of the last step)} a second (applied as {@code f^0.1} each 100 ms step, so the pace rises
 * smoothly instead of jumping once a second), between 1.1 and {@code maxRampFactor} (16): the discovery then costs
 * about 5 % of the quota whatever the latency (25 429s for WorkOS's 500 per 10 s, 0.4 % of a two-minute run), and a
 * fast target is ramped fast (×16 a second under 18 ms, ×2.7 at 50 ms, ×1.28 at 200 ms).
 *
 * <p>An initial pace refused sooner after the first admission than the shortest look-back (half a second: a limit far
 * under 50/s, or a start whose first requests bunched) says little of the rate: the estimate rests on a handful of
 * admissions (2/s against a one-token bucket of 30/s). The ramp then goes on from that estimate, under the refused pace
 * (the ceiling), and ends at {@code headroom} of it, probed from there as any safe pace; its next refusal is estimated
 * from a longer history. (Paced at the estimate and probed from it, the one-token bucket of 30/s took 25 s to come back
 * to its rate: 60.6 % of it over a minute, 86.8 % now, in virtual time.)
 *
 * <p>This is a trade-off no algorithm escapes without being told more: until a target refuses something it cannot be
 * told from one with a large quota, so reaching a pace {@code p} without risking more than a share {@code b} of the
 * quota in 429s takes {@code ln(p / initialPace) × latency / b} seconds. At 200 ms and {@code b} = 5 % that is about 18
 * s from 50/s to 5,000/s; a faster ramp costs proportionally more 429s against a WorkOS-like window (at twice the
 * speed, above 1 % of a two-minute run). A user who knows the target has no limit and wants it filled at once gives a
 * fixed {@code --concurrency}.
 *
 * <p><b>Estimate.</b> When a request sent at {@code t} is refused with {@code Retry-After: RA}, the target admitted
 * {@code N(o, t)} requests since some earlier instant {@code o} and will admit none before {@code t + RA}: over {@code
 * [o, t + RA]} it sustained {@code N / (t + RA − o)}. For the usual server algorithms that is the limit itself when
 * {@code o} is the start of the time the target was saturated: a sliding or fixed window of length {@code W} refuses
 * once its {@code R·W} permits are used, and Retry-After then points at the end of the window that began with the
 * oldest admission; a token bucket with a one-second burst gives {@code (R·1s + R·h) / (h + 1s) = R}. The learner tries
 * several look-backs ({@code o} = 0.5, 1, 2, 5, 10, 20, 30 and 60 s ago, or the first admission when later) and keeps
 * the highest, so an under-used stretch (the ramp, a pause) does not drag the estimate down, and paces at {@code
 * headroom} (98 %) of it. A Retry-After in whole seconds of at most 2 s is counted half a second shorter: it was
 * rounded up from somewhere in the second below, and against a 1 s window that second is most of the wait (read as it
 * is, the first estimate of a 1 s window was 45–70 % of its limit). Reads and writes are counted apart (APIs limit them
 * apart, WorkOS 1,000 and 500 per 10 s): a refused write is estimated from the admitted writes only. Without
 * Retry-After see "Lockouts" below. A longer whole-second Retry-After is taken as it is, but every refusal of the
 * refused stretch (the requests sent in the round trip before the first 429 came back) was rounded up at another
 * instant: one sent after the rounding stepped down a second gives the higher estimate, and the pace rises to it.
 *
 * <p><b>Probing.</b> The limit can be higher than the estimate (Retry-After is rounded up to whole seconds, another
 * client stopped). A pace that ran for a probe interval without a 429 is <em>safe</em>, and while requests wait for the
 * pacer the pace then rises, one step per interval, but never past halfway to the <em>ceiling</em>, the lowest pace a
 * 429 refused (the ramp's pace at its first 429 included), nor past {@code headroom} of it: a pace within a percent or
 * two of a refused one is refused now and then (arrivals bunch), and against a short window each refusal costs a pause
 * of a whole window. The ceiling creeps up 0.5 % an interval, so a limit that grew is found again; each refused probe
 * quarters the creep (down to 0.05 %), so a limit that was found is not probed again every few seconds for a gain of a
 * percent or two, and each probe that held above the pace of the last 429 doubles it (up to 8 %), so a limit that rose
 * is followed. The interval follows the target's window as its longest Retry-After shows it ({@link #withDefaults()}:
 * 2.5 × it, between 2 s and 12 s, the latter longer than the 10 s windows WorkOS and the simulator count in). Against a
 * short window (Retry-After of at most 2 s, where an overshoot costs a second or two) a step covers a quarter of the
 * gap to the ceiling (2 % to 32 %) until a probe is refused, then at most that quarter, starting again at 2 %; against
 * a long one it is 2 %, 4 %, 8 %, … (at most 16 %). Within 5 % of the ceiling there is no probe: it would gain a
 * percent or two for a refusal. A 429 during a probe lowers the ceiling and goes back to the last safe pace (or the
 * estimate, when higher); a 429 at a safe pace means it was not safe after all: the pace drops to the estimate, and at
 * least 5 %. Against a short window the estimate is rough (whole-second Retry-After), so there neither drop goes below
 * what the target admitted in the second before the refusal (a sliding log or a GCRA admit their limit; a fixed window
 * or a bucket more, which the next refusal corrects); a refused probe goes back to the safe pace or the estimate only
 * (a fixed window admitted the probe's pace in the second before, its previous window not being spent). So one early
 * 429 never caps a job for its lifetime.
 *
 * <p><b>Rebound.</b> A pace the target bore and refuses later says someone else spends the limit now (another job,
 * another process on the same key) or that it fell; either can end. Each such refusal lowers the ceiling, and a refused
 * probe quarters the creep, so once the other client stopped the ceiling crept back 0.05 % an interval: against 500 per
 * sliding 10 s a job that shared half of the limit for a minute then stayed at its share for 27 minutes and more (in
 * virtual time; the README tour's J1 was seen at 23/s for 13 minutes). The ceiling's evidence ages: the learner keeps
 * the <em>high water</em>, the most the target admitted per second over a stretch without any 429 (from a pause's end
 * or a refusal's send to the next refusal or the end of a quiet interval) at least a probe interval and two windows
 * long (what it admitted, not the pace: a pace over a short fixed window's quota can run a window and a quarter on the
 * windows it straddles), and a ceiling more than 5 % under it goes back to it ({@code headroom} over it) once the target
 * refused nothing for a probe interval. The pace then climbs to it as a short window's first probes do, a quarter of the
 * gap a step (2 % to 32 %, never past halfway), and is back at 90 % of the limit 7–83 s after the other client stopped
 * (virtual time, ForeignClientScenarioTest; end to end, docs/PERFORMANCE.md). A refusal on the way (the limit still
 * shared, or lower for good) doubles the quiet time the next rebound waits, up to a minute; a pace back within 5 % of
 * the high water ends the rebound and the wait starts again from one interval. A limit shared
 * for good costs a refused rebound a minute at most (under 0.6 % of the requests, 95 % of what is left taken). A
 * window never shared does not rebound (no refusal lowers its ceiling that far under what it admitted); a token
 * bucket's burst can count in the high water, and costs a refused rebound now and then (alone for 15 minutes: 0.10 %
 * and 0.15 % refused, with and without Retry-After; 0.05 % and 0.06 % before).
 *
 * <p><b>Short windows' ceiling.</b> Against a short window, what the target admitted over one window (the longest
 * Retry-After, at least 1 s) before a refusal, with neither a pause nor a change of pace in that span, is at least its
 * limit (a sliding log admits exactly its limit, a fixed window or a saturated bucket at least that): the ceiling is
 * lowered to it, and no pace is kept above {@code headroom} of the ceiling after a refusal.
 *
 * <p><b>Buckets.</b> A token bucket lets a pace above its rate run for a whole probe interval on its burst (refilled by
 * each pause), so a "safe" pace is refused again and again. Between two refusals the bucket was empty at both, so what
 * it admitted in between, the pause's refill included, is its rate: when a pace that was safe is refused and that rate
 * from refusal to refusal came out twice within 3 % and below 85 % of the pace, the pace drops to it (at {@code
 * headroom}). A window admits less in between (its pause is lost) and differs with the phase of the refusals.
 *
 * <p><b>Fixed windows.</b> Against a short window the send times of admissions and refusals are also fitted to fixed
 * windows as long as the longest Retry-After ({@link FixedWindowFit}): when every refused window admitted the same count
 * before its refusal under one phase, that count is the quota exactly, and the pace becomes 98.5 % of it (an even pace
 * under it never puts more than the quota in a window); the ceiling is the quota, creeping {@code 0.25 %} an interval.
 * The fit needs two refusals in different windows, so the ramp's refusal goes on at what the last second admitted, as
 * a probe (the estimate is the safe pace it falls back to). A refusal at or under the fitted pace (arrivals bunched by
 * a stall) lowers it 1 %, down to 95 % of it. Phases that fit counts more than 10 % apart pace at the top of the range,
 * so that the next refusal tells which.
 *
 * <p>A refusal of a request sent during the pause the last refusal asked for is that refusal's (the caller held a
 * permit from before the pause, or passed the pacer before the pause began): ignored, like one sent before the change.
 *
 * <p>{@link #unlimitedUntilRefused()} ({@code --rate-limit none}) starts with no pace at all and no ramp. Against a
 * short window its first 429 ends an unpaced burst, which says little of the rate: a token bucket of small burst
 * admits its burst and a fraction of a second's refill (30/s with a 150 ms burst: ~5 in the burst, an estimate of
 * ~5/s), and the client's slow start may have sent less than the target admits. So it ramps from there, as {@code auto}
 * ramps from 50/s: from the estimate (or what the last second admitted, when more), and that burst is neither the
 * ceiling (what it admitted over its last second was not a saturated window's) nor a refusal for the fixed windows'
 * fit. The ramp's own refusal then goes on as {@code auto}'s does, except that when the ramp got exactly as many
 * through since the pause as the burst got in its last window (within 2 %), that count is a window's quota (a sliding
 * log admits its limit after the pause as before it, a fixed window whose window began at the pause its quota; a
 * bucket admits its burst and its refill since, more the longer the ramp ran): the ceiling, paced at {@code headroom}
 * of it. (Pacing at the burst's estimate and probing from it, as before, rose 2 % every ~11 s: 17 % of a 30/s bucket's
 * rate over a minute.) Against a long window (a Retry-After over 2 s) the first 429 gives the estimate, and from then
 * on it probes as above.
 *
 * <p><b>Lockouts: a 429 without Retry-After.</b> Such a refusal says the limit was reached but not until when, and the
 * target goes on refusing the tries that follow until its window turns (or its bucket refills, or its log's oldest
 * admissions leave). Halving the pace at each of them, as once, took 45–82 % of a fixed 200 per 2 s and 27 % of 500 per
 * sliding 10 s. So the refusal opens a {@link SilentLockout}: its later refusals are its own (not counted, the pace not
 * moved), the tries go out at most half the pace and two a round trip, and the first admission of a request sent after
 * the refusal was answered closes it. The target took requests again after the last refused send and no later than
 * that admission: the wait from the refusal's send to the middle of that interval, rounded up to whole seconds as
 * servers round Retry-After, is the Retry-After the refusal is then counted with (its estimate, the short window's
 * ceiling and the fixed windows' fit work as with one; the lockout was its pause). How wide the interval is depends on
 * the pause between tries, which HttpTarget makes a fifth of the time the target has refused so far ({@code
 * RetryPolicy.pauseWithoutRetryAfterNanos}): the wait is read within a tenth. The waits of a fixed window are under its
 * length (a refusal late in a window of 2 s waits under a second), so the fit also tries windows of 2 s when the last
 * three lockouts (at least) ended on the boundaries of one phase of them ({@link SilentLockout#endsFit}). Without the
 * letter of a Retry-After to honour, the pause ends when the target takes requests again: fixed windows of 1–2 s do
 * better than with one (93–97 % of the limit over 30 s in virtual time, 88–90 % with Retry-After).
 *
 * <p>Pure logic on timestamps the caller passes in (no clock). This class is threadsafe (every method is synchronized;
 * each is O(1), except O(history buckets) on a 429).
 */
public final class RateLearner {
  private static final long SECOND = 1_000_000_000L;
  private static final long BUCKET_NANOS = 100_000_000L;
  /** How often the ramp grows the pace (by the per-second factor to the power of the step's length). */
  private static final long RAMP_STEP_NANOS = 100_000_000L;
  private static final int BUCKETS = 640; // 64 s of history
  private static final long HISTORY_NANOS = 60 * SECOND;
  private static final long[] LOOKBACKS_NANOS = {SECOND / 2, SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND,
      20 * SECOND, 30 * SECOND, 60 * SECOND};
  /** The probe interval is this many times the longest Retry-After seen (a window's length, rounded up). */
  private static final double PROBE_WINDOWS = 2.5;
  /** No probe while the ceiling is within this factor of the pace. */
  private static final double NEAR_CEILING = 1.05;
  private static final double RAMP_BUDGET_SECONDS = 0.05;
  /** The ceiling creeps up this much an interval until a refused probe slows it. */
  private static final double INITIAL_CREEP = 0.005;
  /**
   * The most creep, after probes near the ceiling held again and again (a limit that rises): 8 % an interval follows
   * 10/s becoming 40/s within 70 s (never within 80 s at 4 %), and 200/s becoming 300/s refuses less than at 4 % (47
   * of 44,477 against 54 of 44,201); 16 % followed the first within 53 s but refused 70 of 44,177 of the second.
   */
  private static final double MAX_CREEP = 0.08;
  /** The least creep: a confirmed ceiling still moves, so a limit that rose is found again in the end. */
  private static final double MIN_CREEP = 0.0005;
  /**
   * The longest a lowered ceiling waits, quiet, before the rebound tries the high water again, after rebounds were
   * refused (another client still there, or a limit that fell): one refused rebound a minute at most.
   */
  private static final long MAX_REBOUND_WAIT_NANOS = 60 * SECOND;
  /** Share of a fixed window's quota paced at once it is known (the room is for transit jitter). */
  private static final double FIXED_HEADROOM = 0.985;
  /** The creep once a fixed window's quota is known: a probe every ~50 s finds a limit that rose. */
  private static final double FITTED_CREEP = 0.0025;
  /** A refusal at or under the pace a fit gave lowers it this much (bunched arrivals), down to FITTED_FLOOR of it. */
  private static final double JITTER_TRIM = 0.99;
  private static final double FITTED_FLOOR = 0.95;
  private static final int READS = 0;
  private static final int WRITES = 1;

  private final double headroom;
  private final double maxRampFactor;
  private final long probeIntervalNanos;
  /** Shortest probe interval when it follows the target's window; 0 = always {@code probeIntervalNanos}. */
  private final long minProbeIntervalNanos;
  private final double minRate;

  /** @GuardedBy("this") admissions per 100 ms bucket, [reads or writes][bucket number mod BUCKETS] */
  private final int[][] counts = new int[2][BUCKETS];
  /** @GuardedBy("this") the bucket number each slot of counts holds */
  private final long[][] bucketOf = new long[2][BUCKETS];
  /** @GuardedBy("this") first admission of reads / writes; Long.MIN_VALUE when none */
  private final long[] firstAdmittedNanos = {Long.MIN_VALUE, Long.MIN_VALUE};
  /** @GuardedBy("this") */
  private boolean anyAdmitted;
  /** @GuardedBy("this") true until the first 429 */
  private boolean ramping = true;
  /** @GuardedBy("this") the proposed pace */
  private double rate;
  /** @GuardedBy("this") the last pace that ran a whole probe interval without a 429; 0 = none */
  private double safeRate;
  /** @GuardedBy("this") the lowest pace a 429 refused (creeping up); +inf = none */
  private double ceiling = Double.POSITIVE_INFINITY;
  /** @GuardedBy("this") when the pace last changed: 429s of requests sent before it are stale */
  private long changedNanos = Long.MIN_VALUE;
  /** @GuardedBy("this") start of the current step (ramp second or probe interval) */
  private long stepStartNanos;
  /** @GuardedBy("this") next probe step (2 %, 4 %, 8 %, ...) */
  private double probeStep = 0.02;
  /** @GuardedBy("this") requests admitted / that waited for the pacer in the current step */
  private int stepAdmitted;
  /** @GuardedBy("this") */
  private int stepWaited;
  /** @GuardedBy("this") latency sum of the current step, for the ramp factor */
  private double stepRttNanos;
  /** @GuardedBy("this") */
  private long throttleEvents;
  /** @GuardedBy("this") the longest Retry-After seen: about the target's window, rounded up */
  private long longestRetryAfterNanos;
  /** @GuardedBy("this") how much the ceiling creeps up each quiet interval; a quarter of it after a refused probe */
  private double creep = INITIAL_CREEP;
  /**
   * @GuardedBy("this") the most the target admitted to this client per second over a stretch without a 429 ({@link
   * #noteHighWater}; at most the pace it had then; 0 = none): a pace it was seen to bear
   */
  private double highWater;
  /** @GuardedBy("this") send time of the latest 429, counted or not; Long.MIN_VALUE when none */
  private long lastRefusalSentNanos = Long.MIN_VALUE;
  /** @GuardedBy("this") the ceiling was raised back to the high water and no refusal came since (the rebound) */
  private boolean rebounding;
  /** @GuardedBy("this") quiet time a ceiling under the high water waits before the rebound; 0 = one probe interval */
  private long reboundWaitNanos;
  /** @GuardedBy("this") the pace of the last 429 (before it changed the pace); +inf = none */
  private double lastRefusedRate = Double.POSITIVE_INFINITY;
  /** @GuardedBy("this") a probe was refused: the limit is near, probe in small steps from now on */
  private boolean probeRefused;
  /** @GuardedBy("this") send time of the last 429 that changed the pace; Long.MIN_VALUE when none */
  private long lastRefusedSentNanos = Long.MIN_VALUE;
  /** @GuardedBy("this") admitted per second from the 429 before the last one to the last one; 0 when unknown */
  private double lastSinceRefusal;
  /** @GuardedBy("this") when the pause of the last 429 that changed the pace ended (its answer + Retry-After) */
  private long pauseEndNanos = Long.MIN_VALUE;
  /** @GuardedBy("this") the pace the last fit of fixed windows gave; 0 = none */
  private double fittedPace;
  /**
   * @GuardedBy("this") the pace the last counted refusal set from its estimate, against a long window (a whole-second
   * Retry-After over 2 s); 0 = none. A later refusal of the same refused stretch may raise it (tightenByLaterRefusal).
   */
  private double estimatedPace;
  /** @GuardedBy("this") reads or writes: whose estimate estimatedPace is */
  private int estimatedKind;
  /** @GuardedBy("this") reads' and writes' admissions and refusals, fitted to fixed windows against a short window */
  private final FixedWindowFit[] fits = {new FixedWindowFit(), new FixedWindowFit()};
  /**
   * @GuardedBy("this") what an unpaced start got through before its first refusal (of {@code burstKind}), while the
   * ramp that follows it has not been refused; 0 = none
   */
  private long burstAdmitted;
  /** @GuardedBy("this") */
  private int burstKind;
  /** @GuardedBy("this") the open stretch of 429s without Retry-After, read as one refusal when it ends */
  private final SilentLockout lockout = new SilentLockout();
  /** @GuardedBy("this") the admissions' round trip, smoothed (0 = none yet): the pace of tries during a lockout */
  private double rttNanos;

  private RateLearner(double initialPace, boolean ramp, double maxRampFactor, double headroom,
      long probeIntervalNanos, long minProbeIntervalNanos, double minRate) {
    this.rate = initialPace;
    this.ramping = ramp;
    this.maxRampFactor = maxRampFactor;
    this.headroom = headroom;
    this.probeIntervalNanos = probeIntervalNanos;
    this.minProbeIntervalNanos = minProbeIntervalNanos;
    this.minRate = minRate;
    for (long[] b : bucketOf) java.util.Arrays.fill(b, Long.MIN_VALUE);
  }

  /**
   * For {@code --rate-limit auto}: initial pace 50/s, ramp at most ×16 a second, headroom 0.98, lowest pace
   * 0.5/s; the probe interval follows the target's window as its Retry-After shows it (2.5 × the longest one,
   * between 2 s and 12 s), so a target counting in 1 s windows is probed every few seconds and one counting in
   * 10 s windows only after a whole window at a pace.
   */
  public static RateLearner withDefaults() {
    return new RateLearner(50, true, 16.0, 0.98, 12 * SECOND, 2 * SECOND, 0.5);
  }

  /**
   * For {@code --rate-limit none}: no pace at all (the target is said to have no limit) until the first 429; against
   * a short window it then ramps from that 429's estimate as {@link #withDefaults()} ramps from 50/s (an unpaced
   * burst says little of the rate), else from then on as {@link #withDefaults()} after its first 429: the estimate,
   * then probes.
   */
  public static RateLearner unlimitedUntilRefused() {
    return new RateLearner(Double.POSITIVE_INFINITY, false, 16.0, 0.98, 12 * SECOND, 2 * SECOND, 0.5);
  }

  /**
   * @param initialPace   pace before anything is known, per second
   * @param maxRampFactor most growth of the pace per second until the first 429, {@code >= 1.1}
   * @param headroom      share of the estimate to pace at, in (0, 1]
   * @param probeInterval how long a pace must run without a 429 to be safe, and the time between probes
   * @param minRate       lowest pace ever proposed, per second
   */
  public static RateLearner of(double initialPace, double maxRampFactor, double headroom,
      java.time.Duration probeInterval, double minRate) {
    if (!(initialPace > 0)) throw new IllegalArgumentException("initialPace must be > 0");
    if (!(maxRampFactor >= 1.1)) throw new IllegalArgumentException("maxRampFactor must be >= 1.1");
    if (!(headroom > 0 && headroom <= 1)) throw new IllegalArgumentException("headroom must be in (0, 1]");
    if (probeInterval.isNegative() || probeInterval.isZero()) {
      throw new IllegalArgumentException("probeInterval must be > 0");
    }
    if (!(minRate > 0)) throw new IllegalArgumentException("minRate must be > 0");
    return new RateLearner(initialPace, true, maxRampFactor, headroom, probeInterval.toNanos(), 0, minRate);
  }

  /** The proposed pace per second. */
  public synchronized double rate() {
    return rate;
  }

  /**
   * True until the first 429 (the ramp {@link #unlimitedUntilRefused()} starts from its first 429 is not counted: its
   * pace is the one that 429 taught).
   */
  public synchronized boolean ramping() {
    return ramping && throttleEvents == 0;
  }

  /** 429 answers that changed the pace. */
  public synchronized long throttleEvents() {
    return throttleEvents;
  }

  /** A write request ({@link #onAdmitted(long, long, boolean, boolean)}). */
  public synchronized double onAdmitted(long sentNanos, long answeredNanos, boolean waitedForPermit) {
    return onAdmitted(sentNanos, answeredNanos, waitedForPermit, true);
  }

  /**
   * A request sent at {@code sentNanos} was admitted (answered with anything but 429) at
   * {@code answeredNanos}.
   *
   * @param waitedForPermit true when it had to wait for the pacer (the pace is the bottleneck)
   * @param write           a write (counted apart from reads)
   * @return the pace to use from now on
   */
  public synchronized double onAdmitted(long sentNanos, long answeredNanos, boolean waitedForPermit,
      boolean write) {
    int kind = write ? WRITES : READS;
    if (!anyAdmitted) {
      anyAdmitted = true;
      stepStartNanos = sentNanos;
    }
    if (firstAdmittedNanos[kind] == Long.MIN_VALUE) firstAdmittedNanos[kind] = sentNanos;
    fits[kind].admitted(sentNanos);
    long bucket = Math.floorDiv(sentNanos, BUCKET_NANOS);
    int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
    if (bucketOf[kind][slot] != bucket) {
      if (bucketOf[kind][slot] > bucket) return rate; // older than the history we keep
      bucketOf[kind][slot] = bucket;
      counts[kind][slot] = 0;
    }
    counts[kind][slot]++;
    stepAdmitted++;
    stepRttNanos += Math.max(0, answeredNanos - sentNanos);
    if (waitedForPermit) stepWaited++;
    double rtt = Math.max(0, answeredNanos - sentNanos);
    rttNanos = rttNanos == 0 ? rtt : 0.9 * rttNanos + 0.1 * rtt;
    if (lockout.open(kind)) return lockoutAdmitted(kind, sentNanos, write);
    if (Double.isInfinite(rate)) return rate; // unlimited until the first 429: nothing to ramp or probe
    long step = ramping ? RAMP_STEP_NANOS : probeInterval();
    long stepLength = sentNanos - stepStartNanos;
    if (stepLength < step) return rate;
    // The pace is the bottleneck when most requests of the step waited for it and they used at least half of
    // it: a request can wait a few microseconds behind a burst (or a clock tick) at a pace nobody uses.
    boolean paceBound = stepWaited * 2 >= stepAdmitted && stepAdmitted >= 0.5 * rate * stepLength / 1e9;
    double meanRttSeconds = stepRttNanos / stepAdmitted / 1e9;
    stepStartNanos = sentNanos;
    stepAdmitted = 0;
    stepWaited = 0;
    stepRttNanos = 0;
    if (ramping) {
      if (paceBound) {
        double next = rate * rampFactor(meanRttSeconds, Math.min(stepLength, SECOND) / 1e9);
        // A ramp that goes on under a refused pace ends at the headroom under it, probed from there as any safe pace.
        if (next >= ceiling * headroom) {
          next = ceiling * headroom;
          ramping = false;
        }
        setRate(next, sentNanos);
      }
      return rate;
    }
    // A probe that held above the last refused pace says the limit rose: the ceiling creeps faster.
    if (rate > safeRate && safeRate > 0 && rate > lastRefusedRate) creep = Math.min(MAX_CREEP, creep * 2);
    safeRate = Math.max(safeRate, rate); // a whole interval without a 429
    ceiling *= 1 + creep;
    rebound(sentNanos);
    // Near the ceiling (within NEAR_CEILING) a probe would cost a refusal for a gain of a percent or two: none,
    // until the ceiling crept away. Against a short window (Retry-After of at most 2 s: an overshoot costs a
    // second or two) a step covers a quarter of the gap to the ceiling, up to 32 %; against a long one, where
    // an overshoot locks everyone out for much of a window, the steps stay small.
    if (paceBound && ceiling > rate * NEAR_CEILING) {
      boolean shortWindow = shortWindow();
      double gap = (ceiling / rate - 1) / 4;
      double grow = Double.isInfinite(ceiling) || !shortWindow ? probeStep
          : probeRefused ? Math.min(probeStep, gap) : Math.max(probeStep, Math.min(0.32, gap));
      // Back towards a pace the target bore (the rebound): a quarter of the gap a step, as a short window's first
      // probes take.
      if (rebounding) grow = Math.max(grow, Math.min(0.32, gap));
      double next = rate * (1 + grow);
      // Never past halfway to the ceiling, nor closer to it than the headroom: a pace within a percent or two of a
      // refused one is refused now and then (arrivals bunch), and each refusal costs a pause.
      if (!Double.isInfinite(ceiling)) next = Math.min(next, Math.min((rate + ceiling) / 2, ceiling * headroom));
      if (next > rate * 1.002) {
        setRate(next, sentNanos);
        probeStep = Math.min(0.16, probeStep * 2);
      }
    }
    return rate;
  }

  /**
   * After a quiet interval: raises the high water to what the stretch since the last pause or refusal admitted, ends a
   * rebound whose pace is back within 5 % of it, and starts one when the ceiling is more than 5 % under it and the
   * target refused nothing for {@link #reboundWait()} (the class comment's "Rebound").
   * @GuardedBy("this")
   */
  private void rebound(long sentNanos) {
    noteHighWater(sentNanos);
    if (highWater == 0) return;
    if (rebounding && safeRate * NEAR_CEILING >= highWater) {
      rebounding = false;
      reboundWaitNanos = 0;
    }
    double regained = highWater / headroom;
    if (ceiling * NEAR_CEILING < regained && sentNanos - pauseEndNanos >= reboundWait()) {
      ceiling = regained;
      rebounding = true;
    }
  }

  /**
   * Raises the high water to what the target admitted (reads and writes) from the end of the last pause or the send of
   * the last 429, counted or not, to {@code sentNanos}, when that stretch is long enough to say what it bears: a probe
   * interval, and two windows (of at least 2 s) as the longest Retry-After or the fixed windows' fit reads them. (A pace
   * over a fixed window's quota can run a window and a quarter on the windows it straddles; over one whole window it is
   * refused.) Called at the end of each quiet interval and before a 429 ends the stretch, so that a stretch between two
   * refusals counts too (benchmarks/shared-limit.sh's J1 had one such stretch of 23 s alone, never two quiet intervals
   * after a pause).
   * @GuardedBy("this")
   */
  private void noteHighWater(long sentNanos) {
    long from = Math.max(Math.max(pauseEndNanos, lastRefusalSentNanos), sentNanos - HISTORY_NANOS + SECOND);
    from = Math.floorDiv(from + BUCKET_NANOS - 1, BUCKET_NANOS) * BUCKET_NANOS; // whole 100 ms buckets of history
    long stretch = sentNanos - from;
    if (stretch < Math.max(probeInterval(), 2 * Math.max(2 * SECOND, fitWindow()))) return;
    double admitted = (admittedBetween(READS, from, sentNanos) + admittedBetween(WRITES, from, sentNanos)) * 1e9
        / stretch;
    highWater = Math.max(highWater, Math.min(rate, admitted));
  }

  /** Quiet time before a ceiling under the high water is raised back to it. @GuardedBy("this") */
  private long reboundWait() {
    return Math.max(probeInterval(), reboundWaitNanos);
  }

  /** A refused write ({@link #onThrottled(long, long, long, boolean)}). */
  public synchronized double onThrottled(long sentNanos, long nowNanos, long retryAfterNanos) {
    return onThrottled(sentNanos, nowNanos, retryAfterNanos, true);
  }

  /**
   * A request sent at {@code sentNanos} was refused with 429, answered at {@code nowNanos}.
   *
   * @param retryAfterNanos the Retry-After the target gave, or a negative number when it gave none
   * @param write           a write (estimated from admitted writes; a read from admitted reads)
   * @return the pace to use from now on
   */
  public synchronized double onThrottled(long sentNanos, long nowNanos, long retryAfterNanos, boolean write) {
    // Sent before the last change, or during the pause its refusal asked for (a caller that held a permit from before
    // the pause, or passed the pacer between the answer and the pause): already accounted for.
    int kind = write ? WRITES : READS;
    if (!ramping && !Double.isInfinite(rate)) noteHighWater(sentNanos); // the quiet stretch this 429 ends
    lastRefusalSentNanos = Math.max(lastRefusalSentNanos, sentNanos);
    if (retryAfterNanos < 0 && lockout.open(kind)) {
      lockout.refused(sentNanos); // the lockout's own, or sent before it began: either way it started no new one
      return rate;
    }
    if (sentNanos < changedNanos || sentNanos < pauseEndNanos) {
      tightenByLaterRefusal(kind, sentNanos, nowNanos, retryAfterNanos);
      return rate;
    }
    if (retryAfterNanos < 0) {
      // No Retry-After: how long the target refuses is read from when it takes requests again (SilentLockout), and this
      // refusal is counted then, as if it had said so. Meanwhile the tries go out two a round trip, at most half the pace:
      // each one the target refuses is a 429 more, and the pace until then says nothing. (Not slower: a caller sleeps
      // until the slot it was given unless the pace rises far enough to wake it, so a pace of a few a second held the
      // queue for seconds after the lockout.)
      lockout.start(kind, sentNanos, nowNanos, rate);
      double tries = rttNanos > 0 ? 2e9 / rttNanos : rate;
      rate = Math.max(minRate, Math.min(rate / 2, tries));
      return rate;
    }
    throttleEvents++;
    if (rebounding) {
      // The rebound was refused: the limit is still shared (or it fell). Try again after twice the quiet time.
      rebounding = false;
      reboundWaitNanos = Math.min(MAX_REBOUND_WAIT_NANOS, 2 * reboundWait());
    }
    longestRetryAfterNanos = Math.max(longestRetryAfterNanos, retryAfterNanos);
    long span = Math.max(SECOND, longestRetryAfterNanos);
    // The first refusal of an unpaced start (--rate-limit none) against a short window: what got through was a burst,
    // which says little of the rate (a token bucket of small burst admits a fraction of its rate in it, the client's
    // slow start may have sent less than the target admits), and it is no paced window a fixed window's fit can use.
    boolean unpacedBurst = Double.isInfinite(rate) && shortWindow();
    if (!unpacedBurst) fits[kind].refused(sentNanos);
    // What the ramp that followed such a burst got through since the burst's pause ended (read before it moves).
    long sincePause = burstAdmitted > 0 ? admittedBetween(kind, pauseEndNanos, sentNanos) : 0;
    double estimate = retryAfterNanos < 0 ? rate / 2 : estimate(kind, sentNanos, retryAfterNanos) * headroom;
    // Against a short window the estimate from Retry-After (whole seconds) is rough, and what the target admitted in
    // the second before the refusal is about its limit once the pace is near it (a sliding log or a GCRA admit their
    // rate; a fixed window or a bucket up to twice it: not after the ramp, whose pace may be far above the limit).
    double lastSecond = shortWindow() ? admittedPerSecond(kind, sentNanos - SECOND, sentNanos) * headroom : 0;
    // Against a short window, what it admitted over one window before the refusal, with no pause in between, is at
    // least its limit (a sliding log admits its limit exactly, a fixed window or a bucket at least that): no pace above
    // it is worth a probe (read as the ceiling).
    if (!ramping && !unpacedBurst && shortWindow() && sentNanos - span >= Math.max(pauseEndNanos, changedNanos)) {
      ceiling = Math.min(ceiling, admittedBetween(kind, sentNanos - span, sentNanos) * 1e9 / span);
    }
    // From the previous refusal to this one: a token bucket was empty at both, so what it admitted in between is its
    // rate exactly, the refill of the pause included (a window admits less in between: the pause is lost to it).
    long sinceNanos = lastRefusedSentNanos == Long.MIN_VALUE ? 0 : sentNanos - lastRefusedSentNanos;
    double sinceRefusal = sinceNanos >= 2 * SECOND && sinceNanos <= HISTORY_NANOS
        ? admittedBetween(kind, lastRefusedSentNanos, sentNanos) * 1e9 / sinceNanos : 0;
    // Twice the same within 3 %: a bucket's rate (a window's differs with the phase of the refusals and the pauses).
    boolean steadySince = sinceRefusal > 0 && Math.abs(sinceRefusal - lastSinceRefusal) <= 0.03 * sinceRefusal;
    lastSinceRefusal = sinceRefusal;
    lastRefusedSentNanos = sentNanos;
    pauseEndNanos = retryAfterNanos > 0 ? nowNanos + retryAfterNanos : nowNanos;
    // The ramp after an unpaced burst was refused once it got as many through since the pause as the burst got in its
    // last window (within 2 %): a window's quota, both times (a sliding log admits its limit after the pause as before
    // it, a fixed window whose window began at the pause its quota; a bucket its burst and its refill since, more the
    // longer the ramp ran).
    boolean windowQuota = ramping && burstAdmitted > 0 && kind == burstKind
        && Math.abs(sincePause - burstAdmitted) <= burstAdmitted / 50;
    long quota = burstAdmitted;
    if (!unpacedBurst) burstAdmitted = 0;
    double next;
    double wasSafe = safeRate;
    if (!Double.isInfinite(rate)) lastRefusedRate = rate;
    if (unpacedBurst) {
      // Ramp from the burst's estimate (or what the last second admitted, when more) as --rate-limit auto ramps from
      // 50/s: its refusal sets the ceiling, and probes, a bucket's rate from refusal to refusal and a fixed window's
      // fit go on from there. (Pacing at the estimate and probing from it took minutes against a small burst.)
      next = Math.max(estimate, lastSecond);
      ramping = true;
      burstAdmitted = admittedBetween(kind, Math.max(firstAdmittedNanos[kind], sentNanos - span), sentNanos);
      burstKind = kind;
    } else if (windowQuota) {
      // A window of that quota: it is the ceiling, paced at the headroom under it (no probe within 5 % of it).
      ceiling = Math.min(ceiling, quota * 1e9 / span);
      next = Math.min(rate, ceiling * headroom);
      ramping = false;
      probeRefused = true;
    } else if (ramping && !Double.isInfinite(rate) && shortWindow() && (firstAdmittedNanos[kind] == Long.MIN_VALUE
        || sentNanos - firstAdmittedNanos[kind] < LOOKBACKS_NANOS[0])) {
      // Refused sooner after the first admission than the shortest look-back (a limit under the initial pace): the
      // estimate rests on a handful of admissions (2/s against a one-token bucket of 30/s, probed back up over 25 s),
      // so the ramp goes on from it, under the refused pace (its refusal is then estimated from a longer history).
      next = Math.min(estimate, rate);
      ceiling = Math.min(ceiling, rate);
    } else if (ramping) {
      next = Math.min(estimate, rate);
      if (!Double.isInfinite(rate)) ceiling = Math.min(ceiling, rate);
      ramping = false;
      // Against a short window, what the last second of a ramp that held requests back admitted is at least the limit
      // (a sliding log or a GCRA admit their rate, a fixed window or a bucket more): it goes on there as a probe, back
      // to the estimate if refused. A fixed window's refusal then tells its quota exactly (FixedWindowFit), and the
      // sooner the better.
      if (lastSecond > next && stepWaited * 2 >= stepAdmitted && stepAdmitted > 0) {
        safeRate = next;
        next = lastSecond;
      }
    } else if (safeRate > 0 && rate > safeRate) {
      // The probe overshot: back to the last safe pace, or the estimate when higher. (Not to what the target admitted
      // in the last second: a fixed window admitted the probe's pace then, its previous window not being spent.)
      next = Math.max(safeRate, Math.min(estimate, rate * 0.95));
      // A refused probe found the limit near: creep more slowly towards it, since each refused probe costs a
      // pause (a whole window at a short one) for a gain of a few percent.
      creep = Math.max(MIN_CREEP, creep / 4);
      probeRefused = true;
      ceiling = Math.min(ceiling, rate);
    } else {
      // This pace was not safe: down to the estimate, and at least 5 % (against a short window, not below what it
      // admitted in the last second).
      next = Math.min(Math.max(estimate, lastSecond), rate * 0.95);
      ceiling = Math.min(ceiling, rate);
      safeRate = 0;
    }
    // A pace that ran a whole probe interval without a 429, refused now, having got far less through since the
    // previous refusal than it sends, was spending a burst (a token bucket's, refilled by the pause): what got through
    // from refusal to refusal, the bucket empty at both, is its rate. (A window admits less in between, its pause is
    // lost; the pace it refuses is not far above what it admits.)
    boolean bucket = wasSafe > 0 && rate <= wasSafe && steadySince && sinceRefusal < 0.85 * rate;
    if (bucket) {
      next = Math.min(next, sinceRefusal * headroom);
      safeRate = 0;
    }
    // No pace is kept above the headroom under the ceiling (a pace a refusal showed to be at or above the limit).
    if (shortWindow()) next = Math.min(next, ceiling * headroom);
    FixedWindowFit.Counts fit = bucket || !shortWindow() ? null : fits[kind].perWindow(fitWindow());
    boolean underFitted = fittedPace > 0 && rate <= fittedPace * 1.001;
    if (fit != null && fit.agree() && !underFitted) {
      // The refusals fit fixed windows: their quota is known exactly, and an even pace under it is never refused.
      // (Phases near the true one fit too, with a count a request or two off, and the true one is among them: the least.)
      double fixed = fit.least() * FIXED_HEADROOM * 1e9 / fitWindow();
      next = Math.min(rate, fixed);
      fittedPace = next;
      ceiling = fixed / FIXED_HEADROOM;
      safeRate = 0;
      probeRefused = true;
      creep = Math.max(creep, FITTED_CREEP);
      lastRefusedRate = ceiling; // a probe that holds above it says the quota rose
    } else if (underFitted && rate * JITTER_TRIM >= fittedPace * FITTED_FLOOR) {
      // Refused at or under the pace a fit gave: arrivals bunched (a stall of either host), the quota is still known.
      // A percent less, not the 5 % or more of a pace found too fast: each such refusal costs a window anyway.
      next = rate * JITTER_TRIM;
    } else if (fit != null && !fit.agree() && rate > fit.most() * 1e9 / fitWindow()) {
      // They fit fixed windows of any quota in a range (the paces where the windows began were alike): pace at the top
      // of it, so that the next refusal, if it comes, tells which.
      next = Math.max(next, fit.most() * 1e9 / fitWindow() * FIXED_HEADROOM);
    }
    if (underFitted && next < fittedPace * FITTED_FLOOR) fittedPace = 0; // refused again and again: not a fit any more
    probeStep = 0.02;
    stepStartNanos = nowNanos;
    stepAdmitted = 0;
    stepWaited = 0;
    stepRttNanos = 0;
    setRate(next, nowNanos);
    estimatedPace = longWholeSeconds(retryAfterNanos) && rate == estimate ? rate : 0;
    estimatedKind = kind;
    return rate;
  }

  /**
   * An admission while a lockout of {@code kind} is open: one of a request sent after its first refusal was answered
   * ends it, and that refusal is counted with the wait read from the lockout as its Retry-After (the pace it had is
   * restored first: the tries' pace was no estimate). The lockout was the pause: a refusal of a request sent before
   * this admission is its own, not a new one.
   * @GuardedBy("this")
   */
  private double lockoutAdmitted(int kind, long sentNanos, boolean write) {
    if (!lockout.endsWith(sentNanos)) return rate;
    long firstSent = lockout.firstSentNanos();
    long firstAnswered = lockout.firstAnsweredNanos();
    rate = lockout.paceBefore();
    long wait = lockout.close(sentNanos);
    onThrottled(firstSent, firstAnswered, wait, write);
    pauseEndNanos = sentNanos;
    changedNanos = Math.max(changedNanos, sentNanos);
    stepStartNanos = sentNanos;
    return rate;
  }

  /**
   * A refusal of the stretch the last counted one began (its request sent later, before the pace changed), when that
   * one set the pace from its estimate against a long window. Each refusal's whole-second Retry-After was rounded up at
   * another instant, and one sent after the wait's rounding stepped down says the quota comes back up to a second
   * sooner than the first one said. Its estimate rests on the same facts (what the target admitted, and that it admits
   * nothing before then), so the pace rises to it when higher. A sliding log that runs out at the ramp's pace refuses
   * for a round trip: at 200 ms the rounding steps within it one time in five.
   * @GuardedBy("this")
   */
  private void tightenByLaterRefusal(int kind, long sentNanos, long nowNanos, long retryAfterNanos) {
    if (estimatedPace == 0 || rate != estimatedPace || kind != estimatedKind || sentNanos <= lastRefusedSentNanos
        || !longWholeSeconds(retryAfterNanos)) {
      return;
    }
    double later = estimate(kind, sentNanos, retryAfterNanos) * headroom;
    if (later > rate && later < ceiling * headroom) {
      setRate(later, nowNanos);
      estimatedPace = rate;
    }
  }

  /** A Retry-After of whole seconds, over 2 s: a long window's wait, rounded up. */
  private static boolean longWholeSeconds(long retryAfterNanos) {
    return retryAfterNanos > 2 * SECOND && retryAfterNanos % SECOND == 0;
  }

  /**
   * Whether every Retry-After was at most 2 s: a short window, where an overshoot costs a second or two.
   * @GuardedBy("this")
   */
  private boolean shortWindow() {
    return longestRetryAfterNanos > 0 && longestRetryAfterNanos <= 2 * SECOND;
  }

  /** The window fixed windows are fitted with: the longest Retry-After, in whole seconds. @GuardedBy("this") */
  private long fitWindow() {
    // Without Retry-After the waits read from lockouts are under the window (a refusal late in a window of 2 s waits
    // less than a second): lockouts that all ended on the boundaries of one phase of 2 s windows say 2 s.
    if (longestRetryAfterNanos <= 2 * SECOND && lockout.endsFit(2 * SECOND)) return 2 * SECOND;
    return Math.max(SECOND, longestRetryAfterNanos / SECOND * SECOND);
  }

  /** Time a pace must run without a 429 to be safe. @GuardedBy("this") */
  private long probeInterval() {
    if (minProbeIntervalNanos == 0 || longestRetryAfterNanos <= 0) return probeIntervalNanos;
    long window = (long) (PROBE_WINDOWS * longestRetryAfterNanos);
    return Math.max(minProbeIntervalNanos, Math.min(probeIntervalNanos, window));
  }

  /**
   * The growth over a step of {@code seconds}: {@code f^seconds} for the growth per second
   * {@code f = exp(budget / latency)}, within [1.1, maxRampFactor] (see the class comment).
   */
  private double rampFactor(double meanRttSeconds, double seconds) {
    double perSecond = meanRttSeconds <= 0 ? maxRampFactor : Math.exp(RAMP_BUDGET_SECONDS / meanRttSeconds);
    perSecond = Math.max(1.1, Math.min(maxRampFactor, perSecond));
    return Math.pow(perSecond, seconds);
  }

  private void setRate(double next, long nowNanos) {
    rate = Math.max(minRate, next);
    changedNanos = nowNanos + 1;
  }

  /**
   * Admitted requests of {@code kind} per second sent from {@code from} (its 100 ms bucket's start, to which the
   * span is widened) to {@code to}. @GuardedBy("this")
   */
  private double admittedPerSecond(int kind, long from, long to) {
    long first = Math.floorDiv(from, BUCKET_NANOS);
    return admittedBetween(kind, from, to) * 1e9 / Math.max(1, to - first * BUCKET_NANOS);
  }

  /** Admitted requests of {@code kind} sent from {@code from} to {@code to} (by 100 ms bucket). @GuardedBy("this") */
  private long admittedBetween(int kind, long from, long to) {
    long admitted = 0;
    for (long b = Math.floorDiv(from, BUCKET_NANOS), last = Math.floorDiv(to, BUCKET_NANOS); b <= last; b++) {
      int slot = (int) Math.floorMod(b, (long) BUCKETS);
      if (bucketOf[kind][slot] == b) admitted += counts[kind][slot];
    }
    return admitted;
  }

  /** max over look-backs of admitted / (look-back + retry-after), per second. @GuardedBy("this") */
  private double estimate(int kind, long sentNanos, long retryAfterNanos) {
    long first = firstAdmittedNanos[kind];
    if (first == Long.MIN_VALUE) return minRate;
    long nowBucket = Math.floorDiv(sentNanos, BUCKET_NANOS);
    // A Retry-After in whole seconds was rounded up: the quota came back up to a second earlier. Against a short
    // window (at most 2 s) that second is most of the wait, so take the middle of what it could have been.
    long wait = retryAfterNanos >= SECOND && retryAfterNanos <= 2 * SECOND && retryAfterNanos % SECOND == 0
        ? retryAfterNanos - SECOND / 2 : retryAfterNanos;
    double best = 0;
    for (long lookback : LOOKBACKS_NANOS) {
      long from = Math.max(first, sentNanos - lookback);
      long fromBucket = Math.floorDiv(from, BUCKET_NANOS);
      long admitted = 0;
      for (long b = fromBucket; b <= nowBucket; b++) {
        int slot = (int) Math.floorMod(b, (long) BUCKETS);
        if (bucketOf[kind][slot] == b) admitted += counts[kind][slot];
      }
      double seconds = (Math.max(0, sentNanos - from) + wait) / 1e9;
      if (seconds > 0) best = Math.max(best, admitted / seconds);
      if (from == first) break; // longer look-backs see the same history
    }
    return Math.max(minRate, best);
  }

  @Override
  public synchronized String toString() {
    return "RateLearner[rate=" + rate + (ramping ? ", ramping" : "") + ", safe=" + safeRate + ", ceiling=" + ceiling
        + ", throttleEvents=" + throttleEvents + "]";
  }
}
