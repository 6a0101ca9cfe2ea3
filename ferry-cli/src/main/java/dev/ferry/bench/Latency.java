package dev.ferry.bench;

/**
 * Latency percentiles of one kind of call, in milliseconds. Immutable.
 *
 * @param count calls measured
 */
public record Latency(long count, double p50, double p95, double p99, double max) {
  /** No calls. */
  public static final Latency NONE = new Latency(0, 0, 0, 0, 0);

  public boolean isEmpty() {
    return count == 0;
  }
}
