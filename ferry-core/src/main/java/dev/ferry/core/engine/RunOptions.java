package dev.ferry.core.engine;

import dev.ferry.core.exec.Admission;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.metrics.MetricsRecorder;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one run of a bulk job. Immutable (the row limiter and the metrics recorder it may name are shared,
 * threadsafe collaborators).
 *
 * @param workers                chunks being started at once (a worker opens its next chunk while the rows of
 *                               its last one drain)
 * @param concurrency            rows in flight per worker, over all its open chunks (fixed concurrency;
 *                               ignored with a row limiter)
 * @param lease                  chunk lease length (renewed every third of it)
 * @param maxConsecutiveFailures failures in a row that pause the job (0 = never)
 * @param flushInterval          longest time an outcome waits before it is written to the store
 * @param flushBatch             outcomes written per store transaction at most
 * @param workerId               this process's id in chunk leases
 * @param rowLimiter             when not null (adaptive concurrency), bounds the rows in flight of the whole
 *                               run instead of {@code concurrency} per worker
 * @param metrics                told about the run's rows and chunks, besides the runner's own {@link JobProgress}
 *                               ({@link MetricsRecorder#none()} when nothing else listens)
 * @param rowTimeout             longest a row may run ({@link Duration#ZERO}: no limit); a row still running then is
 *                               interrupted and recorded {@code failed}, retryable, code {@code row_timeout}
 *                               (unless it ends {@code done}), so {@code resume} sends it again
 * @param waitForHeldChunks      when nothing is left to claim but other processes hold chunks of the job, wait and
 *                               take over those whose lease runs out (true, the default) instead of returning
 * @param chunkWaits             told when the run starts such a wait ({@link ChunkWaitListener#NONE}: nobody)
 */
public record RunOptions(int workers, int concurrency, Duration lease, int maxConsecutiveFailures,
    Duration flushInterval, int flushBatch, String workerId, ConcurrencyLimiter rowLimiter, MetricsRecorder metrics,
    Duration rowTimeout, boolean waitForHeldChunks, ChunkWaitListener chunkWaits) {
  public RunOptions {
    Objects.requireNonNull(chunkWaits, "chunkWaits cannot be null");
    Objects.requireNonNull(metrics, "metrics cannot be null");
    Objects.requireNonNull(rowTimeout, "rowTimeout cannot be null");
    if (rowTimeout.isNegative()) throw new IllegalArgumentException("rowTimeout must not be negative");
    if (workers < 1) throw new IllegalArgumentException("workers must be >= 1");
    if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
    if (maxConsecutiveFailures < 0) throw new IllegalArgumentException("maxConsecutiveFailures must be >= 0");
    if (flushBatch < 1) throw new IllegalArgumentException("flushBatch must be >= 1");
  }

  /** Options that report to no recorder but the runner's own progress. */
  public RunOptions(int workers, int concurrency, Duration lease, int maxConsecutiveFailures, Duration flushInterval,
      int flushBatch, String workerId, ConcurrencyLimiter rowLimiter) {
    this(workers, concurrency, lease, maxConsecutiveFailures, flushInterval, flushBatch, workerId, rowLimiter,
        MetricsRecorder.none(), Duration.ZERO, true, ChunkWaitListener.NONE);
  }

  public static RunOptions of(int workers, int concurrency, String workerId) {
    return new RunOptions(workers, concurrency, Duration.ofSeconds(30), 50, Duration.ofMillis(200), 1000,
        workerId, null);
  }

  public RunOptions withMaxConsecutiveFailures(int n) {
    return new RunOptions(workers, concurrency, lease, n, flushInterval, flushBatch, workerId, rowLimiter, metrics,
        rowTimeout, waitForHeldChunks, chunkWaits);
  }

  /** Chunk leases of {@code lease}: how long a chunk stays with a process that stopped renewing it. */
  public RunOptions withLease(Duration lease) {
    if (lease == null || !lease.isPositive()) throw new IllegalArgumentException("lease must be positive");
    return new RunOptions(workers, concurrency, lease, maxConsecutiveFailures, flushInterval, flushBatch, workerId,
        rowLimiter, metrics, rowTimeout, waitForHeldChunks, chunkWaits);
  }

  /** Adaptive concurrency: {@code limiter} bounds the rows in flight across all workers. */
  public RunOptions withRowLimiter(ConcurrencyLimiter limiter) {
    return new RunOptions(workers, concurrency, lease, maxConsecutiveFailures, flushInterval, flushBatch, workerId,
        limiter, metrics, rowTimeout, waitForHeldChunks, chunkWaits);
  }

  /** Reports the run's rows and chunks to {@code metrics} too (e.g. a Prometheus endpoint). */
  public RunOptions withMetrics(MetricsRecorder metrics) {
    return new RunOptions(workers, concurrency, lease, maxConsecutiveFailures, flushInterval, flushBatch, workerId,
        rowLimiter, metrics, rowTimeout, waitForHeldChunks, chunkWaits);
  }

  /**
   * Rows that run longer than {@code timeout} are interrupted and recorded failed, retryable ({@code row_timeout});
   * {@link Duration#ZERO} for no limit.
   */
  public RunOptions withRowTimeout(Duration timeout) {
    return new RunOptions(workers, concurrency, lease, maxConsecutiveFailures, flushInterval, flushBatch, workerId,
        rowLimiter, metrics, timeout, waitForHeldChunks, chunkWaits);
  }

  /**
   * Whether a run that finds nothing to claim while other processes hold chunks of the job waits for them (and takes
   * over those whose lease runs out unrenewed) or returns at once, telling {@code listener} when it starts waiting.
   */
  public RunOptions withChunkWaits(boolean wait, ChunkWaitListener listener) {
    return new RunOptions(workers, concurrency, lease, maxConsecutiveFailures, flushInterval, flushBatch, workerId,
        rowLimiter, metrics, rowTimeout, wait, listener);
  }

  /**
   * An admission for work that runs beside or before the rows with the run's whole parallelism (a recipe's
   * pre-warm): the row limiter itself under adaptive concurrency (so its calls feed and obey the same limit), else
   * a fixed workers × concurrency of its own.
   */
  public Admission admission() {
    return rowLimiter != null ? Admission.adaptive(rowLimiter) : Admission.fixed(Math.max(1, workers * concurrency));
  }

  /** Rows that may be in flight at once: the adaptive limit now, or workers × concurrency. */
  public int maxRowsInFlight() {
    return rowLimiter != null ? rowLimiter.limit() : workers * concurrency;
  }
}
