package dev.ferry.bench;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.JobProgress;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.CallMetrics;
import dev.ferry.store.SqliteJobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Runs the ladder: for each worker count, a fresh job of the rung's input in a fresh state directory, through
 * the same code path as the command it stands for ({@link RungJob}: {@code ferry import-users} by default, {@code
 * ferry run} for a job spec), measured in steady state.
 *
 * <p>The window of a rung: organizations are pre-created first (not measured). The warm-up then lasts
 * {@code warmup}, or until 20% of the sample settled, whichever comes first. The window opens at the first
 * row completion after that and closes at the first completion after {@code rungTime} has passed, or as soon
 * as the rows not yet started could leave a worker idle ({@code ≤ workers × chunkSize}): so both ends sit on a
 * completion and the window holds only steady state, never the ramp-up or the drain. Then the job is stopped
 * (rows in flight finish) and its state thrown away.
 *
 * <p>Not threadsafe: one study at a time. {@link #run} blocks; the listener is called on the calling thread.
 */
public final class BenchRunner {
  private static final long POLL_NANOS = 10_000_000L;
  private static final long MEMORY_SAMPLE_NANOS = 200_000_000L;
  private static final long CLOSE_TIMEOUT_NANOS = 5_000_000_000L;
  private static final double WARMUP_SHARE = 0.2;
  private static final String MEASURED = "bench: the rung is measured";

  /** Progress callbacks; every method has a no-op default. */
  public interface Listener {
    /** A rung starts; {@code index} is 0-based, -1 for the unmeasured JVM warm-up. */
    default void rungStarting(int index, int count, int workers, int concurrency) {}

    /** A round starts (only called with more than one round); {@code round} is 0-based. */
    default void roundStarting(int round, int rounds, boolean descending) {}

    /** A phase of the current rung: "planning", "pre-warming organizations", "warming up", "measuring". */
    default void phase(int workers, String phase) {}

    /** About every 200 ms while rows run: rows and rate in the window so far (0 before it opens). */
    default void tick(int workers, String phase, double windowSeconds, long windowRows) {}

    /** A rung is measured. */
    default void rungDone(int index, Rung rung) {}
  }

  private final BenchSpec spec;
  private final Listener listener;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final ProcessProbe probe = new ProcessProbe();
  private final RungJob job;

  /** The WorkOS import's study: {@code spec}'s samples imported as {@code ferry import-users} does. */
  public BenchRunner(BenchSpec spec, Listener listener) {
    this(spec, listener, Ticker.system(), Sleeper.system());
  }

  /** A study of {@code job}'s runs (a job spec's: {@link SpecRungJob}) with {@code spec}'s ladder and windows. */
  public BenchRunner(BenchSpec spec, RungJob job, Listener listener) {
    this(spec, job, listener, Ticker.system(), Sleeper.system());
  }

  BenchRunner(BenchSpec spec, Listener listener, Ticker ticker, Sleeper sleeper) {
    this(spec, new WorkosRungJob(spec, ticker, sleeper), listener, ticker, sleeper);
  }

  BenchRunner(BenchSpec spec, RungJob job, Listener listener, Ticker ticker, Sleeper sleeper) {
    this.spec = spec;
    this.job = job;
    this.listener = listener;
    this.ticker = ticker;
    this.sleeper = sleeper;
  }

  /**
   * Runs every rung in ladder order, {@code rounds} times (even rounds up the ladder, odd rounds down, so a
   * drift in the host's load does not favour one end), and keeps each rung's best round: the one least
   * disturbed by other processes.
   *
   * @param workDir where the per-rung state directories go (each deleted after its rung)
   * @throws InterruptedException if interrupted; the current rung's job is stopped first
   */
  public List<Rung> run(Path workDir) throws IOException, InterruptedException {
    List<Integer> ladder = spec.ladder();
    job.preflight();
    if (spec.jvmWarmup().isPositive()) {
      listener.rungStarting(-1, ladder.size(), ladder.getLast(), spec.concurrency());
      runRung(-1, -1, ladder.getLast(), workDir);
    }
    List<Rung> best = new ArrayList<>(java.util.Collections.nCopies(ladder.size(), (Rung) null));
    for (int round = 0; round < spec.rounds(); round++) {
      boolean descending = round % 2 == 1;
      if (spec.rounds() > 1) listener.roundStarting(round, spec.rounds(), descending);
      for (int k = 0; k < ladder.size(); k++) {
        int i = descending ? ladder.size() - 1 - k : k;
        listener.rungStarting(i, ladder.size(), ladder.get(i), spec.concurrency());
        Rung r = runRung(i, round * ladder.size() + i, ladder.get(i), workDir);
        listener.rungDone(i, r);
        if (better(r, best.get(i))) best.set(i, r);
      }
    }
    return List.copyOf(best);
  }

  /** A judged round beats one that is not ({@link Rung#judged}); then the faster wins. */
  private static boolean better(Rung r, Rung best) {
    if (best == null) return true;
    if (r.judged() != best.judged()) return r.judged();
    return r.rowsPerSecond() > best.rowsPerSecond();
  }

  private Rung runRung(int index, int run, int workers, Path workDir) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(workDir, "rung-" + (index < 0 ? "warmup" : index + 1) + "-w" + workers + "-");
    try {
      try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("ferry.db"))) {
        String jobId = "bench-" + (index < 0 ? "warmup" : "rung" + (index + 1)) + "-w" + workers;
        try (RungJob.Started started = job.start(store, jobId, run, workers, spec.concurrency(),
            phase -> listener.phase(workers, phase))) {
          return measure(index, started, workers);
        }
      }
    } finally {
      BenchSamples.deleteTree(dir);
    }
  }

  /** What is read at both ends of the window. */
  private record Snap(long nanos, long settled, long requests, Map<String, Histogram> histograms, long cpuNanos,
      long gcMillis, long waitNanos) {}

  private Snap snap(long now, long settled, RungJob.Started started) {
    return new Snap(now, settled, started.calls().requests(), started.calls().histograms(), probe.cpuNanos(),
        probe.gcMillis(), started.waitNanos());
  }

  private Rung measure(int index, RungJob.Started started, int workers) throws InterruptedException {
    BulkJobRunner runner = started.runner();
    long toDo = started.toDo();
    CallMetrics metrics = started.calls();
    JobProgress progress = runner.progress();
    boolean rssReset = probe.resetPeakRss();
    long peakHeap = probe.heapUsed();
    long peakLive = 0;
    long peakRss = probe.rss();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<BulkJobRunner.RunResult> result = new AtomicReference<>();
    long t0 = ticker.read();
    Snap start = snap(t0, 0, started);
    Thread job = Thread.ofPlatform().name("ferry-bench-job").start(() -> {
      try {
        result.set(runner.run());
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    boolean throwaway = index < 0;
    long warmupNanos = throwaway ? spec.jvmWarmup().toNanos() : spec.warmup().toNanos();
    long warmupRows = Math.max(1, (long) (WARMUP_SHARE * toDo));
    long windowNanos = spec.rungTime().toNanos();
    long idleRisk = (long) workers * spec.chunkSize();
    Snap a = null;
    Snap b;
    boolean steady = true;
    boolean closing = false;
    long closingSince = 0;
    long last = 0;
    long nextSample = t0;
    Series series = new Series();
    double hostCpuSum = 0;
    int hostCpuSamples = 0;
    listener.phase(workers, throwaway ? "warming up the JVM" : "warming up");
    try {
      while (true) {
        sleeper.sleepNanos(POLL_NANOS);
        long now = ticker.read();
        long settled = progress.settled();
        boolean completion = settled != last;
        last = settled;
        boolean finished = !job.isAlive();
        boolean draining = toDo - settled - progress.rowsInFlight() <= idleRisk;
        if (now - nextSample >= 0) {
          nextSample = now + MEMORY_SAMPLE_NANOS;
          peakHeap = Math.max(peakHeap, probe.heapUsed());
          peakLive = Math.max(peakLive, probe.heapAfterGc());
          peakRss = Math.max(peakRss, probe.rss());
          double host = probe.hostCpuLoad();
          if (a != null && !Double.isNaN(host)) {
            hostCpuSum += host;
            hostCpuSamples++;
          }
          listener.tick(workers, a == null ? "warming up" : "measuring", a == null ? 0 : (now - a.nanos) / 1e9,
              a == null ? 0 : settled - a.settled);
        }
        if (throwaway) {
          if (finished || draining || now - t0 >= warmupNanos) {
            b = snap(now, settled, started);
            a = start;
            break;
          }
          continue;
        }
        if (a == null) {
          if (finished || draining) {
            a = start; // the sample is too small for a steady state: measure from the start
            steady = false;
            closing = true;
            closingSince = now;
          } else if (completion && (now - t0 >= warmupNanos || settled >= warmupRows)) {
            a = snap(now, settled, started);
            series.add(0, settled, a.requests);
            listener.phase(workers, "measuring");
            continue;
          }
        } else if (!closing && (now - a.nanos >= windowNanos || draining || finished)) {
          closing = true;
          closingSince = now;
        }
        if (a != null) series.add((now - a.nanos) / 1e9, settled, metrics.requests());
        if (closing && (completion || finished || now - closingSince >= CLOSE_TIMEOUT_NANOS)) {
          b = snap(now, settled, started);
          break;
        }
      }
    } finally {
      runner.requestStop(MEASURED);
      job.join();
    }
    if (failure.get() != null) throw new IllegalStateException("the rung's job failed: " + failure.get(), failure.get());
    String stop = result.get() == null ? null : result.get().stopReason();
    if (stop != null && !stop.equals(MEASURED)) {
      throw new BenchException("the job of the " + workers + "-worker rung stopped: " + stop);
    }
    peakLive = Math.max(peakLive, probe.heapAfterGc());
    if (rssReset) peakRss = Math.max(peakRss, probe.peakRss());

    Map<String, Latency> latencies = new TreeMap<>();
    Histogram all = null;
    for (Map.Entry<String, Histogram> e : b.histograms.entrySet()) {
      Histogram h = e.getValue().copy();
      Histogram before = a.histograms.get(e.getKey());
      if (before != null) h.subtract(before);
      if (h.getTotalCount() == 0) continue;
      latencies.put(e.getKey(), latency(h));
      if (all == null) all = new Histogram(h.getHighestTrackableValue(), h.getNumberOfSignificantValueDigits());
      all.add(h);
    }
    double seconds = (b.nanos - a.nanos) / 1e9;
    long rows = b.settled - a.settled;
    long requests = b.requests - a.requests;
    double rowRate = seconds > 0 ? rows / seconds : 0;
    double requestRate = seconds > 0 ? requests / seconds : 0;
    if (steady) {
      rowRate = Rung.slope(series.t, series.rows, series.n, rowRate);
      requestRate = Rung.slope(series.t, series.requests, series.n, requestRate);
    }
    return new Rung(workers, spec.concurrency(), rows, seconds, rowRate, requests, requestRate, latencies, all == null ? Latency.NONE : latency(all), metrics.rateLimitedCount(),
        metrics.retryCount(), metrics.timeoutCount(), metrics.connectionErrorCount() + metrics.serverErrorCount(),
        progress.failed(), b.cpuNanos < 0 ? 0 : (b.cpuNanos - a.cpuNanos) / 1e9, (b.gcMillis - a.gcMillis) / 1e3,
        peakHeap, peakLive, probe.heapMax(), peakRss, steady,
        spec.sim() == null ? -1 : spec.sim().stats().maxInFlight(),
        hostCpuSamples == 0 ? Double.NaN : hostCpuSum / hostCpuSamples, probe.loadAverage(),
        b.waitNanos < 0 ? Double.NaN : (b.waitNanos - a.waitNanos) / 1e9,
        b.waitNanos < 0 ? Double.NaN : all == null ? 0 : all.getMean() * all.getTotalCount() / 1e6);
  }

  /** (time, rows settled, requests sent) at every poll of the window, for the least-squares rates. */
  private static final class Series {
    double[] t = new double[1024];
    double[] rows = new double[1024];
    double[] requests = new double[1024];
    int n;

    void add(double time, long settled, long sent) {
      if (n == t.length) {
        t = java.util.Arrays.copyOf(t, n * 2);
        rows = java.util.Arrays.copyOf(rows, n * 2);
        requests = java.util.Arrays.copyOf(requests, n * 2);
      }
      t[n] = time;
      rows[n] = settled;
      requests[n] = sent;
      n++;
    }
  }

  private static Latency latency(Histogram h) {
    CallMetrics.LatencySummary s = CallMetrics.LatencySummary.of(h);
    return new Latency(s.count(), s.p50Ms(), s.p95Ms(), s.p99Ms(), s.maxMs());
  }
}
