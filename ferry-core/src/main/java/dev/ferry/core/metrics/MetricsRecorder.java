package dev.ferry.core.metrics;

import dev.ferry.core.spi.Outcome;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * The metrics SPI: what the executor ({@code core.exec.TaskExecutor}: every task of every front), the bulk front
 * ({@code BulkJobRunner}: rows and chunks), the HTTP targets (attempts) and the live pool (submits, queue waits,
 * outcomes) tell about their work, as it happens. It is written once, where the work is done, and everything that
 * shows numbers reads an implementation of it: the progress bar, the report, {@code --timeline} and bench read
 * {@code JobProgress} and {@code CallMetrics}; {@code LivePool.metrics()} is built from a {@link TaskTally}; a
 * backend such as Micrometer lives in an adapter outside {@code core} ({@code dev.ferry.metrics}). Every method
 * is a no-op by default, so an implementation overrides only what it keeps; units are in the method names.
 *
 * <p>Events are pushed: counters and histograms are fed by the calls below, on the threads doing the work. Values
 * only their owner knows (the adaptive concurrency limit, a target's pace, the job's size) are pulled: the owner
 * registers a {@link Gauge} once, and a backend reads it when it collects (a limit moves on every sample: reading
 * it when collected costs nothing on the hot path). What is in flight (rows, HTTP attempts) needs no
 * registration: it is the started events minus the ended ones ({@link #taskAdmitted} / {@link #taskEnded} of the
 * {@link #ROWS} executor, {@link #requestStarted} / {@link #recordCallNanos}), which a backend keeps as a gauge.
 *
 * <p>Thread-safety: implementations must be threadsafe, quick and non-blocking. They are called by many virtual
 * threads at once, on the hot path of every row and HTTP attempt, and some calls (a pool's rejected tasks) are
 * made while the caller holds its own lock. An implementation must not throw.
 */
public interface MetricsRecorder {

  /** The recorder that keeps nothing. */
  static MetricsRecorder none() {
    return NoMetrics.INSTANCE;
  }

  /**
   * A recorder that passes every event and gauge to each of {@code recorders}, in order. {@link #none()} entries
   * are left out; with a single recorder left, that recorder itself is returned.
   */
  static MetricsRecorder composite(MetricsRecorder... recorders) {
    return CompositeMetricsRecorder.of(Arrays.asList(recorders));
  }

  /**
   * The name of the executor of a job's rows (a bulk job's, and a service's queued items): its tasks in flight are
   * the rows in flight.
   */
  String ROWS = "rows";

  // ---- tasks of the executor (core.exec.TaskExecutor), whatever the front; {@code executor} names it: {@link #ROWS},
  // a live pool's name, "prewarm"

  /**
   * A task of {@code executor} got its admission permit after waiting {@code waitNanos} for it (0 when one was
   * free, or when its front admitted it and reports its own wait, as the pool's {@link #recordQueueWaitNanos}) and
   * starts now; it is in flight until its {@link #taskEnded}.
   */
  default void taskAdmitted(String executor, long waitNanos) {}

  /** A task admitted by {@link #taskAdmitted} ended after running {@code runNanos}; its permit is back. */
  default void taskEnded(String executor, long runNanos) {}

  // ---- rows of a bulk job (the bulk front)

  /** A row got its final outcome in this run. */
  default void rowSettled(Outcome outcome) {}

  /** {@code rows} rows got {@code outcome} at once (a chunk run inline, as in a dry run, is sealed in one go). */
  default void rowsSettled(Outcome outcome, long rows) {}

  /** A chunk claimed by this process was marked DONE (all its rows settled and recorded). */
  default void chunkDone() {}

  // ---- HTTP attempts (a target); {@code target} names the target (host:port), {@code step} the kind of call

  /** An attempt is being sent to {@code target} (it is in flight until its {@link #recordCallNanos}). */
  default void requestStarted(String target) {}

  /**
   * An attempt ended after {@code nanos} (from sending to the answer, the timeout or the connection error).
   *
   * @param status the HTTP status; 0 when no answer came (timeout, connection error)
   */
  default void recordCallNanos(String target, String step, int status, long nanos) {}

  /**
   * An attempt to {@code target} waited {@code nanos} for its rate permit (the target's pace, a 429's pause) before
   * it was sent; told only when it waited.
   */
  default void rateWaitNanos(String target, long nanos) {}

  /**
   * The target refused an attempt for its rate limit: a 429, a 403 whose rate-limit headers say the quota is spent, or
   * a 503 with a Retry-After (the shared pacer is paused).
   */
  default void throttled(String target) {}

  /** An attempt is made again (after a 429, a transient failure, or a reused connection the server closed). */
  default void retry(String target) {}

  /** An attempt timed out. */
  default void timeout(String target) {}

  /** An attempt could not connect, or its connection failed. */
  default void connectionError(String target) {}

  // ---- tasks of a live pool; {@code pool} is the pool's name

  /** A task was submitted to {@code pool} (counted before it is accepted or rejected). */
  default void taskSubmitted(String pool) {}

  /** A task waited {@code nanos} in the pool's queue before it started. */
  default void recordQueueWaitNanos(String pool, long nanos) {}

  /** A submitted task ended in {@code outcome}; each task ends exactly once. */
  default void taskSettled(String pool, TaskOutcome outcome) {}

  // ---- gauges

  /**
   * Registers a value read whenever a backend collects. Registered once by the value's owner; {@code value} must
   * be threadsafe and cheap (it may run on a scraping thread at any time).
   *
   * @param scope what the value belongs to: the job id, the target or the pool named in {@link Gauge}
   */
  default void gauge(Gauge gauge, String scope, DoubleSupplier value) {}

  /**
   * As {@link #gauge(Gauge, String, DoubleSupplier)}, for one of several owners of one scope told apart by
   * {@code name} (two targets of a spec on one {@code host:port} each have a pace): a backend that labels its values
   * adds the name as a label of its own; by default the name is ignored.
   */
  default void gauge(Gauge gauge, String scope, String name, DoubleSupplier value) {
    gauge(gauge, scope, value);
  }
}
