package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.VirtualImport.Algorithm;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --rate-limit auto} against a limit that rises during the job (10/s becoming 40/s after 10 s: another client
 * stopped, a plan was upgraded), with and without Retry-After, in virtual time: how soon the pace follows it.
 */
class RisingLimitScenarioTest {

  static Stream<Arguments> targets() {
    return Stream.of(Algorithm.FIXED, Algorithm.SLIDING, Algorithm.BUCKET)
        .flatMap(a -> Stream.of(true, false).map(ra -> Arguments.of(a, ra)));
  }

  @ParameterizedTest(name = "{0}, Retry-After {1}")
  @MethodSource("targets")
  void aLimitThatRisesFourfoldIsFollowed(Algorithm algorithm, boolean retryAfter) {
    // Given 10/s (per 1 s window, or a bucket of a second's burst) that become 40/s after 10 s, 100 ms
    VirtualImport.Target t = VirtualImport.Target.of(algorithm, 10, 1, 100);
    t.raiseAtSecond = 10;
    t.raisedRate = 40;
    t.noRetryAfter = !retryAfter;
    // When an import runs for a minute and a half with --rate-limit auto
    VirtualImport run = new VirtualImport(t, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true, 1)
        .run(90);
    int reached = 10;
    while (reached < 90 && run.meanAccepted(reached, Math.min(90, reached + 3)) < 0.9 * 40) reached++;
    System.out.printf("SUMMARY rising 10/s -> 40/s at 10 s | %s | Retry-After %s | 90 %% of 40/s from %d s | "
        + "10-90 s %.1f %% of 40/s | last 30 s %.1f/s | %d of %d refused%n%s", algorithm, retryAfter, reached,
        100 * run.meanAccepted(10, 90) / 40, run.meanAccepted(60, 90), run.throttled, run.requests, run.trace());
    // Then a limit counted in windows is reached within 75 s of the rise (it was not within 80 s when a probe that held
    // above the last refused pace could double the creep only up to 4 % an interval: 34 % of 40/s over 10-90 s), with
    // few refused. A bucket is still followed slowly: its estimate from refusal to refusal holds the pace near the old
    // rate (27-38 % of 40/s over 10-90 s, as before)
    if (algorithm == Algorithm.BUCKET) {
      assertThat(run.meanAccepted(10, 90) / 40).isGreaterThanOrEqualTo(0.25);
    } else {
      assertThat(reached).isLessThanOrEqualTo(85);
      assertThat(run.meanAccepted(10, 90) / 40).isGreaterThanOrEqualTo(0.42);
    }
    assertThat((double) run.throttled / run.requests).isLessThan(0.015);
  }
}
