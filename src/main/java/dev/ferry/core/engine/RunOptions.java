package dev.ferry.core.engine;

import java.time.Duration;

/**
 * Settings of one run of a bulk job. Immutable.
 *
 * @param workers                chunks processed at once
 * @param concurrency            rows in flight per chunk
 * @param lease                  chunk lease length (renewed every third of it)
 * @param maxConsecutiveFailures failures in a row that pause the job (0 = never)
 * @param flushInterval          longest time an outcome waits before it is written to the store
 * @param flushBatch             outcomes written per store transaction at most
 * @param workerId               this process's id in chunk leases
 */
public record RunOptions(int workers, int concurrency, Duration lease, int maxConsecutiveFailures,
    Duration flushInterval, int flushBatch, String workerId) {
  public RunOptions {
    if (workers < 1) throw new IllegalArgumentException("workers must be >= 1");
    if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
    if (maxConsecutiveFailures < 0) throw new IllegalArgumentException("maxConsecutiveFailures must be >= 0");
    if (flushBatch < 1) throw new IllegalArgumentException("flushBatch must be >= 1");
  }

  public static RunOptions of(int workers, int concurrency, String workerId) {
    return new RunOptions(workers, concurrency, Duration.ofSeconds(30), 50, Duration.ofMillis(200), 1000,
        workerId);
  }

  public RunOptions withMaxConsecutiveFailures(int n) {
    return new RunOptions(workers, concurrency, lease, n, flushInterval, flushBatch, workerId);
  }
}
