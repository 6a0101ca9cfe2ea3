package dev.ferry.bench;

import java.util.List;
import java.util.Objects;

/**
 * A finished study: setup, context, measurements and judgement. Immutable.
 *
 * @param startedAt    ISO-8601 local time the study started
 * @param totalSeconds wall time of the whole study
 */
public record BenchResult(BenchSetup setup, BenchContext context, List<Rung> rungs, BenchAnalysis analysis,
    String startedAt, double totalSeconds) {
  public BenchResult {
    Objects.requireNonNull(setup, "setup cannot be null");
    Objects.requireNonNull(context, "context cannot be null");
    rungs = List.copyOf(rungs);
    Objects.requireNonNull(analysis, "analysis cannot be null");
  }

  /** Analyses the rungs and wraps everything up. */
  public static BenchResult of(BenchSetup setup, BenchContext context, List<Rung> rungs, String startedAt,
      double totalSeconds) {
    return new BenchResult(setup, context, rungs, BenchAnalysis.of(rungs, context), startedAt, totalSeconds);
  }
}
