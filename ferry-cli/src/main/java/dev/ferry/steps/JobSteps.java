package dev.ferry.steps;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.pool.Scheduler;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.NetworkSettings;
import dev.ferry.sinks.ResultSink;
import dev.ferry.steps.template.Template;
import dev.ferry.steps.template.SpecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The steps of one job spec, ready to run: the targets (one {@code HttpTarget} each, with their limiters shared by
 * every worker of the process), the steps, the lookups' caches and the batchers, and the {@link RowProcessor} the
 * engine drives. Built once per process run of a job; {@link #close()} sends what batchers hold and closes the
 * targets.
 *
 * <pre>{@code
 * JobSteps steps = JobSteps.builder(spec.targets(), spec.steps())
 *     .jobId(job.id()).key(spec.key()).store(store).sink(sink).build();
 * BulkJobRunner runner = ...processor(steps.processor())...;
 * }</pre>
 *
 * <p>Threadsafe.
 */
public final class JobSteps implements AutoCloseable {
  /** Share of a stated limit the targets use unless told otherwise ({@link Builder#headroom}). */
  public static final double DEFAULT_HEADROOM = 0.95;
  private final Map<String, StepTarget> targets;
  private final List<Step> steps;
  private final StepsProcessor processor;
  private final Prewarm prewarm;
  private final JobStore store;
  private final String jobId;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JobSteps(Builder b) {
    validate(b.targets, b.steps);
    if (b.key != null && (!b.key.stepsRead().isEmpty() || b.key.usesBatch())) {
      throw new SpecException(b.key.location(), "the row's key is rendered before any step runs: it reads only row "
          + "and job");
    }
    validateRowRules(b.vars, b.checks);
    Map<String, StepTarget> opened = new LinkedHashMap<>();
    NetworkSettings network = b.dryRun ? NetworkSettings.DIRECT
        : b.network != null ? b.network : NetworkSettings.fromSystem();
    try {
      for (TargetConfig t : b.targets) {
        opened.put(t.name(), StepTarget.open(t, b.dryRun, b.requestTimeout, b.headroom, b.retryPolicy, b.ticker,
            b.sleeper, b.random, b.metrics, b.exported, network, b.dryRun ? null : b.concurrency, b.rateLimitFlag));
      }
    } catch (IllegalArgumentException e) {
      opened.values().forEach(StepTarget::close);
      throw e;
    }
    this.targets = opened;
    RowSecrets secrets = new RowSecrets(b.secrets, b.secretFields);
    CallRunner runner = new CallRunner(b.dryRun, secrets.masking(b.rendered), b.retryPolicy, b.sleeper, b.random,
        b.redirectsStop);
    List<Step> built = new ArrayList<>();
    // a dry run whose requests nobody reads (any more) renders of each call only what can fail (UnshownCall)
    SampledRequests sample = b.rendered instanceof SampledRequests r ? r : null;
    dev.ferry.steps.template.Facts facts = b.dryRun && (b.rendered == null || sample != null)
        ? dev.ferry.steps.template.Facts.ofTextRows(b.vars, Map.of("id", b.jobId)) : null;
    for (StepConfig c : b.steps) {
      StepTarget t = opened.get(c.target());
      built.add(switch (c) {
        case RequestStepConfig r when r.batched() -> new BatchStep(r, t, runner, b.scheduler, b.sender, b.sleeper,
            b.ticker);
        case RequestStepConfig r -> new RequestStep(r, t, runner, facts == null ? null : UnshownCall.of(r.call(),
            facts), sample);
        case LookupStepConfig l -> new LookupStep(l, t, runner, b.store, b.jobId);
      });
    }
    this.steps = List.copyOf(built);
    this.processor = new StepsProcessor(b.steps, steps, b.key, b.vars, b.tables, b.checks, Map.of("id", b.jobId),
        b.sink, b.dryRun, secrets, b.reportedAs);
    List<Prewarm.Lookup> warm = new ArrayList<>();
    for (int i = 0; i < b.steps.size(); i++) {
      if (b.steps.get(i) instanceof LookupStepConfig l && l.prewarm() && !b.dryRun) {
        warm.add(new Prewarm.Lookup(l, (LookupStep) steps.get(i)));
      }
    }
    this.prewarm = new Prewarm(warm, b.vars, b.tables, Map.of("id", b.jobId), processor::count);
    this.store = b.store;
    this.jobId = b.jobId;
  }

  /**
   * @param targets the spec's targets
   * @param steps   the spec's steps, in order
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(List<TargetConfig> targets, List<StepConfig> steps) {
    return new Builder(targets, steps);
  }

  /**
   * Checks what the config records alone cannot: step and target names unique, every step's target declared,
   * templates read only steps that come earlier, {@code batch} only in a batch step's request and charge, a lookup's
   * calls and a batch step's per-row templates without {@code batch}, {@code then} calls not in batch steps.
   *
   * @throws SpecException at the faulty step or value
   */
  public static void validate(List<TargetConfig> targets, List<StepConfig> steps) {
    StepsValidator.validate(targets, steps);
  }

  /**
   * Checks that the spec's vars and checks read no step's results and no batch (they are rendered before any step).
   *
   * @throws SpecException at the faulty template
   */
  public static void validateRowRules(Map<String, Template> vars, List<RowCheck> checks) {
    List<Template> beforeSteps = new ArrayList<>(vars.values());
    for (RowCheck c : checks) {
      beforeSteps.add(c.require());
      if (c.message() != null) beforeSteps.add(c.message());
    }
    for (Template t : beforeSteps) {
      if (!t.stepsRead().isEmpty() || t.usesBatch()) {
        throw new SpecException(t.location(), "vars and checks are rendered before any step: they read only row,"
            + " job, source and vars");
      }
    }
  }

  /**
   * What each step did for this run's rows: step → outcome ({@code ok}, {@code existing}, {@code created},
   * {@code cached}, {@code undone}, {@code failed}) → count, steps in order. A snapshot; threadsafe.
   */
  public Map<String, Map<String, Long>> stepCounts() {
    return processor.stepCounts();
  }

  /**
   * Resolves the keys of the pre-warmed lookups ({@code prewarm: true}) that planning stored ({@link PrewarmKeys}) and
   * that no process resolved yet, before the rows start: on the executor with {@code admission} (the run's), each
   * once. Failures are left for the rows, except a stop (401/403), which is handed to {@code stop}. Does nothing in
   * a dry run, without a store or without such lookups.
   *
   * @param stopping whether the run is stopping (checked before each key)
   * @param stop     asks the run to stop, with the reason
   * @param status   told what the pre-warm does ("pre-warming 5 lookup keys (org)"), when it does anything
   */
  public void prewarm(dev.ferry.core.exec.Admission admission, java.util.function.BooleanSupplier stopping,
      Consumer<String> stop, Consumer<String> status) throws InterruptedException {
    if (prewarm.isEmpty() || store == null) return;
    prewarm.run(store, jobId, admission, stopping, stop, status);
  }

  /** The processor that runs every row through the steps; one outcome per row. */
  public RowProcessor processor() {
    return processor;
  }

  /** The limiters a distributed run splits between its processes (see {@link SharedRate}). */
  public List<SharedRate> sharedRates() {
    List<SharedRate> out = new ArrayList<>();
    targets.values().forEach(t -> out.addAll(t.sharedRates()));
    return out;
  }

  /**
   * A distributed run paces a shared limiter at this process's share ({@code pace} takes the whole job's pace): a
   * 429's trim of a stated requests limit then goes to it. Call before the rows start.
   */
  public void paceBy(SharedRate rate, java.util.function.DoubleConsumer pace) {
    StepTarget t = targets.get(rate.target());
    if (t != null) t.paceBy(rate.limiter(), pace);
  }

  /**
   * A distributed run: every target's paces learned from its rate-limit headers (requests and tokens) are this
   * process's share, {@code processes} being the job's live processes (read at each answer). Call before the rows
   * start.
   */
  public void shareLearnedBy(java.util.function.IntSupplier processes) {
    targets.values().forEach(t -> t.shareLearnedBy(processes));
  }

  /** Whether a target learns its pace from its answers ({@code limits: auto}). */
  public boolean learnsLimits() {
    return targets.values().stream().anyMatch(StepTarget::learnsLimits);
  }

  /** The request limiter of a target (for a single-target spec's {@code --rate-limit}), or null when unknown. */
  public RateLimiter requestLimiter(String target) {
    StepTarget t = targets.get(target);
    return t == null ? null : t.requestLimiter();
  }

  /** Sends what the batchers hold now (the end of a chunk: no more rows will join). */
  public void flushBatches() {
    for (Step s : steps) if (s instanceof BatchStep b) b.flush();
  }

  /** Sends what the batchers hold and closes the targets' connections. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    for (Step s : steps) if (s instanceof BatchStep b) b.close();
    targets.values().forEach(StepTarget::close);
  }

  /** Builder; not threadsafe. */
  public static final class Builder {
    final List<TargetConfig> targets;
    final List<StepConfig> steps;
    String jobId = "";
    Template key;
    List<RowCheck> checks = List.of();
    Map<String, Template> vars = Map.of();
    Map<String, Object> tables = Map.of();
    java.util.Set<String> secretFields = java.util.Set.of();
    Map<String, String> reportedAs = Map.of();
    dev.ferry.http.SecretMask secrets = dev.ferry.http.SecretMask.NONE;
    JobStore store;
    ResultSink sink;
    boolean dryRun;
    boolean redirectsStop;
    boolean rateLimitFlag;
    Consumer<RenderedRequest> rendered;
    Duration requestTimeout = Duration.ofSeconds(30);
    RetryPolicy retryPolicy = RetryPolicy.defaults();
    double headroom = DEFAULT_HEADROOM;
    Ticker ticker = Ticker.system();
    Sleeper sleeper = Sleeper.system();
    Scheduler scheduler = Scheduler.system();
    DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();
    CallMetrics metrics = new CallMetrics();
    MetricsRecorder exported = MetricsRecorder.none();
    NetworkSettings network;
    ConcurrencyLimiter concurrency;
    Executor sender = command -> Thread.ofVirtual().name("ferry-batch").start(command);

    Builder(List<TargetConfig> targets, List<StepConfig> steps) {
      this.targets = List.copyOf(Objects.requireNonNull(targets, "targets cannot be null"));
      this.steps = List.copyOf(Objects.requireNonNull(steps, "steps cannot be null"));
    }

    /** The job's id: {@code job.id} in templates, and the store's job for the lookups. */
    public Builder jobId(String jobId) {
      this.jobId = Objects.requireNonNull(jobId, "jobId cannot be null");
      return this;
    }

    /** The row's business key (the spec's {@code key}), shown in the ledger and the errors file; null for none. */
    public Builder key(Template key) {
      this.key = key;
      return this;
    }

    /** Values computed for each row, in order, before its checks and steps ({@code vars.NAME}); none by default. */
    public Builder vars(Map<String, Template> vars) {
      this.vars = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(vars,
          "vars cannot be null")));
      return this;
    }

    /** Lookup tables templates read as {@code tables.NAME[key]} (maps, read-only); none by default. */
    public Builder tables(Map<String, Object> tables) {
      this.tables = Map.copyOf(Objects.requireNonNull(tables, "tables cannot be null"));
      return this;
    }

    /**
     * Fields of the row's record whose values are secret (a source's {@code secret_columns}: names, or dotted paths
     * into a JSONL record; compared without regard to case): their
     * values are replaced by {@code ***} in failure messages, so an API that echoes them never puts them in the ledger.
     */
    public Builder secretFields(java.util.Set<String> fields) {
      this.secretFields = java.util.Set.copyOf(Objects.requireNonNull(fields, "fields cannot be null"));
      return this;
    }

    /**
     * The names failures at some steps carry in the ledger, the errors file and a stop reason (a spec's
     * {@code reported_as}: step name → name); other steps' failures carry the step's own name.
     */
    public Builder reportedAs(Map<String, String> names) {
      this.reportedAs = Map.copyOf(Objects.requireNonNull(names, "names cannot be null"));
      return this;
    }

    /**
     * The job's secrets (a spec's secret parameters): masked, in every form a request holds them, out of every row's
     * outcome, results, exceptions and rendered requests (a dry run's), whatever echoes them; none by default.
     */
    public Builder secrets(dev.ferry.http.SecretMask secrets) {
      this.secrets = Objects.requireNonNull(secrets, "secrets cannot be null");
      return this;
    }

    /** Rules every row must pass before its steps (a failing row is invalid); none by default. */
    public Builder checks(List<RowCheck> checks) {
      this.checks = List.copyOf(Objects.requireNonNull(checks, "checks cannot be null"));
      return this;
    }

    /** The job store whose lookups lookup steps share with other processes and resumes; null keeps them in memory. */
    public Builder store(JobStore store) {
      this.store = store;
      return this;
    }

    /** Where each row that ends done writes its results, before its outcome is recorded; null for none. */
    public Builder sink(ResultSink sink) {
      this.sink = sink;
      return this;
    }

    /**
     * A dry run: every row's requests are rendered (templates, captures that would be null) and nothing is sent;
     * the processor is {@linkplain RowProcessor#sideEffectFree() side-effect free}; batch steps render each row
     * as a batch of one.
     */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * A redirect (3xx but 304) that a step's {@code on} does not name stops the job at once, as a 401 does: a job's
     * steps (a target that redirects one request redirects every one). Default false: the row fails for good.
     */
    public Builder redirectsStop(boolean redirectsStop) {
      this.redirectsStop = redirectsStop;
      return this;
    }

    /**
     * The front takes {@code --rate-limit} for a spec of one target ({@code ferry run}): the hint about a target that
     * shows no limit names it besides {@code limits: none}. Default false ({@code ferry serve}, {@code bench --spec}).
     */
    public Builder rateLimitFlag(boolean rateLimitFlag) {
      this.rateLimitFlag = rateLimitFlag;
      return this;
    }

    /** Told about every request a dry run renders (headers masked), e.g. to print them; null for none. */
    public Builder onRendered(Consumer<RenderedRequest> rendered) {
      this.rendered = rendered;
      return this;
    }

    /** Per-attempt timeout of targets that do not set their own; default 30 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout cannot be null");
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy cannot be null");
      return this;
    }

    /** The share of a stated limit ferry uses (default 0.95). */
    public Builder headroom(double headroom) {
      if (!(headroom > 0 && headroom <= 1)) throw new IllegalArgumentException("headroom must be in (0, 1]");
      this.headroom = headroom;
      return this;
    }

    /** Time seams (tests pass virtual time). */
    public Builder time(Ticker ticker, Sleeper sleeper, Scheduler scheduler) {
      this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper cannot be null");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler cannot be null");
      return this;
    }

    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random cannot be null");
      return this;
    }

    /** Where every target's calls are counted (the progress bar and report read it). */
    public Builder metrics(CallMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics cannot be null");
      return this;
    }

    /** Where every target's calls are also reported (a Prometheus endpoint's recorder); none by default. */
    public Builder exportTo(MetricsRecorder exported) {
      this.exported = Objects.requireNonNull(exported, "exported cannot be null");
      return this;
    }

    /** How targets are reached (proxies, trusted certificates); by default from the environment. */
    public Builder network(NetworkSettings network) {
      this.network = Objects.requireNonNull(network, "network cannot be null");
      return this;
    }

    /**
     * The job's adaptive concurrency limit ({@code --concurrency auto}: the runner's row limiter), which every
     * target then feeds from each attempt as the import's target does; null (the default) for fixed concurrency.
     */
    public Builder concurrencyLimiter(ConcurrencyLimiter concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** Where batch calls run (default: a new virtual thread each); tests pass a direct executor. */
    public Builder batchSender(Executor sender) {
      this.sender = Objects.requireNonNull(sender, "sender cannot be null");
      return this;
    }

    /**
     * @throws SpecException as {@link #validate}
     * @throws IllegalArgumentException when a target's header is malformed (the message never shows a value)
     */
    public JobSteps build() {
      return new JobSteps(this);
    }
  }
}
