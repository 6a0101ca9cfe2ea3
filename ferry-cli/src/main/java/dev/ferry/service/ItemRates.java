package dev.ferry.service;

import dev.ferry.core.time.Ticker;
import java.util.Arrays;

/**
 * Items per second through this process over the last minute: received (stored by a delivery), and settled by how:
 * done, failed for good, or back to the queue for a later attempt (retried). Received above done + failed means
 * the queue grows. Sixty one-second buckets on the ticker; a rate is the count in the buckets of the last
 * {@link #WINDOW_SECONDS} seconds divided by that window, or by the time since the start when the process is younger
 * than the window (at least one second).
 *
 * <p>Threadsafe: every method is synchronized (request and item threads add, status readers read; a few operations a
 * second).
 */
final class ItemRates {
  static final int WINDOW_SECONDS = 60;

  enum Kind { RECEIVED, DONE, FAILED, RETRIED }

  /** Rates per second over {@code seconds} (the window, or less in a young process). */
  record Snapshot(double received, double done, double failed, double retried, double seconds) {}

  private final Ticker ticker;
  private final long startNanos;
  private final long[][] counts = new long[Kind.values().length][WINDOW_SECONDS];
  /** The absolute second (since start) each bucket holds; a bucket of an older second counts as empty. */
  private final long[] bucketSecond = new long[WINDOW_SECONDS];

  ItemRates(Ticker ticker) {
    this.ticker = ticker;
    this.startNanos = ticker.read();
    Arrays.fill(bucketSecond, -1);
  }

  void add(Kind kind) {
    add(kind, 1);
  }

  synchronized void add(Kind kind, int n) {
    long second = second(ticker.read());
    int i = (int) (second % WINDOW_SECONDS);
    if (bucketSecond[i] != second) {
      for (long[] c : counts) c[i] = 0;
      bucketSecond[i] = second;
    }
    counts[kind.ordinal()][i] += n;
  }

  synchronized Snapshot perSecond() {
    long now = ticker.read();
    long second = second(now);
    long[] sums = new long[Kind.values().length];
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      if (bucketSecond[i] < 0 || second - bucketSecond[i] >= WINDOW_SECONDS) continue;
      for (Kind k : Kind.values()) sums[k.ordinal()] += counts[k.ordinal()][i];
    }
    double span = Math.clamp((now - startNanos) / 1e9, 1, WINDOW_SECONDS);
    return new Snapshot(sums[0] / span, sums[1] / span, sums[2] / span, sums[3] / span, span);
  }

  private long second(long nowNanos) {
    return Math.max(0, nowNanos - startNanos) / 1_000_000_000L;
  }
}
