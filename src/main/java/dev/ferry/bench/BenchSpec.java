package dev.ferry.bench;

import dev.ferry.http.Secret;
import dev.ferry.sim.SimServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run a study. Immutable (the simulator it may hold is threadsafe).
 *
 * @param ladder                 worker counts, ascending, no repeats
 * @param concurrency            rows in flight per worker, the same on every rung
 * @param chunkSize              rows per chunk
 * @param warmup                 longest warm-up of a rung before its window opens (it also ends once 20% of
 *                               the sample settled)
 * @param rungTime               longest measured window of a rung
 * @param jvmWarmup              an unmeasured run at the largest worker count before the ladder; zero = none
 * @param rounds                 how many times each rung runs (rounds alternate up and down the ladder); the
 *                               best round of each rung is kept
 * @param samples                the input of each run of a rung, round by round: {@code rounds × ladder}
 *                               files (the same file repeated, or one slice per run); empty when the study's
 *                               {@link RungJob} brings its own input (a job spec's)
 * @param dryRun                 no HTTP calls
 * @param apiUrl                 the target; null in a dry run or a job spec's study
 * @param apiKey                 the key; null in a dry run or a job spec's study
 * @param sim                    the in-process simulator, reset before every rung; null for an external target
 * @param rateLimit              requests per second the client is told; 0 = none
 * @param paceShare              share of the limit the client paces at
 * @param requestTimeout         per-request timeout
 * @param maxAttempts            attempts per call for transient failures
 * @param maxConsecutiveFailures failed rows in a row that stop a rung's job (0 = never)
 * @param createOrgIfMissing     create referenced organizations that do not exist
 */
public record BenchSpec(List<Integer> ladder, int concurrency, int chunkSize, Duration warmup, Duration rungTime,
    Duration jvmWarmup, int rounds, List<Path> samples, boolean dryRun, URI apiUrl, Secret apiKey, SimServer sim,
    double rateLimit, double paceShare, Duration requestTimeout, int maxAttempts, int maxConsecutiveFailures,
    boolean createOrgIfMissing) {

  /** @throws IllegalArgumentException on an inconsistent setting */
  public BenchSpec {
    ladder = List.copyOf(ladder);
    samples = List.copyOf(samples);
    if (ladder.isEmpty()) throw new IllegalArgumentException("the ladder is empty");
    for (int i = 0; i < ladder.size(); i++) {
      if (ladder.get(i) < 1 || (i > 0 && ladder.get(i) <= ladder.get(i - 1))) {
        throw new IllegalArgumentException("the ladder must ascend from >= 1: " + ladder);
      }
    }
    if (concurrency < 1 || chunkSize < 1) throw new IllegalArgumentException("concurrency and chunkSize must be >= 1");
    Objects.requireNonNull(warmup, "warmup cannot be null");
    Objects.requireNonNull(rungTime, "rungTime cannot be null");
    Objects.requireNonNull(jvmWarmup, "jvmWarmup cannot be null");
    if (!rungTime.isPositive()) throw new IllegalArgumentException("rungTime must be positive");
    if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1");
    if (!samples.isEmpty() && samples.size() != ladder.size() * rounds) {
      throw new IllegalArgumentException("one sample per rung and round is needed");
    }
    if (!samples.isEmpty() && !dryRun && (apiUrl == null || apiKey == null)) {
      throw new IllegalArgumentException("apiUrl and apiKey are required");
    }
    if (!(rateLimit >= 0)) throw new IllegalArgumentException("rateLimit must be >= 0");
  }
}
