package dev.ferry.core.spi;

/** The one final outcome every input row ends in (docs/GUARANTEES.md: done + failed + invalid = rows). */
public enum Outcome {
  /** Created, or already existed. */
  DONE,
  /** The target refused the row (or retries were exhausted: then {@code retryable} is set). */
  FAILED,
  /** Rejected before any call: bad field, duplicate, malformed record. */
  INVALID
}
