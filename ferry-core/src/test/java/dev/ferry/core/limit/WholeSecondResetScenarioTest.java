package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.VirtualImport.Algorithm;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rate-limit headers of a fixed window whose reset is stated in whole seconds, rounded up (a window that ends in 0.3 s
 * says 1 s), against windows short enough for that second to matter, beginning anywhere after the run's start: a trial
 * against a Python server of 30 per fixed 3 s reached 80-85 % of its limit, whichever convention it sent. Pacing what
 * was left over the stated reset near a window's end left most of it unspent when the window turned (and a spent
 * window waited out the rounded second): 86-90 % of 30 per 3 s and 96-98 % of 300 per 10 s here. With the
 * boundaries fitted from where {@code remaining} jumps back up ({@link WindowPhase}), 98.5 % and more.
 */
class WholeSecondResetScenarioTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long[] PHASES_MS = {0, 150, 370, 550, 700, 850};

  /** quota, window in seconds, latency in ms, window stated (the IETF policy's w) or not (X-RateLimit-*). */
  static Stream<Arguments> windows() {
    return Stream.of(Arguments.of(30, 3, 20L), Arguments.of(100, 1, 20L), Arguments.of(300, 10, 20L),
        Arguments.of(30, 3, 50L), Arguments.of(300, 10, 50L))
        .flatMap(a -> Stream.of(true, false).map(w -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], w)));
  }

  @ParameterizedTest(name = "fixed {0} per {1} s, {2} ms, window stated: {3}")
  @MethodSource("windows")
  void wholeSecondResetsOfAShortFixedWindowAreNotPacedShort(int quota, int windowSeconds, long latencyMs,
      boolean statesWindow) {
    for (long phase : PHASES_MS) {
      // Given fixed windows of `quota` per `windowSeconds`, beginning `phase` after the run's start, whose answers state
      // the quota with resets in whole seconds rounded up
      VirtualImport.Target t = new VirtualImport.Target();
      t.algorithm = Algorithm.FIXED;
      t.rateLimit = (double) quota / windowSeconds;
      t.windowNanos = windowSeconds * S;
      t.latencyNanos = x -> latencyMs * MS;
      t.phaseNanos = phase * MS;
      t.headers = true;
      t.statesWindow = statesWindow;
      // When an import runs for a minute with --rate-limit auto
      VirtualImport run = new VirtualImport(t, Limit.gradientBuilder().build(), 0, RateLearner.withDefaults(), true,
          1).run(60);
      double share = run.meanAccepted(0, 60) / run.ceiling();
      System.out.printf("fixed %d per %d s, %d ms, window stated %s, windows from %d ms: %.1f %% of the ceiling, %d "
          + "refused (sent at %s ns)%n", quota, windowSeconds, latencyMs, statesWindow, phase, 100 * share,
          run.throttled, run.throttledSentNanos);
      // Then it reaches 97 % of the ceiling (a window turning when most of its budget was still to spend once cost
      // 10-14 % of 30 per 3 s)
      assertThat(share).as("share, windows from %d ms", phase).isGreaterThanOrEqualTo(0.97);
      // and nothing sent after the first window is refused (the unpaced start's requests, sent before the first
      // answer, can spend the first window of 30 before its end: a pre-existing first-window refusal, left alone)
      assertThat(run.throttledSentNanos).as("refused, windows from %d ms", phase)
          .allMatch(sent -> sent < phase * MS + windowSeconds * S);
    }
  }
}
