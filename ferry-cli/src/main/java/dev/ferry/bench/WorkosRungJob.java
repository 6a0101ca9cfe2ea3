package dev.ferry.bench;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.AuthFailureException;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.TargetUnusableException;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.recipes.workos.WorkosImport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A rung of the WorkOS import's study: the rung's sample through the same code path as {@code ferry import-users}
 * ({@link WorkosImport#plan}, {@link WorkosImport#prewarm}, {@link WorkosImport#run}; an {@link HttpTarget} with one
 * smooth rate limiter shared by all workers). The in-process simulator is reset before every rung. Not threadsafe:
 * one study at a time.
 */
final class WorkosRungJob implements RungJob {
  private final BenchSpec spec;
  private final Ticker ticker;
  private final Sleeper sleeper;
  /**
   * One limiter for the whole study, as for one job: an external target is not reset between rungs, so a
   * fresh limiter per rung would not know the previous rung's last requests and could overrun the target's
   * window at the start of the next one.
   */
  private RateLimiter limiter;

  WorkosRungJob(BenchSpec spec, Ticker ticker, Sleeper sleeper) {
    this.spec = spec;
    this.ticker = ticker;
    this.sleeper = sleeper;
  }

  /**
   * One GET before the ladder, so that an unreachable target or a refused key stops the study at once instead
   * of being measured as a slow one.
   *
   * @throws BenchException when the target does not answer or refuses the key
   */
  @Override
  public void preflight() throws InterruptedException {
    if (spec.dryRun()) return;
    if (spec.sim() != null) spec.sim().reset();
    HttpTarget probeTarget = new HttpTarget(spec.apiUrl(), spec.apiKey(), spec.requestTimeout(), limiter(),
        RetryPolicy.builder().maxAttempts(1).build(), sleeper, ticker,
        () -> ThreadLocalRandom.current().nextDouble(), new CallMetrics());
    try {
      ApiResponse r = probeTarget.call(ApiCall.get("/user_management/users?limit=1", "preflight"));
      if (r.status() == 0) throw new BenchException("cannot reach " + spec.apiUrl() + ": " + r.error());
    } catch (AuthFailureException e) {
      throw new BenchException(e.getMessage());
    } catch (TargetUnusableException e) {
      throw new BenchException("cannot reach " + spec.apiUrl() + ": " + e.getMessage());
    } finally {
      probeTarget.close();
    }
  }

  @Override
  public Started start(JobStore store, String jobId, int run, int workers, int concurrency, Consumer<String> phase)
      throws IOException, InterruptedException {
    if (spec.sim() != null) spec.sim().reset();
    Path sample = spec.samples().get(Math.max(0, run));
    ImportSettings settings = new ImportSettings(spec.dryRun() ? "" : spec.apiUrl().toString(), spec.dryRun(),
        null, null, spec.createOrgIfMissing(), null, false, Map.of(), true,
        new ImportSettings.RunDefaults(workers, concurrency, RateLimitSpec.rate(spec.rateLimit()),
            spec.requestTimeout().toMillis()));
    phase.accept("planning");
    JobRecord job = WorkosImport.plan(store, jobId, sample, spec.chunkSize(), settings, WallClock.system(), w -> {});
    CallMetrics metrics = new CallMetrics();
    HttpTarget target = spec.dryRun() ? null : target(metrics);
    try {
      RunOptions options = RunOptions.of(workers, concurrency, "bench")
          .withMaxConsecutiveFailures(spec.maxConsecutiveFailures());
      WorkosImport imp = new WorkosImport(store, job, target, options, WallClock.system());
      phase.accept("pre-warming organizations");
      imp.prewarm(m -> {});
      long toDo = job.totalRows() - store.counts(jobId).total();
      BulkJobRunner runner = imp.runner();
      return new Started(runner, toDo, metrics, () -> -1, () -> {
        if (target != null) target.close();
      });
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (target != null) target.close();
      throw e;
    }
  }

  private RateLimiter limiter() {
    if (limiter == null) {
      limiter = spec.rateLimit() > 0 ? RateLimiter.smooth(spec.rateLimit() * spec.paceShare(), ticker)
          : RateLimiter.unlimited(ticker);
    }
    return limiter;
  }

  private HttpTarget target(CallMetrics metrics) {
    return new HttpTarget(spec.apiUrl(), spec.apiKey(), spec.requestTimeout(), limiter(),
        RetryPolicy.builder().maxAttempts(spec.maxAttempts()).build(), sleeper, ticker,
        () -> ThreadLocalRandom.current().nextDouble(), metrics);
  }
}
