package dev.ferry.service;

/**
 * Items settled per second by this process over the last minute, by how they settled: done, failed for good, or
 * back to the queue for a later attempt (retried). Sixty one-second buckets on the ticker; a rate is the count in
 * the buckets of the last {@link #WINDOW_SECONDS} seconds divided by that window, or by the time since the start
 * when the process is younger than the window (at least one second).
 *
 * <p>Threadsafe: every method is synchronized (item threads add, status readers read; a few operations a second).
 */
final class SettleRates {
  static final int WINDOW_SECONDS = 60;

  enum Kind { DONE, FAILED, RETRIED }

  /** Rates per second over {@code seconds} (the window, or less in a young process). */
  record Snapshot(double done, double failed, double retried, double seconds) {}

  private final long startNanos;
  private final long[][] counts = new long[Kind.values().length][WINDOW_SECONDS];
  /** The absolute second (since start) each bucket holds; a bucket of an older second counts as empty. */
  private final long[] bucketSecond = new long[WINDOW_SECONDS];

  SettleRates(long nowNanos) {
    this.startNanos = nowNanos;
    java.util.Arrays.fill(bucketSecond, -1);
  }

  synchronized void add(Kind kind, long nowNanos) {
    long second = second(nowNanos);
    int i = (int) (second % WINDOW_SECONDS);
    if (bucketSecond[i] != second) {
      for (long[] c : counts) c[i] = 0;
      bucketSecond[i] = second;
    }
    counts[kind.ordinal()][i]++;
  }

  synchronized Snapshot perSecond(long nowNanos) {
    long second = second(nowNanos);
    long[] sums = new long[Kind.values().length];
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      if (bucketSecond[i] < 0 || second - bucketSecond[i] >= WINDOW_SECONDS) continue;
      for (Kind k : Kind.values()) sums[k.ordinal()] += counts[k.ordinal()][i];
    }
    double span = Math.clamp((nowNanos - startNanos) / 1e9, 1, WINDOW_SECONDS);
    return new Snapshot(sums[0] / span, sums[1] / span, sums[2] / span, span);
  }

  private long second(long nowNanos) {
    return Math.max(0, nowNanos - startNanos) / 1_000_000_000L;
  }
}
