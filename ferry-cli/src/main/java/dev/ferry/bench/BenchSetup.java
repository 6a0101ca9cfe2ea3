package dev.ferry.bench;

import java.util.List;

/**
 * What a study ran against and how, for the reports. Immutable.
 *
 * @param mode             "simulator", "external" or "dry-run"
 * @param target           where the calls went ("http://127.0.0.1:PORT (in-process simulator)", the URL, or "")
 * @param latencyMs        the simulator's latency; NaN when not the simulator
 * @param jitterMs         the simulator's jitter (± ms); NaN when not the simulator
 * @param serverRateLimit  the simulator's write limit (req/s; 0 = none); NaN when not the simulator
 * @param serialMs         the simulator's serialised section per call; NaN when not the simulator
 * @param ladder           worker counts
 * @param concurrency      rows in flight per worker
 * @param records          rows in each rung's sample
 * @param chunkSize        rows per chunk
 * @param warmupSeconds    longest warm-up of a rung
 * @param rungSeconds      longest window of a rung
 * @param rounds           runs of each rung (the best is kept)
 * @param notes            lines that explain the setup (how the concurrency was chosen, what the sample is, ...)
 */
public record BenchSetup(String mode, String target, double latencyMs, double jitterMs, double serverRateLimit,
    double serialMs, List<Integer> ladder, int concurrency, long records, int chunkSize, double warmupSeconds,
    double rungSeconds, int rounds, List<String> notes) {
  public BenchSetup {
    ladder = List.copyOf(ladder);
    notes = List.copyOf(notes);
  }
}
