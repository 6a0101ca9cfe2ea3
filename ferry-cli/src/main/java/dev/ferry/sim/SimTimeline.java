package dev.ferry.sim;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-second API call counters since the start or the last {@code /__reset} (what {@code GET /__timeline}
 * serves): calls that arrived in each second, and how many of them were refused with 429. Seconds are
 * counted from the state's start on the simulator's clock; the first hour is kept, later calls are counted
 * in the last second kept.
 *
 * <p>Threadsafe: each counter is one slot of an {@link AtomicLongArray}; a rendering reads them one by one
 * (calls arriving meanwhile may or may not be in it).
 */
final class SimTimeline {
  static final int SECONDS = 3600;
  private static final long SECOND = 1_000_000_000L;

  private final long startNanos;
  private final AtomicLongArray requests = new AtomicLongArray(SECONDS);
  private final AtomicLongArray rateLimited = new AtomicLongArray(SECONDS);

  SimTimeline(long startNanos) {
    this.startNanos = startNanos;
  }

  /** Nanoseconds from the start to {@code nowNanos}. */
  long sinceStart(long nowNanos) {
    return nowNanos - startNanos;
  }

  /** An API call arrived at {@code nowNanos}. */
  void arrived(long nowNanos) {
    requests.incrementAndGet(slot(nowNanos));
  }

  /** An API call that arrived at {@code arrivedNanos} was refused with 429. */
  void rateLimited(long arrivedNanos) {
    rateLimited.incrementAndGet(slot(arrivedNanos));
  }

  private int slot(long nowNanos) {
    return (int) Math.max(0, Math.min(SECONDS - 1, (nowNanos - startNanos) / SECOND));
  }

  /**
   * {@code {"seconds":[{"second":0,"requests":N,"rate_limited":M},...]}}: every second from the start up to
   * the one {@code nowNanos} falls in, included.
   */
  byte[] render(long nowNanos) {
    int last = slot(nowNanos);
    StringBuilder sb = new StringBuilder(64 + 48 * (last + 1)).append("{\"seconds\":[");
    for (int i = 0; i <= last; i++) {
      if (i > 0) sb.append(',');
      sb.append("{\"second\":").append(i).append(",\"requests\":").append(requests.get(i))
          .append(",\"rate_limited\":").append(rateLimited.get(i)).append('}');
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
