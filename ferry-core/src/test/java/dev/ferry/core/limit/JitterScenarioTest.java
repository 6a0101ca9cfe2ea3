package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.VirtualImport.Algorithm;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token buckets of one token (a strict GCRA: two requests closer than {@code 1/rate} are refused, whatever the pace
 * over a second) with arrivals jittered on the way to the server: each request reaches it a seeded random delay of up
 * to 1 or 5 ms after it left the pacer (virtual time, deterministic). No pace keeps every pair of arrivals far enough
 * apart unless its interval is {@code 1/rate} plus the jitter: at 100/s and 1 ms that is 91 % of the rate, at 5 ms 67 %,
 * at 1,000/s and 1 ms 50 % (docs/ARCHITECTURE.md, "Learning the limit"). Each refusal costs a whole-second Retry-After,
 * honoured by every caller. Each prints its per-second trace.
 */
class JitterScenarioTest {
  private static final long MS = 1_000_000L;

  private static VirtualImport.Target oneToken(double rate, long latencyMs, long jitterMs, boolean headers) {
    VirtualImport.Target t = new VirtualImport.Target();
    t.algorithm = Algorithm.BUCKET;
    t.rateLimit = rate;
    t.burstSeconds = 1 / rate;
    t.latencyNanos = x -> latencyMs * MS;
    t.jitterNanos = jitterMs * MS;
    t.headers = headers;
    t.statesWindow = headers; // the IETF policy: one token per 1/rate
    return t;
  }

  /**
   * name, target, learner ({@code auto} or {@code none}), and what a minute reaches: the least share of the rate and
   * the most share of requests refused. With headers, a 429 that comes anyway trims the stated pace 5 % ({@link
   * QuotaPace}, "Refusals"): paced at 99.5 % of the rate they reached 4–9 % (each refusal pausing everyone a second).
   * From 429s, a limit under the initial 50/s refused within half a second ramps on from its estimate ({@link
   * RateLearner}): it rose 32 % every 2.5 s from 2/s before (59–61 % of 30/s).
   */
  static Stream<Arguments> targets() {
    return Stream.of(
        Arguments.of("headers, one token 100/s, 50 ms, 1 ms jitter", oneToken(100, 50, 1, true), "auto", 0.80, 0.005),
        Arguments.of("headers, one token 30/s, 50 ms, 1 ms jitter", oneToken(30, 50, 1, true), "auto", 0.85, 0.006),
        Arguments.of("headers, one token 100/s, 50 ms, 5 ms jitter", oneToken(100, 50, 5, true), "auto", 0.52, 0.006),
        Arguments.of("headers, one token 1000/s, 5 ms, 1 ms jitter", oneToken(1000, 5, 1, true), "auto", 0.33, 0.003),
        Arguments.of("auto, one token 30/s, 50 ms, no jitter", oneToken(30, 50, 0, false), "auto", 0.84, 0.005),
        Arguments.of("auto, one token 30/s, 50 ms, 1 ms jitter", oneToken(30, 50, 1, false), "auto", 0.80, 0.005),
        Arguments.of("auto, one token 30/s, 50 ms, 5 ms jitter", oneToken(30, 50, 5, false), "auto", 0.73, 0.006),
        Arguments.of("auto, one token 100/s, 50 ms, 1 ms jitter", oneToken(100, 50, 1, false), "auto", 0.80, 0.003),
        Arguments.of("none, one token 100/s, 50 ms, 1 ms jitter", oneToken(100, 50, 1, false), "none", 0.72, 0.006));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void aOneTokenBucketWithJitteredArrivals(String name, VirtualImport.Target target, String learner,
      double leastShare, double mostRefused) {
    // Given a one-token bucket whose arrivals are jittered, with or without rate-limit headers
    RateLearner l = learner.equals("none") ? RateLearner.unlimitedUntilRefused() : RateLearner.withDefaults();
    // When an import runs for a minute
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, l, true, 1).run(60);
    double share = run.meanAccepted(0, 60) / run.ceiling();
    System.out.printf("%s: %.1f %% of the rate, %d of %d refused (%d after 1 s)%n%s", name, 100 * share,
        run.throttled, run.requests, run.throttledAfterFirstSecond, run.trace());
    // Then it reaches its share of the rate, with few requests refused
    assertThat(share).isGreaterThanOrEqualTo(leastShare);
    assertThat((double) run.throttled / run.requests).isLessThan(mostRefused);
  }
}
