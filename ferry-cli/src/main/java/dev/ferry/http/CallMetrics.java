package dev.ferry.http;

import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.time.Ticker;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Counters and latency histograms of the HTTP calls of one run: the in-process {@link MetricsRecorder} of HTTP
 * attempts, read by the progress bar, the report, {@code --timeline}, bench and the adaptive feedback (requests
 * in flight). Targets report to it through the SPI; it keeps every target's calls together, latencies per step.
 * Threadsafe: counters are {@link LongAdder}s and histograms {@link ConcurrentHistogram}s, both written without
 * locks by many virtual threads.
 */
public final class CallMetrics implements MetricsRecorder {
  private final LongAdder requests = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder connectionErrors = new LongAdder();
  private final LongAdder serverErrors = new LongAdder();
  private final LongAdder rateWaitNanos = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, Histogram> latencyMicros = new ConcurrentHashMap<>();
  /** Ticker reading when the first request of the run was sent; {@link #NONE} until then. Set once (CAS). */
  private final AtomicLong firstRequestNanos = new AtomicLong(NONE);
  private static final long NONE = Long.MIN_VALUE;
  private final Ticker ticker;

  /** Metrics whose first request is timed by the system ticker. */
  public CallMetrics() {
    this(Ticker.system());
  }

  /** @param ticker read when the first request starts ({@link #firstRequestNanos()}) */
  public CallMetrics(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
  }

  @Override
  public void requestStarted(String target) {
    requests.increment();
    inFlight.incrementAndGet();
    if (firstRequestNanos.get() == NONE) firstRequestNanos.compareAndSet(NONE, ticker.read());
  }

  @Override
  public void recordCallNanos(String target, String step, int status, long nanos) {
    inFlight.decrementAndGet();
    if (status >= 500) serverErrors.increment();
    latencyMicros.computeIfAbsent(step, k -> new ConcurrentHistogram(3_600_000_000L, 2))
        .recordValue(Math.max(0, Math.min(nanos / 1000, 3_600_000_000L)));
  }

  @Override
  public void rateWaitNanos(String target, long nanos) {
    rateWaitNanos.add(nanos);
  }

  @Override
  public void throttled(String target) {
    rateLimited.increment();
  }

  @Override
  public void retry(String target) {
    retries.increment();
  }

  @Override
  public void timeout(String target) {
    timeouts.increment();
  }

  @Override
  public void connectionError(String target) {
    connectionErrors.increment();
  }

  public long requests() {
    return requests.sum();
  }

  public long rateLimitedCount() {
    return rateLimited.sum();
  }

  public long retryCount() {
    return retries.sum();
  }

  public long timeoutCount() {
    return timeouts.sum();
  }

  public long connectionErrorCount() {
    return connectionErrors.sum();
  }

  public long serverErrorCount() {
    return serverErrors.sum();
  }

  /** Time attempts waited for their rate permits (the pace, 429 pauses), summed over every attempt. */
  public long rateWaitNanos() {
    return rateWaitNanos.sum();
  }

  /**
   * The ticker's reading (e.g. {@code System.nanoTime()}) when the first request of this run was sent, or empty
   * when none was sent.
   */
  public OptionalLong firstRequestNanos() {
    long n = firstRequestNanos.get();
    return n == NONE ? OptionalLong.empty() : OptionalLong.of(n);
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Latency percentiles per call type, in milliseconds; sorted by call type. */
  public Map<String, LatencySummary> latencies() {
    Map<String, LatencySummary> out = new TreeMap<>();
    latencyMicros.forEach((type, h) -> out.put(type, LatencySummary.of(h.copy())));
    return out;
  }

  /**
   * Copies of the latency histograms (microseconds) per call type, sorted by call type. A later copy minus an
   * earlier one ({@link Histogram#subtract}) gives the latencies of the calls that ended in between.
   */
  public Map<String, Histogram> histograms() {
    Map<String, Histogram> out = new TreeMap<>();
    latencyMicros.forEach((type, h) -> out.put(type, h.copy()));
    return out;
  }

  /** Percentiles of one call type. Immutable. */
  public record LatencySummary(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    /** The summary of a histogram of microseconds. */
    public static LatencySummary of(Histogram h) {
      return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }
  }
}
