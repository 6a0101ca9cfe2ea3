package dev.ferry.core.metrics;

/** The values registered with {@link MetricsRecorder#gauge}, each with what its scope names. */
public enum Gauge {
  /** Rows that may be in flight at once: the adaptive limit now, or workers × concurrency. Scope: the job id. */
  CONCURRENCY_LIMIT,
  /** The pace of a target's shared rate limiter, in permits per second (+Inf: unlimited). Scope: the target. */
  PACE_PERMITS_PER_SECOND,
  /** Rows in the job's input. Scope: the job id. */
  JOB_ROWS,
  /** Chunks the job was planned into. Scope: the job id. */
  JOB_CHUNKS,
  /** Chunks of the job marked DONE (before this run, and by this process since). Scope: the job id. */
  JOB_CHUNKS_DONE,
  /** Tasks running in a live pool now. Scope: the pool. */
  POOL_TASKS_RUNNING,
  /** Tasks waiting in a live pool's queue now. Scope: the pool. */
  POOL_TASKS_QUEUED,
  /** Items of a service's queue waiting to be claimed (pending). Scope: the queue. */
  QUEUE_PENDING,
  /** Items of a service's queue claimed by some process and not settled yet. Scope: the queue. */
  QUEUE_CLAIMED,
  /** Items of a service's queue that failed for good (the dead-letter view). Scope: the queue. */
  QUEUE_FAILED,
  /** Age in seconds of the oldest unsettled item of a service's queue (0 when none). Scope: the queue. */
  QUEUE_OLDEST_AGE_SECONDS,
  /** Items this process runs now. Scope: the queue. */
  QUEUE_IN_FLIGHT
}
