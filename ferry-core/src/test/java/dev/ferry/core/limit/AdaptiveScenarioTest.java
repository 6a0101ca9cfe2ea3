package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The whole feedback loop (gradient limit, pacer, rate learner) against model targets in virtual time:
 * the acceptance scenarios, deterministic and fast. Each prints its per-second trace.
 */
class AdaptiveScenarioTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;


  private static VirtualImport.Target rateLimited(long latencyMs) {
    VirtualImport.Target t = new VirtualImport.Target();
    t.latencyNanos = x -> latencyMs * MS;
    t.rateLimit = 50;
    return t;
  }

  private static void unknownRateLimit(long latencyMs) {
    // Given a target allowing 50 requests/s in a sliding 10 s window, which ferry is not told about
    VirtualImport.Target target = rateLimited(latencyMs);
    // When a two-call-a-row import runs for two minutes with --concurrency auto --rate-limit none
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, true, 2).run(120);
    System.out.println("unknown 50/s limit, " + latencyMs + " ms\n" + run.trace() + "requests " + run.requests
        + ", 429s " + run.throttled);
    // Then the first 10 s admit at least 90 % of what the limit allows in 10 s
    assertThat(run.meanAccepted(0, 10)).isGreaterThanOrEqualTo(45);
    // and from then on the pace stays at or above 90 % of the limit
    assertThat(run.meanAccepted(14, 120)).isGreaterThanOrEqualTo(45);
    // and fewer than 1 % of the requests are refused
    assertThat((double) run.throttled / run.requests).isLessThan(0.01);
  }

  @Test
  void learnsAnUnknownRateLimitAtLowLatency() {
    unknownRateLimit(1);
  }

  @Test
  void learnsAnUnknownRateLimitAtTheSeedsLatency() {
    unknownRateLimit(200);
  }

  @Test
  void aKnownRateLimitIsPacedWithoutA429() {
    // Given the same target, and --rate-limit 50 (ferry paces at 98.5 % of it)
    VirtualImport.Target target = rateLimited(200);
    // When the import runs for a minute
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 50 * 0.985, false, 2).run(60);
    System.out.println("known 50/s limit, 200 ms\n" + run.trace());
    // Then no request is refused, the pace is kept, and few rows wait in flight
    assertThat(run.throttled).isZero();
    assertThat(run.meanAccepted(2, 60)).isGreaterThanOrEqualTo(48.5);
    assertThat(run.limitAt(59)).isLessThan(60);
  }

  @Test
  void aLatencyOnlyTargetGetsWithinTenPercentOfTheBestFixedSetting() {
    // Given a target that serves 300 requests at 200 ms and slows down beyond (a saturated server)
    VirtualImport.Target target = new VirtualImport.Target();
    target.latencyNanos = x -> 200 * MS;
    target.capacity = 300;
    // When fixed settings from 10 to 1000 rows in flight run for two minutes, and then the adaptive limit
    // with no rate limit given (so the pace ramps from 50/s too)
    double best = 0;
    for (int n : new int[] {10, 40, 100, 150, 200, 300, 400, 600, 1000}) {
      best = Math.max(best, new VirtualImport(target, FixedLimit.of(n), 0, false, 2).run(120).meanAccepted(0, 120));
    }
    VirtualImport auto = new VirtualImport(target, Limit.gradientBuilder().build(), 0, true, 2).run(120);
    System.out.println("latency-only, capacity 300 @ 200 ms; best fixed " + best + ", auto " + auto.meanAccepted(0, 120) + "\n" + auto.trace());
    // Then the adaptive limit, told nothing, gets within 10 % of the best fixed setting
    assertThat(auto.meanAccepted(0, 120)).isGreaterThanOrEqualTo(0.9 * best);
  }

  @Test
  void aFastLatencyOnlyTargetIsFilledWithinSeconds() {
    // Given a target that serves 100 requests at 5 ms (20,000/s) and slows down beyond
    VirtualImport.Target target = new VirtualImport.Target();
    target.latencyNanos = x -> 5 * MS;
    target.capacity = 100;
    // When a fixed 100 in flight and the adaptive limit with no rate limit given run for 10 s
    VirtualImport fixed = new VirtualImport(target, FixedLimit.of(100), 0, false, 1).run(10);
    VirtualImport auto = new VirtualImport(target, Limit.gradientBuilder().build(), 0, true, 1).run(10);
    System.out.println("latency-only, capacity 100 @ 5 ms; fixed 100: " + fixed.meanAccepted(0, 10) + ", auto "
        + auto.meanAccepted(0, 10) + "\n" + auto.trace());
    // Then the pace ramp (short answers: a 429 would cost little) fills it within 4 s
    assertThat(auto.meanAccepted(3, 4)).isGreaterThanOrEqualTo(0.9 * fixed.meanAccepted(3, 4));
    // and over the 10 s the adaptive run did at least 75 % of the fixed one's work
    assertThat(auto.meanAccepted(0, 10)).isGreaterThanOrEqualTo(0.75 * fixed.meanAccepted(0, 10));
  }

  @Test
  void backsOffWhenTheTargetSlowsDownAndRecoversWhenItSpeedsUp() {
    // Given a target of capacity 300 whose latency is 100 ms, 200 ms from 30 s to 60 s, then 100 ms again
    VirtualImport.Target target = new VirtualImport.Target();
    long t0 = 1_000 * S;
    target.latencyNanos = x -> x >= t0 + 30 * S && x < t0 + 60 * S ? 200 * MS : 100 * MS;
    target.capacity = 300;
    // When the import runs for 90 s
    VirtualImport run = new VirtualImport(target, Limit.gradientBuilder().build(), 0, false, 2).run(90);
    System.out.println("latency 100 ms -> 200 ms (30-60 s) -> 100 ms\n" + run.trace());
    int before = run.limitAt(29);
    // Then the limit backs off while the target is slow
    assertThat(run.minLimit(30, 40)).isLessThan(before * 3 / 4);
    // and throughput is back within 10 % once it is fast again
    assertThat(run.meanAccepted(70, 90)).isGreaterThanOrEqualTo(0.9 * run.meanAccepted(10, 30));
  }
}
