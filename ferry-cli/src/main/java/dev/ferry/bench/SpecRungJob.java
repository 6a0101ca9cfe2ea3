package dev.ferry.bench;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.NetworkSettings;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecJobs;
import dev.ferry.spec.SpecRun;
import dev.ferry.spec.SpecSettings;
import dev.ferry.steps.LimitRule;
import dev.ferry.steps.TargetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A rung of a job spec's study: the run's slice of the spec's source ({@link SpecSlices}) planned with {@link
 * SpecJobs#plan} and wired with {@link SpecRun#open}, the library wiring {@code ferry run} uses (the spec's targets,
 * their stated or learned limits shared by the workers, its steps, batchers and sink). Every wait of the steps (rate
 * permits of requests or of weights such as tokens, 429 pauses, back-offs) goes through a {@link WaitCounter}, so the
 * verdict can tell a paced run from a slow target. Not threadsafe: one study at a time.
 */
public final class SpecRungJob implements RungJob {
  private final List<JobSpec> runs;
  private final JobSpec warmup;
  private final Settings settings;

  /**
   * How the rungs' jobs run. Immutable.
   *
   * @param dryRun                 render every request, send nothing
   * @param requestTimeout         per-request timeout of targets without their own
   * @param maxAttempts            attempts per call for transient failures
   * @param maxConsecutiveFailures failed rows in a row that stop a rung's job (0 = never)
   * @param network                proxies and trust, as {@code ferry run} reads them; null in a dry run
   * @param baseDir                the directory relative paths of the spec were resolved against
   */
  public record Settings(boolean dryRun, Duration requestTimeout, int maxAttempts, int maxConsecutiveFailures,
      NetworkSettings network, Path baseDir) {
    public Settings {
      Objects.requireNonNull(requestTimeout, "requestTimeout cannot be null");
      Objects.requireNonNull(baseDir, "baseDir cannot be null");
      if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
  }

  /**
   * @param runs   the spec of each measured run, round by round ({@code rounds × ladder}), each with its own slice
   * @param warmup the spec of the unmeasured JVM warm-up (its own slice), or null when there is none
   */
  public SpecRungJob(List<JobSpec> runs, JobSpec warmup, Settings settings) {
    this.runs = List.copyOf(runs);
    this.warmup = warmup;
    this.settings = Objects.requireNonNull(settings, "settings cannot be null");
  }

  /** The targets' limits as the spec states them: "crm: 100 requests per 1s; index: auto". */
  public static String describeLimits(JobSpec spec) {
    return String.join("; ", spec.targets().stream().map(t -> t.name() + ": " + t.limits().describe()).toList());
  }

  /**
   * Requests per second the client is held to when the spec has one target whose only stated limit counts requests
   * (what the verdict compares the request rate with); 0 otherwise.
   */
  public static double requestLimit(JobSpec spec) {
    if (spec.targets().size() != 1) return 0;
    TargetConfig t = spec.targets().get(0);
    if (t.limits().auto() || t.limits().rules().size() != 1) return 0;
    LimitRule r = t.limits().rules().get(0);
    return r.isRequests() ? r.amount() * 1e9 / r.per().toNanos() : 0;
  }

  @Override
  public Started start(JobStore store, String jobId, int run, int workers, int concurrency, Consumer<String> phase)
      throws IOException, InterruptedException {
    JobSpec spec = run < 0 ? Objects.requireNonNull(warmup, "no warm-up slice") : runs.get(run);
    phase.accept("planning");
    SpecSettings stored = new SpecSettings(spec.file(), spec.text(), settings.baseDir(), spec.storedParams(),
        settings.dryRun(), workers, concurrency, null, settings.requestTimeout().toMillis());
    JobRecord job = SpecJobs.plan(store, jobId, spec, stored, WallClock.system());
    if (job.totalRows() == 0) {
      throw new BenchException(String.format("the source's slice for %s holds no record (%s): the source holds"
              + " fewer records than the rungs need; lower --max-records or shorten --workers",
          run < 0 ? "the JVM warm-up" : "run " + (run + 1), SpecJobs.source(spec).describe()));
    }
    CallMetrics metrics = new CallMetrics();
    WaitCounter waits = new WaitCounter(Sleeper.system(), Ticker.system());
    RunOptions options = RunOptions.of(workers, concurrency, "bench")
        .withMaxConsecutiveFailures(settings.maxConsecutiveFailures());
    SpecRun.Options runOptions = new SpecRun.Options(settings.dryRun(), options, metrics, settings.requestTimeout(),
        RetryPolicy.builder().maxAttempts(settings.maxAttempts()).build(), null, WallClock.system(),
        MetricsRecorder.none(), settings.network(), waits);
    SpecRun opened = SpecRun.open(store, job, spec, runOptions);
    // a spec's pre-warmed lookups are resolved before the rung is timed, as the import's organizations are
    phase.accept("pre-warming lookups");
    try {
      opened.steps().prewarm(options.admission(), opened.runner()::stopping, opened.runner()::requestStop, m -> { });
    } catch (InterruptedException | RuntimeException e) {
      opened.close();
      throw e;
    }
    long toDo = job.totalRows() - store.counts(jobId).total();
    return new Started(opened.runner(), toDo, metrics, waits::nanos, opened::close);
  }
}
