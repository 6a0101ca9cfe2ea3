package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict of a job spec's study when the calls wait for the target's pace (a limit of requests or tokens). */
class BenchPacingTest {
  private static final BenchContext SPEC = new BenchContext(2, 0, 0.95, 0, false, false, "row",
      "embeddings: 3000 requests per 1m, 1000000 tokens per 1m; qdrant: none");

  private static Rung rung(int workers, double rate, double waitSeconds, double callSeconds) {
    double seconds = 10;
    long rows = Math.round(rate * seconds);
    Latency all = new Latency(rows, 200, 250, 260, 300);
    return new Rung(workers, 1, rows, seconds, rate, rows, rate, Map.of("embed", all), all, 0, 0, 0, 0, 0, 1, 0,
        100L << 20, 10L << 20, 1L << 30, 200L << 20, true, -1, 0.2, 0.5, waitSeconds, callSeconds);
  }

  @Test
  void callsThatMostlyWaitForTheirPermitsAreARateLimit() {
    List<Rung> rungs = List.of(rung(1, 4.8, 1, 9), rung(2, 9.0, 4, 18), rung(5, 10.0, 38, 20),
        rung(10, 10.1, 90, 20));
    Verdict v = BenchAnalysis.of(rungs, SPEC).verdict();
    assertThat(v.bottleneck()).isEqualTo(Bottleneck.RATE_LIMIT);
    assertThat(v.fromWorkers()).isEqualTo(5);
    assertThat(v.sentence()).contains("from 5 workers the calls spend 66% of their time waiting",
        "1000000 tokens per 1m", "no 429s", "10.1 rows/s");
    Recommendation rec = BenchAnalysis.of(rungs, SPEC).recommendation();
    assertThat(rec.workers()).isEqualTo(5);
    assertThat(rec.ceilingNote()).contains("the target's limits (embeddings: 3000 requests per 1m",
        "near 10.1 rows/s", "more workers do not").doesNotContain("--rate-limit");
  }

  @Test
  void callsThatRarelyWaitAreJudgedByTheOtherRules() {
    List<Rung> rungs = List.of(rung(1, 5, 0.1, 10), rung(2, 10, 0.2, 20), rung(4, 19.5, 0.5, 40));
    assertThat(BenchAnalysis.of(rungs, SPEC).verdict().bottleneck()).isEqualTo(Bottleneck.NONE);
    assertThat(rung(1, 5, 1, 3).waitShare()).isEqualTo(0.25);
    assertThat(new Rung(1, 1, 0, 1, 0, 0, 0, Map.of(), Latency.NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, true, -1, 0, 0)
        .waitShare()).as("not measured").isNaN();
  }
}
