package dev.ferry.bench;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one rung of the ladder measured: one run of the sample at one worker count. Immutable.
 *
 * <p>Rates, latencies and CPU are taken over the measured window only (after the warm-up, before the drain);
 * the error counters (429s, retries, timeouts, other errors, failed rows) cover the whole rung, warm-up
 * included, so that none hides outside the window.
 *
 * @param workers         chunks processed at once
 * @param concurrency     rows in flight per worker
 * @param rows            rows settled in the window
 * @param seconds         length of the window
 * @param rowsPerSecond   throughput: the least-squares slope of rows settled against time over the window
 *                        (steadier than rows / seconds, which the rows in flight at either end of the window
 *                        can skew by up to workers × concurrency)
 * @param requests        HTTP requests sent in the window (0 in a dry run)
 * @param requestsPerSecond the least-squares slope of requests sent against time over the window
 * @param latencies       latency per call type in the window, sorted by call type
 * @param allCalls        latency of every call in the window
 * @param rateLimited     429 answers in the rung
 * @param retries         retried calls in the rung
 * @param timeouts        timed-out calls in the rung
 * @param otherErrors     connection errors and 5xx answers in the rung
 * @param failedRows      rows that ended failed in the rung
 * @param cpuSeconds      CPU time of the whole process in the window
 * @param gcSeconds       time the garbage collectors reported in the window
 * @param peakHeapBytes   most heap in use at a sample during the rung
 * @param liveHeapBytes   most heap still in use after a collection, during the rung
 * @param maxHeapBytes    the heap's limit
 * @param peakRssBytes    most resident memory of the process during the rung
 * @param steady          false when the sample ran out before the warm-up ended (the window then includes the
 *                        ramp-up)
 * @param serverMaxInFlight most calls the in-process simulator handled at once; -1 when unknown
 * @param hostCpu         mean CPU use of the whole host in the window, 0..1, other processes included; NaN
 *                        when unknown
 * @param loadAverage     the host's one-minute load average at the end of the window; NaN when unknown
 * @param waitSeconds     time the calls spent waiting in the window, summed over callers: for rate permits
 *                        (requests or weights such as tokens, stated or learned), behind a 429's pause, or in a
 *                        retry's back-off; NaN when not measured (the WorkOS import's study)
 * @param callSeconds     time the HTTP attempts of the window took, summed (their latencies); NaN when not
 *                        measured
 */
public record Rung(
    int workers,
    int concurrency,
    long rows,
    double seconds,
    double rowsPerSecond,
    long requests,
    double requestsPerSecond,
    Map<String, Latency> latencies,
    Latency allCalls,
    long rateLimited,
    long retries,
    long timeouts,
    long otherErrors,
    long failedRows,
    double cpuSeconds,
    double gcSeconds,
    long peakHeapBytes,
    long liveHeapBytes,
    long maxHeapBytes,
    long peakRssBytes,
    boolean steady,
    long serverMaxInFlight,
    double hostCpu,
    double loadAverage,
    double waitSeconds,
    double callSeconds) {

  /** @throws IllegalArgumentException on a worker count or concurrency below 1, or a negative count */
  public Rung {
    if (workers < 1 || concurrency < 1) throw new IllegalArgumentException("workers and concurrency must be >= 1");
    if (rows < 0 || seconds < 0 || requests < 0) throw new IllegalArgumentException("counts must be >= 0");
    if (!(rowsPerSecond >= 0) || !(requestsPerSecond >= 0)) throw new IllegalArgumentException("rates must be >= 0");
    latencies = Map.copyOf(new TreeMap<>(Objects.requireNonNull(latencies, "latencies cannot be null")));
    Objects.requireNonNull(allCalls, "allCalls cannot be null");
  }

  /** A rung whose waits were not measured. */
  public Rung(int workers, int concurrency, long rows, double seconds, double rowsPerSecond, long requests,
      double requestsPerSecond, Map<String, Latency> latencies, Latency allCalls, long rateLimited, long retries,
      long timeouts, long otherErrors, long failedRows, double cpuSeconds, double gcSeconds, long peakHeapBytes,
      long liveHeapBytes, long maxHeapBytes, long peakRssBytes, boolean steady, long serverMaxInFlight,
      double hostCpu, double loadAverage) {
    this(workers, concurrency, rows, seconds, rowsPerSecond, requests, requestsPerSecond, latencies, allCalls,
        rateLimited, retries, timeouts, otherErrors, failedRows, cpuSeconds, gcSeconds, peakHeapBytes, liveHeapBytes,
        maxHeapBytes, peakRssBytes, steady, serverMaxInFlight, hostCpu, loadAverage, Double.NaN, Double.NaN);
  }

  /**
   * Share of the calls' time spent waiting rather than on the wire: {@code wait / (wait + call)}, 0..1; NaN when
   * not measured or nothing was sent. Near 1, the target's pace (a limit, stated or learned) holds the workers.
   */
  public double waitShare() {
    double total = waitSeconds + callSeconds;
    return total > 0 ? waitSeconds / total : Double.NaN;
  }

  /**
   * Fewest rows a window must settle to be judged ({@link #judged}): with fewer, one row more or less at either end
   * moves the rate by 10 % or more.
   */
  public static final long MIN_JUDGED_ROWS = 10;
  /**
   * Shortest window of HTTP calls that is judged: limits count in windows of a second or more (a budget of 100 per
   * second may be spent in its first 50 ms), and one call may take hundreds of milliseconds.
   */
  public static final double MIN_JUDGED_SECONDS = 1.0;
  /** Shortest window of a dry run (no calls) that is judged: 10 polls of the rows settled. */
  public static final double MIN_JUDGED_DRY_SECONDS = 0.1;

  /**
   * True when the window is long enough to mean something: at least {@link #MIN_JUDGED_ROWS} rows over at least
   * {@link #MIN_JUDGED_SECONDS} ({@link #MIN_JUDGED_DRY_SECONDS} when the window sent no request: a dry run). A rung
   * that is not judged shows its counts but no rate or share, and the verdict, the fit and the recommendation leave
   * it out.
   */
  public boolean judged() {
    return rows >= MIN_JUDGED_ROWS && seconds >= (requests > 0 ? MIN_JUDGED_SECONDS : MIN_JUDGED_DRY_SECONDS);
  }

  /** Why a rung is not judged, for the user: "too few rows to judge: 6 rows in 0.1 s; raise --max-records". */
  public String notJudgedReason() {
    return String.format(java.util.Locale.ROOT, "too few rows to judge: %,d row%s in %.1f s; raise --max-records",
        rows, rows == 1 ? "" : "s", seconds);
  }

  /** Rows in flight at most: workers × concurrency. */
  public int inFlight() {
    return workers * concurrency;
  }

  /** HTTP requests per settled row in the window (ratio of the two rates); 0 when no row settled. */
  public double callsPerRow() {
    return rowsPerSecond > 0 ? requestsPerSecond / rowsPerSecond : 0;
  }

  /**
   * The least-squares slope of {@code y} against {@code t}; {@code fallback} with fewer than three points or no
   * spread in time. A negative slope counts as 0.
   */
  public static double slope(double[] t, double[] y, int n, double fallback) {
    if (n < 3) return fallback;
    double st = 0, sy = 0, stt = 0, sty = 0;
    for (int i = 0; i < n; i++) {
      st += t[i];
      sy += y[i];
      stt += t[i] * t[i];
      sty += t[i] * y[i];
    }
    double den = n * stt - st * st;
    if (!(den > 0)) return fallback;
    return Math.max(0, (n * sty - st * sy) / den);
  }

  /** Cores kept busy by the process in the window (CPU seconds per second). */
  public double cpuCores() {
    return seconds > 0 ? cpuSeconds / seconds : 0;
  }

  /** Share of the window the garbage collectors reported. */
  public double gcShare() {
    return seconds > 0 ? gcSeconds / seconds : 0;
  }

  /** Live heap after collections as a share of the heap's limit; 0 when the limit is unknown. */
  public double liveHeapShare() {
    return maxHeapBytes > 0 ? (double) liveHeapBytes / maxHeapBytes : 0;
  }
}
