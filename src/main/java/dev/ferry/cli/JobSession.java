package dev.ferry.cli;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.AdaptiveFeedback;
import dev.ferry.http.AttemptListener;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.Secret;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.recipes.workos.WorkosImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Runs one WorkOS import job (new or resumed) end to end: target, progress, run, state, errors file, report. */
final class JobSession {
  /** ferry paces at this share of the given rate limit, so clock skew and transit jitter never cause a 429. */
  static final double HEADROOM = 0.985;

  private final StateDir state;
  private final JobStore store;
  private final RunFlags flags;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> env;

  JobSession(StateDir state, JobStore store, RunFlags flags, PrintWriter out, PrintWriter err, Map<String, String> env) {
    this.state = state;
    this.store = store;
    this.flags = flags;
    this.out = out;
    this.err = err;
    this.env = env;
  }

  int run(JobRecord job, boolean resumed) throws IOException, InterruptedException {
    ImportSettings settings = ImportSettings.fromJson(job.config());
    Secret key = settings.dryRun() ? null : ApiKeys.load(flags.apiKeyFile, env);
    if (resumed) {
      WorkosImport.verifyInput(job);
      store.releaseAllLeases(job.id());
      store.reopenRetryable(job.id());
    }
    job = store.updateStatus(job.id(), JobStatus.RUNNING, "", WallClock.system().millis());
    int workers = flags.workersOr(settings.run().workers());
    int concurrency = flags.concurrencyOr(settings.run().concurrency());
    double rate = flags.rateLimit != null ? flags.rateLimit : settings.run().rateLimit();
    Duration timeout = flags.requestTimeout != null ? flags.requestTimeout
        : Duration.ofMillis(settings.run().requestTimeoutMillis());
    boolean auto = concurrency == RunFlags.AUTO;
    // Adaptive concurrency: one limit on the rows in flight of the whole run, fed by every HTTP attempt.
    // A dry run makes no calls: its rows run inline, and the limit has nothing to learn from.
    ConcurrencyLimiter rowLimiter = auto && !settings.dryRun()
        ? ConcurrencyLimiter.of(Limit.gradientBuilder().build()) : null;
    RunOptions options = RunOptions.of(workers, auto ? 1 : concurrency, "pid" + ProcessHandle.current().pid())
        .withMaxConsecutiveFailures(flags.maxConsecutiveFailures);
    if (rowLimiter != null) options = options.withRowLimiter(rowLimiter);
    CallMetrics metrics = new CallMetrics();
    HttpTarget target = null;
    AdaptiveFeedback feedback = null;
    if (!settings.dryRun()) {
      RateLimiter limiter = rate > 0 ? RateLimiter.smooth(rate * HEADROOM, Ticker.system())
          : RateLimiter.unlimited(Ticker.system());
      // With no rate limit given, auto also learns one from 429s (and ramps the pace until the first).
      if (auto) {
        feedback = new AdaptiveFeedback(rowLimiter, limiter, rate > 0 ? null : RateLearner.withDefaults(),
            metrics::inFlight);
      }
      target = new HttpTarget(apiUri(settings.apiUrl()), key, timeout, limiter,
          RetryPolicy.builder().maxAttempts(flags.maxAttempts).build(), Sleeper.system(), Ticker.system(),
          () -> ThreadLocalRandom.current().nextDouble(), metrics, feedback == null ? AttemptListener.NONE : feedback);
    }
    OutcomeCounts before = store.counts(job.id());
    try (AutoCloseable lock = state.lockJob(job.id())) {
      WorkosImport imp = new WorkosImport(store, job, target, options, WallClock.system());
      BulkJobRunner runner = imp.runner();
      Signals.onInterrupt(() -> runner.requestStop("interrupted (signal)"));
      if (!flags.quiet) {
        err.printf("ferry: job %s: %,d rows (%,d already settled), %s, %s%s%n", job.id(),
            job.totalRows(), before.total(), auto ? workers + " workers, adaptive concurrency"
                : workers + " workers x " + concurrency + " in flight",
            rate > 0 ? "rate limit " + fmt(rate) + " req/s" : "no rate limit",
            settings.dryRun() ? ", dry run" : " -> " + settings.apiUrl());
      }
      long start = System.nanoTime();
      BulkJobRunner.RunResult result;
      boolean showBar = !flags.quiet && ("always".equals(flags.progress)
          || ("auto".equals(flags.progress) && ProgressBar.isTerminal()));
      boolean plainProgress = !flags.quiet && "auto".equals(flags.progress) && !showBar;
      RateLimiter pacer = target == null ? null : target.limiter();
      java.util.function.Supplier<String> adaptiveLine = rowLimiter == null ? null
          : () -> "limit " + rowLimiter.limit() + (pacer != null && !Double.isInfinite(pacer.rate())
              ? String.format(java.util.Locale.ROOT, "  pace %.1f/s", pacer.rate()) : "");
      try (ProgressBar bar = showBar || plainProgress ? new ProgressBar(err, showBar, job.totalRows(),
          before.total(), runner.progress(), target == null ? null : metrics, adaptiveLine) : null) {
        imp.prewarm(msg -> {
          if (!flags.quiet) err.println("ferry: " + msg);
        });
        result = imp.run();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      JobRecord after = finish(job, result);
      OutcomeCounts counts = store.counts(job.id());
      Path errorsPath = flags.errorsOut != null ? flags.errorsOut : state.jobDir(job.id()).resolve("errors.csv");
      long errorRows = counts.failed() + counts.invalid() > 0 || Files.exists(errorsPath)
          ? ErrorsFile.write(store, job.id(), errorsPath) : 0;
      Report report = new Report(after, counts, after.status().name(), result.stopReason(), settings.dryRun(),
          imp.stats(), target == null ? null : metrics, elapsed, result.rowsSettled(), errorsPath.toString(), errorRows,
          rowLimiter == null ? null : new Report.Adaptive(rowLimiter.limit(), rowLimiter.lowestLimit(),
              rowLimiter.peakLimit(), feedback == null ? Double.NaN : feedback.learnedRate()));
      if (flags.json) out.println(report.jsonText());
      else out.print(report.text());
      out.flush();
      if (flags.reportJson != null) Files.writeString(flags.reportJson, report.jsonText());
      if (after.status() == JobStatus.STOPPED) return ExitCodes.STOPPED;
      return counts.failed() + counts.invalid() > 0 ? ExitCodes.ROWS_FAILED : ExitCodes.OK;
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (target != null) target.close();
    }
  }

  private JobRecord finish(JobRecord job, BulkJobRunner.RunResult result) {
    long now = WallClock.system().millis();
    if (result.stopped()) return store.updateStatus(job.id(), JobStatus.STOPPED, result.stopReason(), now);
    boolean allDone = store.chunks(job.id()).stream().allMatch(c -> c.state() == ChunkState.DONE);
    if (allDone) return store.updateStatus(job.id(), JobStatus.FINISHED, "", now);
    long leased = store.chunks(job.id()).stream().filter(c -> c.state() == ChunkState.LEASED).count();
    return store.updateStatus(job.id(), JobStatus.RUNNING, leased + " chunks held by other workers", now);
  }

  static URI apiUri(String url) {
    try {
      URI u = URI.create(url.endsWith("/") ? url : url + "/");
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new ExitException(ExitCodes.USAGE, "--api-url '" + url + "' is not an http(s) URL");
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
