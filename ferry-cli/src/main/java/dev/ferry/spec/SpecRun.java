package dev.ferry.spec;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.pool.Scheduler;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.NetworkSettings;
import dev.ferry.sinks.JsonlResultsSink;
import dev.ferry.sinks.ResultSink;
import dev.ferry.sources.RecordSource;
import dev.ferry.steps.JobSteps;
import dev.ferry.steps.RenderedRequest;
import dev.ferry.steps.template.RenderContext;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One process's run of a spec job, wired: the source's chunks, the steps (targets, limits, batchers), the results
 * sink and the engine's runner. The library builder that the CLI (and any library caller) uses instead of wiring a
 * job itself. Threadsafe as its parts; {@link #close()} once the runner returned.
 */
public final class SpecRun implements AutoCloseable {
  private final RecordSource source;
  private final JobSteps steps;
  private final ResultSink sink;
  private final BulkJobRunner runner;

  private SpecRun(RecordSource source, JobSteps steps, ResultSink sink, BulkJobRunner runner) {
    this.source = source;
    this.steps = steps;
    this.runner = runner;
    this.sink = sink;
  }

  /**
   * How to run. Immutable.
   *
   * @param dryRun         render every request, send nothing
   * @param runOptions     workers, concurrency, lease
   * @param metrics        where the calls are counted
   * @param requestTimeout per-request timeout of targets without their own
   * @param retryPolicy    retries of transient failures
   * @param rendered       told about each request a dry run renders, or null
   * @param sleeper        every wait of the steps: for rate permits, behind a 429's pause, a retry's back-off
   *                       ({@code ferry bench} counts them)
   * @param rateLimitFlag  the command takes {@code --rate-limit} for a spec of one target ({@code ferry run},
   *                       {@code resume}), so a hint about a target with no limit may name it; not {@code bench}
   */
  public record Options(boolean dryRun, RunOptions runOptions, CallMetrics metrics, Duration requestTimeout,
      RetryPolicy retryPolicy, Consumer<RenderedRequest> rendered, WallClock clock, MetricsRecorder exported,
      NetworkSettings network, Sleeper sleeper, boolean rateLimitFlag) {
    public Options {
      if (sleeper == null) sleeper = Sleeper.system();
    }

    /** No {@code --rate-limit} flag to name. */
    public Options(boolean dryRun, RunOptions runOptions, CallMetrics metrics, Duration requestTimeout,
        RetryPolicy retryPolicy, Consumer<RenderedRequest> rendered, WallClock clock, MetricsRecorder exported,
        NetworkSettings network, Sleeper sleeper) {
      this(dryRun, runOptions, metrics, requestTimeout, retryPolicy, rendered, clock, exported, network, sleeper,
          false);
    }

    /** The steps wait in real time. */
    public Options(boolean dryRun, RunOptions runOptions, CallMetrics metrics, Duration requestTimeout,
        RetryPolicy retryPolicy, Consumer<RenderedRequest> rendered, WallClock clock, MetricsRecorder exported,
        NetworkSettings network) {
      this(dryRun, runOptions, metrics, requestTimeout, retryPolicy, rendered, clock, exported, network,
          Sleeper.system());
    }

    /** Calls reported only to {@code metrics}; targets reached as the environment says. */
    public Options(boolean dryRun, RunOptions runOptions, CallMetrics metrics, Duration requestTimeout,
        RetryPolicy retryPolicy, Consumer<RenderedRequest> rendered, WallClock clock) {
      this(dryRun, runOptions, metrics, requestTimeout, retryPolicy, rendered, clock, MetricsRecorder.none(), null);
    }
  }

  /** Wires a run of {@code job} (planned from {@code spec}). */
  public static SpecRun open(JobStore store, JobRecord job, JobSpec spec, Options options) throws IOException {
    RecordSource source = SpecJobs.source(spec);
    ResultSink sink = null;
    if (spec.sink() instanceof JobSpec.JsonlSink j && !options.dryRun()) {
      sink = new JsonlResultsSink(j.path(), job.id(), spec.key() == null ? null
          : row -> spec.key().renderText(RenderContext.ofRow(row.record() == null ? Map.of() : row.record(),
              Map.of(), Map.of("id", job.id()))));
    } else if (spec.sink() instanceof JobSpec.SqlUpdateSink u && !options.dryRun()) {
      sink = new dev.ferry.sinks.sql.SqlUpdateSink(u.config());
    }
    JobSteps.Builder stepsBuilder = JobSteps.builder(spec.targets(), spec.steps()).jobId(job.id()).key(spec.key())
        .vars(spec.vars()).tables(spec.tables()).checks(spec.checks()).secretFields(spec.secretColumns())
        .reportedAs(spec.reporting().reportedAs()).secrets(spec.secretMask()).store(store)
        .sink(sink).dryRun(options.dryRun()).redirectsStop(true).rateLimitFlag(options.rateLimitFlag())
        .onRendered(options.rendered())
        .requestTimeout(options.requestTimeout())
        .retryPolicy(options.retryPolicy()).metrics(options.metrics())
        .exportTo(options.exported())
        // --concurrency auto: the targets feed the runner's row limiter, as the import's target does
        .concurrencyLimiter(options.runOptions().rowLimiter());
    if (options.sleeper() != Sleeper.system()) {
      stepsBuilder.time(Ticker.system(), options.sleeper(), Scheduler.system());
    }
    if (options.network() != null) stepsBuilder.network(options.network());
    JobSteps steps = stepsBuilder.build();
    BulkJobRunner runner = new BulkJobRunner(store, job.id(), source.chunks(), steps.processor(),
        options.runOptions(), options.clock());
    return new SpecRun(source, steps, sink, runner);
  }

  public BulkJobRunner runner() {
    return runner;
  }

  public JobSteps steps() {
    return steps;
  }

  public RecordSource source() {
    return source;
  }

  /** Sends what the batchers hold, closes the targets and the sink. */
  @Override
  public void close() throws IOException {
    try {
      steps.close();
    } finally {
      if (sink != null) sink.close();
    }
  }
}
