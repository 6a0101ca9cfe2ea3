package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.VirtualImport.Algorithm;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --rate-limit auto} learns a limit alone for a minute (or 40 s), then another client of the same limit (another job, a
 * second process on the same key) takes half or three quarters of it for 30 to 120 s and stops, in virtual time: how
 * soon ferry is back at 90 % of the limit. The other client's share refuses paces that held before, and each refusal
 * lowered the ceiling; the ceiling then crept up 0.05 % an interval, so against the simulator's 500 per sliding 10 s
 * ferry stayed at its share (~26/s) for 27 minutes and more after the other client stopped (the README tour's J1, seen
 * at 23/s for 13 minutes). A ceiling under a pace the target bore before now goes back to it after a quiet interval
 * ({@link RateLearner}, "Rebound"). The other client sends evenly at its rate, not slowed by its own refusals. Each
 * prints a SUMMARY line and its per-second trace.
 */
class ForeignClientScenarioTest {
  /** How long ferry has the limit to itself first: a minute, and 40 s (the end-to-end run's, one probe refused). */
  private static final int[] ALONE_SECONDS = {60, 40};

  /**
   * name, target, calls a row, and the most seconds from the other client's end to 90 % of the limit: what the learner
   * reaches with some room (at most 83 s against 10 s windows, 59 s against 1 s ones and buckets; before the rebound,
   * 150 s to 30 minutes and more).
   */
  static Stream<Arguments> targets() {
    return Stream.of(
        Arguments.of("sliding 500 per 10 s, 200 ms (simulator, WorkOS)", target(Algorithm.SLIDING, 10, 200, true), 2,
            120),
        Arguments.of("sliding 500 per 10 s, 200 ms, no Retry-After", target(Algorithm.SLIDING, 10, 200, false), 2, 120),
        Arguments.of("fixed 500 per 10 s, 100 ms", target(Algorithm.FIXED, 10, 100, true), 1, 120),
        Arguments.of("sliding 50 per 1 s, 100 ms", target(Algorithm.SLIDING, 1, 100, true), 1, 75),
        Arguments.of("fixed 50 per 1 s, 100 ms", target(Algorithm.FIXED, 1, 100, true), 1, 75),
        Arguments.of("fixed 50 per 1 s, 100 ms, no Retry-After", target(Algorithm.FIXED, 1, 100, false), 1, 75),
        Arguments.of("token bucket 50/s, 100 ms", target(Algorithm.BUCKET, 1, 100, true), 1, 75),
        Arguments.of("token bucket 50/s, 100 ms, no Retry-After", target(Algorithm.BUCKET, 1, 100, false), 1, 75));
  }

  /** A limit of 50/s counted {@code algorithm}'s way over {@code windowSeconds}, at {@code latencyMs}. */
  private static VirtualImport.Target target(Algorithm algorithm, long windowSeconds, long latencyMs,
      boolean retryAfter) {
    VirtualImport.Target t = VirtualImport.Target.of(algorithm, 50, windowSeconds, latencyMs);
    t.noRetryAfter = !retryAfter;
    return t;
  }

  private static VirtualImport.Target withForeign(VirtualImport.Target model, int alone, double share, int seconds) {
    VirtualImport.Target t = VirtualImport.Target.of(model.algorithm, model.rateLimit, model.windowNanos
        / VirtualImport.SECOND, 0);
    t.latencyNanos = model.latencyNanos;
    t.noRetryAfter = model.noRetryAfter;
    t.foreignRate = model.rateLimit * share;
    t.foreignFromSecond = alone;
    t.foreignToSecond = alone + seconds;
    return t;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void aLimitSharedForAWhileIsFoundAgainOnceTheOtherClientStops(String name, VirtualImport.Target model, int calls,
      int mostSeconds) {
    for (int alone : ALONE_SECONDS) {
      for (double share : new double[] {0.5, 0.75}) {
        for (int seconds : new int[] {30, 60, 120}) {
          recoversAfter(name, model, calls, mostSeconds, alone, share, seconds);
        }
      }
    }
  }

  /** One run of the scenario; asserts its recovery bound and its share refused. */
  private static void recoversAfter(String name, VirtualImport.Target model, int calls, int mostSeconds, int alone,
      double share, int seconds) {
    // Given a limit of 50/s that ferry has to itself for `alone` seconds, then another client sending `share` of it
    // for `seconds` (ferry's requests meet 429s its own pace did not cause)
    VirtualImport.Target t = withForeign(model, alone, share, seconds);
    int stop = alone + seconds;
    int end = stop + 300;
    // When an import runs on for 5 minutes after the other client stopped, with --rate-limit auto
    VirtualImport run = new VirtualImport(t, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true,
        calls).run(end);
    int back = stop;
    while (back < end - 3 && run.meanAccepted(back, back + 3) < 0.9 * t.rateLimit) back++;
    double refused = (double) run.throttled / run.requests;
    System.out.printf("SUMMARY foreign client | %s | alone %d s | %.0f %% of the limit for %d s | alone %.1f/s | "
        + "shared %.1f/s | 90 %% of the limit %d s after it stopped | next 5 min %.1f %% | %.2f %% refused (%d of %d)"
        + "%n%s", name, alone, 100 * share, seconds, run.meanAccepted(20, alone), run.meanAccepted(alone, stop),
        back - stop, 100 * run.meanAccepted(stop, end) / t.rateLimit, 100 * refused, run.throttled, run.requests,
        run.trace());
    // Then ferry is back at 90 % of the limit within `mostSeconds` of the other client's end, and few of its
    // requests were refused over the whole run (the other client's included none of them)
    assertThat(back - stop).as("seconds to 90 %%, alone %d s, %s %% for %d s", alone, 100 * share, seconds)
        .isLessThanOrEqualTo(mostSeconds);
    assertThat(refused).as("refused, alone %d s, %s %% for %d s", alone, 100 * share, seconds).isLessThan(0.01);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void aLimitSharedForGoodIsNotProbedAtACostOfMoreThanAPercent(String name, VirtualImport.Target model, int calls,
      int mostSeconds) {
    // Given another client that takes half of the limit from the second minute on and never stops
    VirtualImport.Target t = withForeign(model, 60, 0.5, 900);
    // When an import runs for 15 minutes with --rate-limit auto
    VirtualImport run = fifteenMinutes(t, calls);
    double refused = (double) run.throttled / run.requests;
    double left = t.rateLimit - t.foreignRate;
    System.out.printf("SUMMARY shared for good | %s | 50 %% of the limit from 60 s on | 300-900 s %.1f %% of what is "
        + "left | %.2f %% refused (%d of %d)%n", name, 100 * run.meanAccepted(300, 900) / left, 100 * refused,
        run.throttled, run.requests);
    // Then the rebounds it still tries (a minute apart at most) cost under 1 % of its requests and little of its share
    assertThat(run.meanAccepted(300, 900) / left).isGreaterThanOrEqualTo(0.92);
    assertThat(refused).isLessThan(0.01);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void aLimitFerryHasToItselfIsNotReprobedMoreOften(String name, VirtualImport.Target model, int calls,
      int mostSeconds) {
    // Given the same limit and no other client
    VirtualImport.Target t = withForeign(model, 60, 0, 0);
    // When an import runs for 15 minutes with --rate-limit auto
    VirtualImport run = fifteenMinutes(t, calls);
    double refused = (double) run.throttled / run.requests;
    System.out.printf("SUMMARY alone | %s | 15 min | 300-900 s %.1f %% of the limit | %.2f %% refused (%d of %d)%n",
        name, 100 * run.meanAccepted(300, 900) / t.rateLimit, 100 * refused, run.throttled, run.requests);
    // Then it stays near the limit with few refusals (a found limit is probed a percent or two at a time, rarely)
    assertThat(run.meanAccepted(300, 900) / t.rateLimit).isGreaterThanOrEqualTo(0.95);
    assertThat(refused).isLessThan(0.005);
  }

  /** An import of {@code calls} calls a row against {@code t} for 15 minutes with --rate-limit auto. */
  private static VirtualImport fifteenMinutes(VirtualImport.Target t, int calls) {
    return new VirtualImport(t, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true, calls).run(900);
  }
}
