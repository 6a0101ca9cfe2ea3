package dev.ferry.core.spi;

/** Life cycle of a job. */
public enum JobStatus {
  /** The input is being scanned into chunks; a crash here means the plan is redone. */
  PLANNING,
  /** Planned; chunks are waiting or being processed. */
  RUNNING,
  /** Stopped before the end (auth failure, failure run, interrupt); resumable. */
  STOPPED,
  /** Every row has an outcome. */
  FINISHED
}
