package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bottleneck rules and the recommendation over synthetic ladders (no clock, no network). */
class BenchAnalysisTest {
  private static final BenchContext SIM_50 = new BenchContext(2, 50, 0.985, 0, false, true, "user");
  private static final BenchContext NO_LIMIT = new BenchContext(2, 0, 0.985, 0, false, true, "user");
  private static final BenchContext SERIAL_2MS = new BenchContext(2, 0, 0.985, 2, false, true, "user");
  private static final BenchContext DRY = new BenchContext(2, 0, 0.985, 0, true, false, "user");

  /** A rung measured for 20 s with 2 calls a row; latency and CPU as given. */
  static RungBuilder rung(int workers, double rowsPerSecond) {
    return new RungBuilder(workers, rowsPerSecond);
  }

  static final class RungBuilder {
    final int workers;
    final double rate;
    int concurrency = 1;
    double callsPerRow = 2;
    double p50 = 200;
    double p95 = 245;
    long rateLimited;
    double cpuCores = 0.05;
    double gcShare;
    double hostCpu = 0.2;
    long live = 50L << 20;
    long max = 1024L << 20;
    double seconds = 20;

    RungBuilder(int workers, double rate) {
      this.workers = workers;
      this.rate = rate;
    }

    RungBuilder concurrency(int c) {
      concurrency = c;
      return this;
    }

    RungBuilder latency(double p50, double p95) {
      this.p50 = p50;
      this.p95 = p95;
      return this;
    }

    RungBuilder status429(long n) {
      rateLimited = n;
      return this;
    }

    RungBuilder cpu(double cores) {
      cpuCores = cores;
      return this;
    }

    RungBuilder host(double share) {
      hostCpu = share;
      return this;
    }

    RungBuilder gc(double share) {
      gcShare = share;
      return this;
    }

    RungBuilder liveHeap(long liveMb, long maxMb) {
      live = liveMb << 20;
      max = maxMb << 20;
      return this;
    }

    /** The window lasts {@code s} seconds (default 20). */
    RungBuilder window(double s) {
      seconds = s;
      return this;
    }

    RungBuilder dry() {
      callsPerRow = 0;
      return this;
    }

    Rung build() {
      long rows = Math.round(rate * seconds);
      long requests = Math.round(rows * callsPerRow);
      Latency all = requests == 0 ? Latency.NONE : new Latency(requests, p50, p95, p95 * 1.05, p95 * 1.2);
      Map<String, Latency> per = requests == 0 ? Map.of() : Map.of("create_user", all, "create_membership", all);
      return new Rung(workers, concurrency, rows, seconds, rows / seconds, requests, requests / seconds, per, all, rateLimited, rateLimited, 0, 0, 0,
          cpuCores * seconds, gcShare * seconds, live * 2, live, max, 300L << 20, true, -1, hostCpu, 1.0);
    }
  }

  static List<Rung> ladder(RungBuilder... builders) {
    List<Rung> out = new ArrayList<>();
    for (RungBuilder b : builders) out.add(b.build());
    return out;
  }

  @Test
  void aPlateauAtTheConfiguredLimitIsTheRateLimit() {
    // Given: 2.5 users/s a worker, capped at 24.6 users/s (49.25 req/s of a 50 req/s limit)
    List<Rung> rungs = ladder(rung(1, 2.5), rung(2, 5), rung(4, 10), rung(8, 19.8), rung(16, 24.6));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, SIM_50);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.RATE_LIMIT);
    assertThat(a.verdict().fromWorkers()).isEqualTo(16);
    assertThat(a.verdict().sentence()).contains("49.2 req/s", "98% of the 50 req/s limit", "24.6 users/s");
    assertThat(a.recommendation().workers()).isEqualTo(16);
    assertThat(a.recommendation().ceilingRate()).isCloseTo(24.625, within(0.01));
    assertThat(a.recommendation().inFlightForCeiling()).isEqualTo(10);
    assertThat(a.recommendation().ceilingNote()).contains("--workers 11 --concurrency 1");
    assertThat(a.scaling().get(4).speedup()).isCloseTo(9.84, within(0.01));
    assertThat(a.scaling().get(4).efficiency()).isCloseTo(0.615, within(0.001));
  }

  @Test
  void aSpecThatAlreadyLearnsItsLimitIsNotToldToUseAuto() {
    // Given: a spec's study whose one target learns its limit (limits: auto) and met 429s while learning
    List<Rung> rungs = ladder(rung(1, 9), rung(2, 17), rung(4, 19.4).status429(5), rung(8, 19.7).status429(9));
    BenchContext learned = new BenchContext(2, 0, 0.95, 0, false, false, "row", "crm: auto");
    BenchContext none = new BenchContext(2, 0, 0.95, 0, false, false, "row", "crm: none");

    // When
    String learnedNote = BenchAnalysis.of(rungs, learned).recommendation().ceilingNote();
    String noneNote = BenchAnalysis.of(rungs, none).recommendation().ceilingNote();

    // Then
    assertThat(learnedNote).contains("the target's limits (crm: auto)", "while ferry learned the limits (auto)",
        "state the documented limits").doesNotContain("(or auto)");
    assertThat(noneNote).contains("state the documented limits in the spec's limits (or auto)");
    assertThat(BenchAnalysis.learnedOnly("a: auto; b: auto")).isTrue();
    assertThat(BenchAnalysis.learnedOnly("a: auto; b: auto, 20 requests per 1s")).isFalse();
    assertThat(BenchAnalysis.learnedOnly("")).isFalse();
  }

  @Test
  void status429sNameTheRateLimitEvenWithoutAConfiguredOne() {
    // Given: the client was told no limit; from 8 workers the target answers 429
    List<Rung> rungs = ladder(rung(1, 2.5), rung(2, 5), rung(4, 10), rung(8, 22).status429(40),
        rung(16, 23).status429(180));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.RATE_LIMIT);
    assertThat(a.verdict().fromWorkers()).isEqualTo(8);
    assertThat(a.verdict().sentence()).contains("429 (40 times at 8 workers)", "23 users/s");
    assertThat(a.recommendation().ceilingNote()).contains("reached at most 23 users/s (46 req/s)");
  }

  @Test
  void aFlatPlateauWithGrowingLatencyIsTheSerialisedSection() {
    // Given: 10 rows in flight a worker, a 2 ms lock per call: at most 500 req/s = 250 users/s
    List<Rung> rungs = ladder(rung(1, 24.7).concurrency(10).latency(202, 250),
        rung(2, 49.3).concurrency(10).latency(203, 251), rung(4, 98).concurrency(10).latency(204, 252),
        rung(8, 190).concurrency(10).latency(210, 262), rung(16, 245).concurrency(10).latency(325, 390));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, SERIAL_2MS);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.SERIAL_SECTION);
    assertThat(a.verdict().sentence()).contains("from 16 workers", "490 req/s), 98% of the 500 req/s",
        "202.0 → 325.0 ms");
    assertThat(a.recommendation().workers()).isEqualTo(16);
    assertThat(a.recommendation().ceilingRate()).isCloseTo(250, within(0.5));
  }

  @Test
  void reachingTheKnownSectionCapacityNamesItEvenWhenTheBaselineWasSlow() {
    // Given: a busy host slowed the 1-worker baseline, so efficiency looks high, but 16 workers send 88% of 500 req/s
    List<Rung> rungs = ladder(rung(1, 15.6).concurrency(10).latency(266, 655).host(0.97).cpu(0.3),
        rung(2, 45.3).concurrency(10).latency(217, 301), rung(4, 78.4).concurrency(10).latency(228, 432),
        rung(8, 139).concurrency(10).latency(250, 487), rung(16, 220.6).concurrency(10).latency(334, 481));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, SERIAL_2MS);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.SERIAL_SECTION);
    assertThat(a.verdict().fromWorkers()).isEqualTo(16);
    assertThat(a.verdict().sentence()).contains("441 req/s), 88% of the 500 req/s");
    assertThat(a.caveats()).hasSize(2);
    assertThat(a.caveats().get(0)).contains("≥ 90% busy during the 1-worker rung", "as little as 0.30 cores");
    assertThat(a.caveats().get(1)).contains("the 2-worker rung scaled better than linearly (145% efficiency)");
  }

  @Test
  void failedRowsAreACaveat() {
    // Given
    Rung failing = rung(2, 5).build();
    failing = new Rung(failing.workers(), 1, failing.rows(), failing.seconds(), failing.rowsPerSecond(),
        failing.requests(), failing.requestsPerSecond(), failing.latencies(), failing.allCalls(), 0, 12, 0, 12, 7,
        1, 0, 1, 1, 100, 1, true, -1, 0.1, 1);

    // When
    BenchAnalysis a = BenchAnalysis.of(List.of(rung(1, 2.5).build(), failing), NO_LIMIT);

    // Then
    assertThat(a.caveats()).singleElement().asString().contains("rows failed (7 at 2 workers)");
  }

  @Test
  void aQuietHostAndAnHonestBaselineGiveNoCaveat() {
    assertThat(BenchAnalysis.of(ladder(rung(1, 2.5), rung(2, 5), rung(4, 9.9)), NO_LIMIT).caveats()).isEmpty();
  }

  @Test
  void aFlatPlateauWithGrowingLatencyAndNoKnownLockStillNamesTheSection() {
    // Given: an external target whose throughput stops at 400 req/s while latency grows
    List<Rung> rungs = ladder(rung(1, 40).concurrency(10).latency(100, 120), rung(2, 80).concurrency(10),
        rung(4, 150).concurrency(10).latency(105, 130), rung(8, 195).concurrency(10).latency(200, 240),
        rung(16, 200).concurrency(10).latency(400, 480));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.SERIAL_SECTION);
    assertThat(a.verdict().sentence()).contains("levels off at 200 users/s (400 req/s; +3% from 8 to 16 workers)",
        "2.5 ms each");
  }

  @Test
  void linearScalingIsNone() {
    // Given: latency only, no limit: 2.5 users/s a worker all the way
    List<Rung> rungs = ladder(rung(1, 2.48), rung(2, 4.97), rung(4, 9.9), rung(8, 19.7), rung(16, 39.1));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.NONE);
    assertThat(a.verdict().sentence()).contains("near-linear up to 16 workers", "98% efficiency");
    assertThat(a.recommendation().workers()).isEqualTo(16);
    assertThat(a.recommendation().reason()).contains("--workers 16,32,64");
    assertThat(a.usl().sigma()).isLessThan(0.01);
  }

  @Test
  void saturatedCoresAreCpu() {
    // Given: a CPU-heavy job on 2 cores
    List<Rung> rungs = ladder(rung(1, 1000).cpu(1.0), rung(2, 1800).cpu(1.9), rung(4, 1950).cpu(1.96),
        rung(8, 1990).cpu(1.97));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.CPU);
    assertThat(a.verdict().fromWorkers()).isEqualTo(2);
    assertThat(a.verdict().sentence()).contains("1.90 of its 2 cores", "in-process simulator included");
    assertThat(a.recommendation().workers()).isEqualTo(4);
  }

  @Test
  void aHostBusyWithOtherProcessesIsCpuEvenWhenThisProcessUsesLittle() {
    // Given: a dry run that levels off while other processes keep the host's CPUs busy
    List<Rung> rungs = ladder(rung(1, 7344).dry().cpu(0.24).host(1), rung(2, 12488).dry().cpu(0.26).host(1),
        rung(4, 18211).dry().cpu(0.44).host(1), rung(8, 24765).dry().cpu(0.45).host(1));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, DRY);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.CPU);
    assertThat(a.verdict().sentence()).contains("2 cores were 100% busy at 8 workers", "using 0.45 of them");
  }

  @Test
  void gcTimeOrAFullHeapIsMemory() {
    // Given: GC takes 30% of the time at 8 workers
    List<Rung> gc = ladder(rung(1, 100), rung(2, 190), rung(4, 300), rung(8, 310).gc(0.3));
    // and: a heap 90% full after collections at 4 workers
    List<Rung> full = ladder(rung(1, 100), rung(2, 190), rung(4, 300).liveHeap(920, 1024), rung(8, 310));

    // When
    BenchAnalysis a = BenchAnalysis.of(gc, NO_LIMIT);
    BenchAnalysis b = BenchAnalysis.of(full, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.MEMORY);
    assertThat(a.verdict().sentence()).contains("garbage collection took 30%");
    assertThat(b.verdict().bottleneck()).isEqualTo(Bottleneck.MEMORY);
    assertThat(b.verdict().fromWorkers()).isEqualTo(4);
    assertThat(b.verdict().sentence()).contains("920 MB of its 1024 MB");
  }

  @Test
  void latencyThatGrowsWhileThroughputStillRisesIsDownstreamLatency() {
    // Given: the target slows down under load; throughput keeps rising, sublinearly
    List<Rung> rungs = ladder(rung(1, 2.5).latency(200, 250), rung(2, 4.8).latency(208, 262),
        rung(4, 9).latency(220, 290), rung(8, 15).latency(260, 360), rung(16, 24).latency(330, 600));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.DOWNSTREAM_LATENCY);
    assertThat(a.verdict().sentence()).contains("250.0 → 600.0 ms", "rows in flight go 1 → 16", "60% efficiency");
  }

  @Test
  void aFlatDryRunWithIdleCoresIsASerialisedSectionInFerry() {
    // Given: no HTTP; throughput flat at ~90k rows/s with one of two cores busy
    List<Rung> rungs = ladder(rung(1, 60_000).dry().cpu(0.9), rung(2, 88_000).dry().cpu(1.2),
        rung(4, 90_000).dry().cpu(1.2), rung(8, 91_000).dry().cpu(1.25));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, DRY);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.SERIAL_SECTION);
    assertThat(a.verdict().sentence()).contains("ferry itself", "+1% from 4 to 8 workers", "1.25 of its 2 cores");
    assertThat(a.recommendation().workers()).isEqualTo(2);
    assertThat(a.recommendation().ceilingNote()).isEmpty();
  }

  @Test
  void rungsWithoutRowsGiveAnUnexplainedVerdictAndNoFit() {
    // Given: every row failed
    List<Rung> rungs = ladder(rung(1, 0), rung(2, 0));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, NO_LIMIT);

    // Then
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.UNEXPLAINED);
    assertThat(a.usl()).isNull();
    assertThat(a.recommendation()).isNull();
  }

  @Test
  void rungsWhoseWindowIsTooShortAreNotJudged() {
    // Given: seed-like rungs of a 10-record slice each: 6, 4 and 2 rows in windows of 0.1 s and less, whose "rates"
    // would read as 377% of the limit
    List<Rung> rungs = ladder(rung(1, 60).window(0.1), rung(2, 40).window(0.1), rung(4, 176).window(0.01));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, SIM_50);

    // Then: nothing is judged, fitted or recommended, and the verdict says why and what to do
    assertThat(rungs).noneMatch(Rung::judged);
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.NOT_JUDGED);
    assertThat(a.verdict().sentence()).isEqualTo("not judged: every rung's window was too short (at most 6 users in"
        + " 0.1 s; a rung is judged from 10 users over 1 s): raise --max-records.");
    assertThat(a.usl()).isNull();
    assertThat(a.recommendation()).isNull();
    assertThat(a.scaling()).allMatch(s -> Double.isNaN(s.speedup()) && Double.isNaN(s.efficiency()));
  }

  @Test
  void aTooShortRungIsLeftOutOfTheVerdictAndTheRecommendation() {
    // Given: two judged rungs, and a largest one of 30 rows in 0.2 s (a budget of the limit spent at once) whose rate
    // looks fifteen times the others'
    List<Rung> rungs = ladder(rung(1, 5), rung(2, 10), rung(4, 150).window(0.2));

    // When
    BenchAnalysis a = BenchAnalysis.of(rungs, SIM_50);

    // Then: the judgement is that of the two judged rungs; the short one is named in a caveat
    assertThat(a.verdict().bottleneck()).isEqualTo(Bottleneck.NONE);
    assertThat(a.verdict().sentence()).contains("up to 2 workers");
    assertThat(a.recommendation().workers()).isEqualTo(2);
    assertThat(a.recommendation().ceilingNote()).doesNotContain("--workers 4 ");
    assertThat(a.scaling().get(2).efficiency()).isNaN();
    assertThat(a.caveats()).contains("the 4-worker rung is left out of the verdict, the fit and the recommendation:"
        + " too few rows to judge: 30 rows in 0.2 s; raise --max-records.");
  }

  @Test
  void aDryRunsShortWindowOfManyRowsIsJudged() {
    // Given / Then: a dry run settles rows with no call, so a tenth of a second of them is a measurement
    assertThat(rung(1, 1_000_000).dry().window(0.3).build().judged()).isTrue();
    assertThat(rung(1, 1_000_000).dry().window(0.05).build().judged()).isFalse();
    assertThat(rung(1, 100).window(0.5).build().judged()).as("50 rows of calls in half a second").isFalse();
    assertThat(rung(1, 10).window(1).build().judged()).isTrue();
  }
}
