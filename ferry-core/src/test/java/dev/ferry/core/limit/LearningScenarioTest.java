package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.VirtualImport.Algorithm;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@code --rate-limit auto} and {@code none} against model targets that count each way (sliding log, fixed
 * window, token bucket, a GCRA with almost no burst), from 10/s to 5,000/s, in virtual time: deterministic, so
 * the goals are asserted exactly (≥ 90 % of the ceiling over the whole run and < 1 % refused from 429s
 * alone; ≥ 95 % and no 429 after the first second from rate-limit headers). Each prints its per-second trace.
 */
class LearningScenarioTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  private static VirtualImport.Target target(Algorithm algorithm, double rate, long windowSeconds, long latencyMs) {
    return VirtualImport.Target.of(algorithm, rate, windowSeconds, latencyMs);
  }

  /**
   * name, target, calls a row, and what learning from 429s alone reaches over a minute: the least share of the
   * ceiling and the most share of requests refused. The goal is 90 % and 1 %; where a way of counting
   * does not reach it yet the floor says what it does (docs/ARCHITECTURE.md, "Learning the limit"). The sliding
   * 500 per 10 s refuses 1.3 %: all but one or two of its 429s are the ramp's discovery, the requests in flight when
   * the first window's quota runs out ({@link #againstWorkOSsWindowTheRefusalsAreTheRampsDiscovery}); under 1 % takes a
   * slower ramp, which costs the fill of every other target at that latency (docs/ARCHITECTURE.md, "What a window of
   * 10 s costs").
   */
  static Stream<Arguments> targets() {
    return Stream.of(
        Arguments.of("sliding 500 per 10 s, 200 ms (WorkOS)", target(Algorithm.SLIDING, 50, 10, 200), 2, 0.92, 0.014),
        Arguments.of("fixed 200 per 1 s, 50 ms", target(Algorithm.FIXED, 200, 1, 50), 1, 0.92, 0.01),
        Arguments.of("fixed 10 per 1 s, 100 ms", target(Algorithm.FIXED, 10, 1, 100), 1, 0.88, 0.03),
        Arguments.of("fixed 3000 per 60 s, 100 ms", target(Algorithm.FIXED, 50, 60, 100), 1, 0.90, 0.05),
        Arguments.of("token bucket 100/s, 50 ms", target(Algorithm.BUCKET, 100, 1, 50), 1, 0.95, 0.01),
        Arguments.of("GCRA 1000/s (burst 10), 20 ms", gcra(1000, 20), 1, 0.86, 0.01),
        Arguments.of("token bucket 5000/s, 20 ms", target(Algorithm.BUCKET, 5000, 1, 20), 1, 0.95, 0.01),
        Arguments.of("sliding 300 per 1 s, 50 ms", target(Algorithm.SLIDING, 300, 1, 50), 1, 0.90, 0.01),
        Arguments.of("fixed 5000 per 1 s, 20 ms", target(Algorithm.FIXED, 5000, 1, 20), 1, 0.88, 0.01),
        Arguments.of("sliding 10 per 1 s, 200 ms", target(Algorithm.SLIDING, 10, 1, 200), 1, 0.88, 0.03));
  }

  private static VirtualImport.Target gcra(double rate, long latencyMs) {
    VirtualImport.Target t = target(Algorithm.BUCKET, rate, 1, latencyMs);
    t.burstSeconds = 0.01;
    return t;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void autoLearnsALimitFrom429sWhateverTheWayOfCounting(String name, VirtualImport.Target target, int calls,
      double leastShare, double mostRefused) {
    // Given a target that sends no rate-limit headers, and --rate-limit auto
    // When an import runs for a minute
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(),
        true, calls).run(60);
    double share = run.meanAccepted(0, 60) / run.ceiling();
    System.out.printf("auto, %s: %.1f %% of the ceiling, %d of %d refused%n%s", name, 100 * share, run.throttled,
        run.requests, run.trace());
    // Then it reaches its share of the ceiling over the whole run, with few requests refused
    assertThat(share).isGreaterThanOrEqualTo(leastShare);
    assertThat((double) run.throttled / run.requests).isLessThan(mostRefused);
  }

  @ParameterizedTest(name = "{0}, window stated: {3}")
  @MethodSource("withHeaders")
  void autoPacesByRateLimitHeadersWithoutA429AfterTheFirstSecond(String name, VirtualImport.Target target, int calls,
      boolean statesWindow) {
    // Given a target whose answers state its quota (the IETF policy states the window too; X- and OpenAI's do not)
    target.headers = true;
    target.statesWindow = statesWindow;
    // When an import runs for a minute with --rate-limit auto
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(),
        true, calls).run(60);
    double share = run.meanAccepted(0, 60) / run.ceiling();
    System.out.printf("headers, %s, window stated %s: %.1f %% of the ceiling, %d refused (%d after 1 s)%n%s", name,
        statesWindow, 100 * share, run.throttled, run.throttledAfterFirstSecond, run.trace());
    // Then it reaches 95 % of the ceiling, and nothing sent after the first second is refused
    assertThat(share).isGreaterThanOrEqualTo(0.95);
    assertThat(run.throttledAfterFirstSecond).isZero();
  }

  /**
   * Every target, its window stated or not; but a GCRA whose burst is far below a second's worth of its rate
   * cannot say its rate in whole-second resets without stating its window (docs/ARCHITECTURE.md).
   */
  static Stream<Arguments> withHeaders() {
    return targets().flatMap(a -> Stream.of(true, false).filter(w -> w || !a.get()[0].toString().startsWith("GCRA"))
        .map(w -> {
      Object[] g = a.get();
      VirtualImport.Target t = copy((VirtualImport.Target) g[1]);
      return Arguments.of(g[0], t, g[2], w);
        }));
  }

  private static VirtualImport.Target copy(VirtualImport.Target t) {
    VirtualImport.Target c = new VirtualImport.Target();
    c.algorithm = t.algorithm;
    c.rateLimit = t.rateLimit;
    c.windowNanos = t.windowNanos;
    c.latencyNanos = t.latencyNanos;
    c.burstSeconds = t.burstSeconds;
    c.capacity = t.capacity;
    c.phaseNanos = t.phaseNanos;
    return c;
  }

  /**
   * The targets of benchmarks/learning.sh (one call a row, fixed windows starting anywhere, headers or not) over its
   * jobs' 30 s: the least share of the ceiling and the most share of requests refused in virtual time. A whole
   * process adds its start and end (about 4 % of a 30-s job: ferry told the limit reaches 94–95 % there, 98.5 %
   * here), so a benchmark row's goal of 90 % is about 94 % here.
   */
  static Stream<Arguments> benchmarkTargets() {
    VirtualImport.Target ietf = target(Algorithm.FIXED, 300, 1, 50);
    ietf.headers = true;
    ietf.statesWindow = true;
    return Stream.of(
        Arguments.of("sliding 500 per 10 s, 200 ms", target(Algorithm.SLIDING, 50, 10, 200), 0.93, 0.025),
        Arguments.of("fixed 200 per 1 s, 50 ms", target(Algorithm.FIXED, 200, 1, 50), 0.88, 0.008),
        Arguments.of("token bucket 100/s, 50 ms", target(Algorithm.BUCKET, 100, 1, 50), 0.98, 0.008),
        Arguments.of("fixed 300 per 1 s + IETF headers, 50 ms", ietf, 0.98, 0.001));
  }

  @Test
  void againstWorkOSsWindowTheRefusalsAreTheRampsDiscovery() {
    // Given 500 per sliding 10 s (WorkOS's writes, the simulator's default), answered in 170 to 230 ms
    for (long latencyMs = 170; latencyMs <= 230; latencyMs += 10) {
      // When an import of two calls a row runs for a minute with --rate-limit auto
      VirtualImport run = new VirtualImport(target(Algorithm.SLIDING, 50, 10, latencyMs), Limit.gradientBuilder().build(),
          0, RateLearner.withDefaults(), true, 2).run(60);
      int first = 0;
      while (run.throttledPerSecond.get(first) == 0) first++;
      int discovery = run.throttledPerSecond.get(first) + run.throttledPerSecond.get(first + 1);
      System.out.printf("sliding 500 per 10 s, %d ms: %d of %d refused, %d in the discovery at %d s%n", latencyMs,
          run.throttled, run.requests, discovery, first + 1);
      // Then the requests in flight when the first window's quota ran out (the ramp's pace × the latency, about 7 % of
      // the quota) are all but two of the 429s: no probe costs more than one or two
      assertThat(discovery).isBetween(30, 40);
      assertThat(run.throttled - discovery).isLessThanOrEqualTo(2);
    }
  }

  @ParameterizedTest(name = "sliding {0} per 10 s, {1} ms")
  @CsvSource({"1000, 220", "1500, 200", "2000, 150"})
  void aLongSlidingLogRunOutLateInTheRampIsNotTakenForShortFixedWindows(int quota, long latencyMs) {
    // Given a sliding log of 10 s that the ramp runs out late (its oldest admissions leave a second or two later, so its
    // Retry-After reads like a short window's), and --rate-limit auto
    VirtualImport.Target target = target(Algorithm.SLIDING, quota / 10.0, 10, latencyMs);
    // When an import runs for a minute
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true,
        1).run(60);
    double share = run.meanAccepted(0, 60) / run.ceiling();
    System.out.printf("sliding %d per 10 s, %d ms: %.1f %% of the ceiling, %d of %d refused%n%s", quota, latencyMs,
        100 * share, run.throttled, run.requests, run.trace());
    // Then it is not fitted with fixed windows of a second or two at a tenth of its limit (20-53 % of the ceiling before
    // FixedWindowFit checked the windows before the first refusal): 88-90 %, with 2-4 % refused
    assertThat(share).isGreaterThanOrEqualTo(0.85);
    assertThat((double) run.throttled / run.requests).isLessThan(0.04);
  }

  /** Where a fixed window begins after the run's start: a real target's windows start anywhere. */
  private static final long[] PHASES_MS = {0, 150, 370, 550, 700, 850};

  @ParameterizedTest(name = "{0}")
  @MethodSource("benchmarkTargets")
  void autoOverABenchmarkJobsThirtySeconds(String name, VirtualImport.Target target, double leastShare,
      double mostRefused) {
    // Given a target of benchmarks/learning.sh (fixed windows: one run for each of six phases), and --rate-limit auto
    double share = 0;
    long refused = 0;
    long requests = 0;
    long refusedAfterFirstSecond = 0;
    long[] phases = target.algorithm == Algorithm.FIXED ? PHASES_MS : new long[] {0};
    for (long phase : phases) {
      VirtualImport.Target t = copy(target);
      t.headers = target.headers;
      t.statesWindow = target.statesWindow;
      t.phaseNanos = phase * MS;
      // When an import runs for the 30 s of the benchmark's jobs
      VirtualImport run = new VirtualImport(t, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true,
          1).run(30);
      share += run.meanAccepted(0, 30) / run.ceiling() / phases.length;
      refused += run.throttled;
      requests += run.requests;
      refusedAfterFirstSecond += run.throttledAfterFirstSecond;
      System.out.printf("30 s, %s, windows from %d ms: %.1f %% of the ceiling, %d of %d refused%n%s", name, phase,
          100 * run.meanAccepted(0, 30) / run.ceiling(), run.throttled, run.requests, run.trace());
    }
    System.out.printf("30 s, %s: %.1f %% of the ceiling, %d of %d refused (%d after 1 s)%n", name, 100 * share,
        refused, requests, refusedAfterFirstSecond);
    // Then it reaches its share of the ceiling over those 30 s, with few requests refused
    assertThat(share).isGreaterThanOrEqualTo(leastShare);
    assertThat((double) refused / requests).isLessThan(mostRefused);
    if (target.headers) assertThat(refusedAfterFirstSecond).isZero();
  }

  /** Fixed 1 s windows from 10/s to 5,000/s (latency shorter for the larger: a real API of 5,000/s answers fast). */
  static Stream<Arguments> fixedWindows() {
    return Stream.of(Arguments.of(10, 100L), Arguments.of(50, 50L), Arguments.of(200, 50L), Arguments.of(1000, 20L),
        Arguments.of(5000, 20L));
  }

  @ParameterizedTest(name = "fixed {0} per 1 s, {1} ms")
  @MethodSource("fixedWindows")
  void aFixedWindowsQuotaIsReadFromItsRefusalsWhereverItsWindowsBegin(int quota, long latencyMs) {
    // Given fixed windows of `quota` per second, beginning anywhere after the run's start, and --rate-limit auto
    double least = 1;
    double leastLastTen = 1;
    double share = 0;
    long refused = 0;
    long requests = 0;
    for (long phase : PHASES_MS) {
      VirtualImport.Target t = target(Algorithm.FIXED, quota, 1, latencyMs);
      t.phaseNanos = phase * MS;
      // When an import runs for 30 s
      VirtualImport run = new VirtualImport(t, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true,
          1).run(30);
      double s = run.meanAccepted(0, 30) / run.ceiling();
      least = Math.min(least, s);
      leastLastTen = Math.min(leastLastTen, run.meanAccepted(20, 30) / quota);
      share += s / PHASES_MS.length;
      refused += run.throttled;
      requests += run.requests;
      System.out.printf("fixed %d per 1 s, windows from %d ms: %.1f %% of the ceiling, %d of %d refused, last 10 s %.1f"
          + " %%%n", quota, phase, 100 * s, run.throttled, run.requests, 100 * run.meanAccepted(20, 30) / quota);
    }
    System.out.printf("fixed %d per 1 s: %.1f %% of the ceiling (least %.1f %%), %d of %d refused%n", quota,
        100 * share, 100 * least, refused, requests);
    // Then over the 30 s it reaches 87 % of the ceiling on average over the phases (84 % at the worst: a ramp, its
    // refusal and the one that fits the windows, each refusal idling a second), with few refused (one refusal of 10/s
    // is a tenth of a second's quota)
    assertThat(share).isGreaterThanOrEqualTo(0.87);
    assertThat(least).isGreaterThanOrEqualTo(0.84);
    assertThat((double) refused / requests).isLessThan(quota >= 50 ? 0.01 : 0.03);
    // and over the last 10 s at 94 % of it and more (96–99 % but for a probe): the quota is known
    assertThat(leastLastTen).isGreaterThanOrEqualTo(0.94);
  }

  @Test
  void aStallAfterAFixedWindowWasFittedCostsAPercentNotTheQuota() {
    // Given 200 per fixed 1 s window at 50 ms, and a server that stalls for 120 ms across a window's end: the requests
    // sent meanwhile are counted together in the next window when it ends, and that window overflows
    VirtualImport.Target target = target(Algorithm.FIXED, 200, 1, 50);
    target.phaseNanos = 370 * MS;
    target.stallAtNanos = 16_300 * MS; // across the boundary at 16.37 s
    target.stallNanos = 120 * MS;
    // When an import runs for 30 s with --rate-limit auto
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true,
        1).run(30);
    System.out.printf("fixed 200 per 1 s, stall of 120 ms: %d refused%n%s", run.throttled, run.trace());
    // Then the refusal the stall caused lowers the pace a percent: the quota is known, and a pace of 95 % of it would
    // not have kept the bunched arrivals out either
    assertThat(run.throttledPerSecond.subList(16, 18).stream().mapToInt(Integer::intValue).sum()).isPositive();
    assertThat(run.ratePerSecond.get(29)).isGreaterThanOrEqualTo(0.95 * 200);
    assertThat(run.meanAccepted(20, 30)).isGreaterThanOrEqualTo(0.95 * 200);
  }

  @Test
  void headersKeepTheBudgetWhenAStallBunchesArrivals() {
    // Given 120 per sliding 2 s stated in headers without the window (OpenAI's way), 20 ms, and a server that stalls
    // for 60 ms at 5 s: the requests sent meanwhile are counted together when it ends, and leave its window as late
    VirtualImport.Target target = target(Algorithm.SLIDING, 60, 2, 20);
    target.headers = true;
    target.stallAtNanos = 5 * S;
    target.stallNanos = 60 * MS;
    // When an import runs for 20 s with --rate-limit auto
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(),
        true, 1).run(20);
    double share = run.meanAccepted(0, 20) / run.ceiling();
    System.out.printf("headers, stall of 60 ms: %.1f %% of the ceiling, %d refused (%d after 1 s)%n%s", 100 * share,
        run.throttled, run.throttledAfterFirstSecond, run.trace());
    // Then no request is refused: the client keeps the budget in any window of its own clock, widened by how late the
    // stalled requests were answered
    assertThat(run.throttled).isZero();
    assertThat(share).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void aLimitThatRisesIsFoundAgain() {
    // Given 200 per fixed 1 s window that become 300 after 30 s
    VirtualImport.Target target = target(Algorithm.FIXED, 200, 1, 50);
    target.raiseAtSecond = 30;
    target.raisedRate = 300;
    // When an import runs for three minutes with --rate-limit auto
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(),
        true, 1).run(180);
    System.out.printf("auto, 200/s rising to 300/s at 30 s: last 30 s %.0f/s, %d of %d refused%n%s",
        run.meanAccepted(150, 180), run.throttled, run.requests, run.trace());
    // Then within two minutes it runs near the new limit (the ceiling creeps slowly until a probe holds above the
    // last refused pace, then faster and faster), and few requests are refused
    assertThat(run.meanAccepted(150, 180)).isGreaterThanOrEqualTo(0.9 * 300);
    assertThat((double) run.throttled / run.requests).isLessThan(0.01);
  }

  @Test
  void noneFillsALatencyBoundTargetWithinAFewRoundTrips() {
    // Given a target with no limit at 200 ms that serves 1,000 requests at once and slows down beyond
    VirtualImport.Target target = new VirtualImport.Target();
    target.latencyNanos = x -> 200 * MS;
    target.capacity = 1000;
    // When the best fixed setting (1,000 in flight) and --rate-limit none with adaptive concurrency run 20 s
    VirtualImport fixed = new VirtualImport(target, FixedLimit.of(1000), 0, null, false, 1).run(20);
    VirtualImport none = new VirtualImport(target, Limit.gradientBuilder().build(), 0,
        RateLearner.unlimitedUntilRefused(), true, 1).run(20);
    System.out.printf("none, latency only: fixed %.0f/s, none %.0f/s%n%s", fixed.meanAccepted(0, 20),
        none.meanAccepted(0, 20), none.trace());
    // Then none reaches the fixed setting's level within 3 s (a slow start: no pace to ramp)
    assertThat(none.meanAccepted(2, 3)).isGreaterThanOrEqualTo(0.9 * fixed.meanAccepted(2, 3));
    // and does at least 90 % of its work over the run
    assertThat(none.meanAccepted(0, 20)).isGreaterThanOrEqualTo(0.9 * fixed.meanAccepted(0, 20));
  }

  private static VirtualImport.Target bucket(double rate, double burstSeconds, long latencyMs) {
    VirtualImport.Target t = target(Algorithm.BUCKET, rate, 1, latencyMs);
    t.burstSeconds = burstSeconds;
    return t;
  }

  /**
   * name, target, and what {@code --rate-limit none} reaches over a minute: the least share of the ceiling and the most
   * share of requests refused (most of them the unpaced start's, in flight when its first 429 came back). A token bucket
   * of small burst once gave 10-30 % (its burst, read as the limit, then probes of 2 % a few seconds apart); fixed and
   * sliding windows of 1 s gave 96-97 %, a second's pause less than now (the ramp after the burst is refused once).
   */
  static Stream<Arguments> noneTargets() {
    return Stream.of(
        Arguments.of("token bucket 30/s, burst 150 ms, 5 ms (ferry sim)", bucket(30, 0.15, 5), 0.87, 0.012),
        Arguments.of("token bucket 100/s, burst 200 ms, 50 ms", bucket(100, 0.2, 50), 0.88, 0.01),
        Arguments.of("token bucket 1000/s, burst 100 ms, 5 ms", bucket(1000, 0.1, 5), 0.86, 0.01),
        Arguments.of("token bucket 30/s, burst 1 s, 50 ms", bucket(30, 1, 50), 0.97, 0.01),
        // one token (a strict GCRA): the ramp after a refusal starts from a burst's estimate far below the rate, and
        // the callers queued at it were once held to it for seconds after the pace rose (67-71 %)
        Arguments.of("token bucket 30/s of one token, 50 ms", bucket(30, 1.0 / 30, 50), 0.79, 0.015),
        Arguments.of("token bucket 100/s of one token, 50 ms", bucket(100, 0.01, 50), 0.78, 0.01),
        Arguments.of("token bucket 1000/s of one token, 5 ms", bucket(1000, 0.001, 5), 0.76, 0.01),
        Arguments.of("sliding 200 per 1 s, 50 ms", target(Algorithm.SLIDING, 200, 1, 50), 0.93, 0.01),
        Arguments.of("fixed 200 per 1 s, 50 ms", target(Algorithm.FIXED, 200, 1, 50), 0.93, 0.01),
        Arguments.of("sliding 500 per 10 s, 200 ms", target(Algorithm.SLIDING, 50, 10, 200), 0.95, 0.01));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noneTargets")
  void noneLearnsALimitFrom429sWhateverTheWayOfCounting(String name, VirtualImport.Target target, double leastShare,
      double mostRefused) {
    // Given a target said to have no limit that has one, and sends no rate-limit headers
    // When an import runs for a minute with --rate-limit none
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0,
        RateLearner.unlimitedUntilRefused(), true, 1).run(60);
    double share = run.meanAccepted(0, 60) / run.ceiling();
    System.out.printf("none, %s: %.1f %% of the ceiling, %d of %d refused%n%s", name, 100 * share, run.throttled,
        run.requests, run.trace());
    // Then the ramp from its first 429's estimate finds the limit: its share of the ceiling, with few refused
    assertThat(share).isGreaterThanOrEqualTo(leastShare);
    assertThat((double) run.throttled / run.requests).isLessThan(mostRefused);
  }

  @Test
  void noneAgainstASmallBurstRampsFromItsFirst429InsteadOfProbingFromIt() {
    // Given a token bucket of 30/s whose burst is 150 ms (4.5 tokens): the unpaced start's first 429 says ~5/s
    VirtualImport run = new VirtualImport(bucket(30, 0.15, 5), Limit.gradientBuilder().build(), 0,
        RateLearner.unlimitedUntilRefused(), true, 1).run(60);
    System.out.printf("none, bucket 30/s burst 150 ms: %d of %d refused%n%s", run.throttled, run.requests,
        run.trace());
    // Then within a few seconds it runs near the rate (the pace once rose 2 % every ~11 s from the burst's 5/s)
    assertThat(run.meanAccepted(5, 60)).isGreaterThanOrEqualTo(0.9 * 30);
  }

  @Test
  void noneStillHonoursAndLearnsFromA429() {
    // Given a target told to have no limit that has one (200 per fixed second)
    VirtualImport.Target target = target(Algorithm.FIXED, 200, 1, 50);
    // When an import runs for a minute with --rate-limit none
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0,
        RateLearner.unlimitedUntilRefused(), true, 1).run(60);
    System.out.printf("none against 200/s: %d of %d refused%n%s", run.throttled, run.requests, run.trace());
    // Then the first 429s pace it: few are refused after the first seconds, and the limit is used
    assertThat(run.meanAccepted(5, 60)).isGreaterThanOrEqualTo(0.9 * 200);
    assertThat((double) run.throttled / run.requests).isLessThan(0.05);
  }

}
