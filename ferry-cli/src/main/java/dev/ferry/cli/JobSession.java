package dev.ferry.cli;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.limit.KnownRateTrim;
import dev.ferry.core.limit.QuotaPace;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.ReadWriteLimiter;
import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.AdaptiveFeedback;
import dev.ferry.http.AttemptListener;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.KnownRateFeedback;
import dev.ferry.http.NetworkSettings;
import dev.ferry.http.ProxySettings;
import dev.ferry.http.Secret;
import dev.ferry.http.UnseenLimitHint;
import dev.ferry.core.source.InputException;
import dev.ferry.metrics.PrometheusEndpoint;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.recipes.workos.InputCheck;
import dev.ferry.recipes.workos.WorkosImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Runs one WorkOS import job (new or resumed) end to end: target, progress, run, state, errors file, report. */
final class JobSession {
  /** ferry paces at this share of the given rate limit, so clock skew and transit jitter never cause a 429. */
  static final double HEADROOM = 0.985;
  /** Lookup namespace of CLI settings remembered with a job (no secrets). */
  static final String SETTINGS_NS = "cli";
  static final String ERRORS_OUT = "errors_out";
  /** The API base URL an import job was moved to on resume (absent: the one it was planned with). */
  static final String API_URL = "api_url";

  private final StateDir state;
  private final JobStore store;
  private final RunFlags flags;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> env;
  /**
   * Whether this run's --errors-out becomes the job's errors file: yes for the process that plans or resumes the job,
   * not for a {@code ferry worker}, whose file is its own run's (a path on its machine; see {@link #errorsPath}).
   */
  private boolean errorsOutIsTheJobs = true;
  /** Tells stderr when the run waits for chunks other processes hold (distributed mode). */
  final HeldChunksNotice heldChunks;
  /** {@code resume --api-url}: the API base URL an import job moves to, or null. */
  private String moveTo;

  JobSession(StateDir state, JobStore store, RunFlags flags, PrintWriter out, PrintWriter err, Map<String, String> env) {
    this.state = state;
    this.store = store;
    this.flags = flags;
    this.out = out;
    this.err = err;
    this.env = env;
    this.heldChunks = new HeldChunksNotice(err, flags.quiet);
  }

  /** {@code resume --param}: a spec job's parameters given new values. */
  private Map<String, String> paramChanges = Map.of();

  /** This session with a spec job's parameters given new values ({@code resume --param}). */
  JobSession withParams(Map<String, String> params) {
    this.paramChanges = Map.copyOf(params);
    return this;
  }

  Map<String, String> paramChanges() {
    return paramChanges;
  }

  /** This session with an import job moved to {@code apiUrl} (null: kept where it is). */
  JobSession movingTo(String apiUrl) {
    this.moveTo = apiUrl;
    return this;
  }

  /** The API base URL an import job sends to: the one it was moved to on a resume, else the one it was planned with. */
  static String apiUrl(JobStore store, JobRecord job, ImportSettings planned) {
    String moved = store.lookups(job.id(), SETTINGS_NS).get(API_URL);
    return moved != null ? moved : planned.apiUrl();
  }

  /** Says on stderr what changed about a job ({@code ferry: job J: <what>}): a target, a parameter. */
  void jobChanged(String jobId, String what) {
    err.println("ferry: job " + jobId + ": " + what);
    err.flush();
  }

  /** How a process comes to a job. */
  enum Start {
    /** The job was just planned by this process. */
    NEW,
    /** {@code ferry resume}: the job stopped or crashed; its retryable failures are sent again. */
    RESUME,
    /** {@code ferry worker}: another process runs the job (distributed mode); this one takes chunks too. */
    JOIN
  }

  int run(JobRecord job, Start start) throws IOException, InterruptedException {
    return run(job, start, false);
  }

  /**
   * @param relocated the job's input was given at another path on this machine ({@code worker --csv}): its
   *     content is checked in full before anything is sent, since its modification time says nothing
   */
  int run(JobRecord job, Start start, boolean relocated) throws IOException, InterruptedException {
    errorsOutIsTheJobs = start != Start.JOIN;
    // A finished job has nothing to resume: one line (or --json's report), unless the resume is asked to move the job
    // or to write a file, which the whole path does
    if (start == Start.RESUME && moveTo == null && paramChanges.isEmpty() && flags.errorsOut == null
        && flags.reportJson == null) {
      OutcomeCounts counts = store.counts(job.id());
      if (FinishedResume.nothingToDo(job, counts)) {
        return FinishedResume.print(job, counts, errorsPath(job).toString(), flags.json, out);
      }
    }
    if (dev.ferry.spec.SpecSettings.KIND.equals(job.kind())) {
      try {
        return new SpecSession(this, state, store, flags, out, env).run(job, start, relocated);
      } catch (IOException | InterruptedException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    ProcessStart processStart = ProcessStart.ofThisProcess(Ticker.system());
    ImportSettings planned = ImportSettings.fromJson(job.config());
    String current = apiUrl(store, job, planned);
    String movedTo = null;
    if (moveTo != null) {
      if (planned.dryRun()) {
        throw RunFlags.usage("--api-url: job '" + job.id() + "' is a dry run, which sends nothing; plan a real job"
            + " with 'ferry import-users --api-url URL'");
      }
      // checked as at planning: an http(s) base URL without credentials, query or fragment (never printed then)
      if (!apiUri(moveTo.strip()).equals(apiUri(current))) movedTo = moveTo.strip();
    }
    ImportSettings settings = planned.withApiUrl(movedTo != null ? movedTo : current);
    Secret key = settings.dryRun() ? null : ApiKeys.load(flags.apiKeyFile, env);
    NetworkSettings network = settings.dryRun() ? null : flags.network(env);
    if (network != null && "https".equalsIgnoreCase(apiUri(settings.apiUrl()).getScheme())) {
      flags.verifyCertificates(network); // an https target needs the certificates: a block holding none is refused now
    }
    // The metrics endpoint only listens (a port in use stops the command before anything else), and lingers, when
    // asked to, after the job's lock and leases are given up.
    try (PrometheusEndpoint metricsEndpoint = openMetrics(job, start)) {
      int exit = lockAndRun(job, start, relocated, settings, movedTo == null ? null : current, key, network,
          processStart, metricsEndpoint);
      if (metricsEndpoint != null) lingerForScrapers(metricsEndpoint);
      return exit;
    }
  }

  /** The --metrics-port endpoint, or null; a port that cannot be used says how to run the job just planned. */
  PrometheusEndpoint openMetrics(JobRecord job, Start start) {
    try {
      return flags.openMetrics(err);
    } catch (ExitException e) {
      if (start != Start.NEW) throw e;
      throw new ExitException(e.code(), e.getMessage() + "; job " + job.id() + " is planned and nothing was sent:"
          + " run it with 'ferry resume " + job.id() + "' and another --metrics-port");
    }
  }

  /** @param movedFrom the API base URL the job leaves for {@code settings.apiUrl()} on this resume, or null */
  private int lockAndRun(JobRecord job, Start start, boolean relocated, ImportSettings settings, String movedFrom,
      Secret key, NetworkSettings network, ProcessStart processStart, PrometheusEndpoint metricsEndpoint)
      throws IOException, InterruptedException {
    // The job's lock comes first: a resume refused because another process runs the job must not touch its
    // leases or status.
    try (AutoCloseable lock = state.lockJob(job.id());
        InputCheck input = start == Start.NEW ? InputCheck.unchanged()
            : WorkosImport.checkInput(job, store, relocated)) {
      if (start == Start.RESUME) {
        // Embedded, the lock proves no other process holds a lease; distributed, live processes keep theirs and
        // the leases of dead ones expire into the claims.
        if (!state.distributed()) store.releaseAllLeases(job.id());
        store.reopenRetryable(job.id());
      }
      if (movedFrom != null) {
        // under the lock: a resume refused because the job runs elsewhere changes nothing
        store.putLookup(job.id(), SETTINGS_NS, API_URL, settings.apiUrl());
        jobChanged(job.id(), "target changed from " + movedFrom + " to " + settings.apiUrl() + " (kept with the job:"
            + " later resumes and 'ferry status' use it; rows with an outcome are not sent again)");
      }
      return runLocked(store.updateStatus(job.id(), JobStatus.RUNNING, "", WallClock.system().millis()), settings, key,
          network, processStart, input, metricsEndpoint);
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private int runLocked(JobRecord job, ImportSettings settings, Secret key, NetworkSettings network,
      ProcessStart processStart, InputCheck input, PrometheusEndpoint metricsEndpoint) throws Exception {
    // --metrics-port: the engine, the target and the job's gauges report to the endpoint's recorder too
    MetricsRecorder exported = metricsEndpoint == null ? MetricsRecorder.none() : metricsEndpoint.recorder();
    int workers = flags.workersOr(settings.run().workers());
    int concurrency = flags.concurrencyOr(settings.run().concurrency());
    RateLimitSpec rateLimit = flags.rateLimit != null ? flags.rateLimit : settings.run().rateLimit();
    double rate = rateLimit.perSecond();
    Duration timeout = flags.requestTimeout != null ? flags.requestTimeout
        : Duration.ofMillis(settings.run().requestTimeoutMillis());
    boolean auto = concurrency == RunFlags.AUTO;
    // Adaptive concurrency: one limit on the rows in flight of the whole run, fed by every HTTP attempt.
    // A dry run makes no calls: its rows run inline, and the limit has nothing to learn from.
    ConcurrencyLimiter rowLimiter = auto && !settings.dryRun()
        ? ConcurrencyLimiter.of(Limit.gradientBuilder().build()) : null;
    String processId = ProcessIds.create();
    RunOptions options = RunOptions.of(workers, auto ? 1 : concurrency, processId)
        .withMaxConsecutiveFailures(flags.maxConsecutiveFailures).withLease(flags.lease)
        .withRowTimeout(flags.rowTimeoutOrNone()).withChunkWaits(!flags.exitWhenIdle, heldChunks);
    if (rowLimiter != null) options = options.withRowLimiter(rowLimiter);
    options = options.withMetrics(exported);
    CallMetrics metrics = new CallMetrics();
    HttpTarget target = null;
    AdaptiveFeedback feedback = null;
    RateShare share = null;
    if (!settings.dryRun()) {
      // a given limit paces every request; a learned one paces reads and writes apart (AdaptiveFeedback)
      RateLimiter limiter = rateLimit.isKnown() ? RateLimiter.forLimit(rateLimit, HEADROOM, Ticker.system())
          : new ReadWriteLimiter(Ticker.system());
      // Distributed, every process of the job paces at its share of the limit (heartbeats in the store).
      if (state.distributed()) {
        share = new RateShare(store, job.id(), processId, limiter, rate > 0 ? rate * HEADROOM : 0, RateShare.PERIOD,
            WallClock.system(), Sleeper.system()).start();
        heldChunks.shares(share); // out of the count while the run waits idle for others' chunks
      }
      RateShare pace = share;
      // With no rate limit given, the pace comes from the target's rate-limit headers when it sends them, else
      // from its 429s: 'auto' ramps the pace from 50/s until the first (an unknown limit costs few 429s); 'none'
      // sends unpaced until a 429 says otherwise.
      if (!rateLimit.isKnown()) {
        // distributed, the pace the target's headers state is this process's share of it (the share's count)
        feedback = new AdaptiveFeedback(rowLimiter, (ReadWriteLimiter) limiter,
            rateLimit.isAuto() ? RateLearner::withDefaults : RateLearner::unlimitedUntilRefused,
            new QuotaPace(HEADROOM), metrics::inFlight, pace != null ? pace::processes : () -> 1);
      } else if (rowLimiter != null) {
        feedback = new AdaptiveFeedback(rowLimiter, metrics::inFlight);
      }
      AttemptListener hint = rateLimit.isAuto()
          ? new UnseenLimitHint(apiUri(settings.apiUrl()).getHost(), "--rate-limit none", limiter::rate)
          : AttemptListener.NONE;
      // A given limit that the target counts more strictly (429s anyway) trims the pace a little each time; a
      // budget the target refuses turns into even pacing at the first trim.
      AttemptListener trim = rate > 0
          ? new KnownRateFeedback(KnownRateTrim.withDefaults(rate * HEADROOM, Ticker.system().read()),
              pace != null ? pace::setPace : limiter::setRate)
          : AttemptListener.NONE;
      target = new HttpTarget(apiUri(settings.apiUrl()), key, timeout, limiter,
          RetryPolicy.builder().maxAttempts(flags.maxAttempts).build(), Sleeper.system(), Ticker.system(),
          () -> ThreadLocalRandom.current().nextDouble(), MetricsRecorder.composite(metrics, exported),
          KnownRateFeedback.both(KnownRateFeedback.both(feedback == null ? AttemptListener.NONE : feedback, trim),
              hint), network);
    }
    try {
      WorkosImport imp = new WorkosImport(store, job, target, options, WallClock.system());
      if (metricsEndpoint != null) exportJobGauges(exported, job, imp.runner());
      Engine engine = new Engine(imp.runner(), imp::prewarm, imp.stats(), target == null ? null : metrics,
          target == null ? null : target.limiter(), rowLimiter, feedback, share, settings.dryRun(),
          settings.dryRun() ? ", dry run" : " -> " + settings.apiUrl() + via(network, settings.apiUrl()),
          rate > 0 ? "rate limit " + rateLimit.describe()
              : rateLimit.isAuto() ? "rate limit learned (headers, else 429s)" : "no rate limit",
          WorkosImport.SECRET_COLUMNS, null);
      return drive(job, engine, input, processStart, auto ? workers + " workers, adaptive concurrency"
          : workers + " workers x " + concurrency + " in flight");
    } finally {
      if (target != null) target.close();
      if (share != null) share.close();
    }
  }

  /** Prewarms what a job needs before its rows (the WorkOS organizations); may do nothing. */
  @FunctionalInterface
  interface Prewarm {
    void run(java.util.function.Consumer<String> status) throws InterruptedException;
  }

  /**
   * What runs a job, whatever its kind: the runner and what the progress bar, the report and the errors file read.
   *
   * @param stats        the WorkOS import's counts, or null
   * @param metrics      the calls' metrics, or null when nothing is sent (dry run)
   * @param pacer        the request pacer shown by the progress bar, or null
   * @param destination  ", dry run" or " -> where the rows go"
   * @param errorsInput  the input rows for the errors file, or null to read the job's input as CSV
   * @param stepCounts   what each step of a spec did (step → outcome → count), or null
   * @param counters     a spec's report counters from its step counts (group → counter → value), or null
   * @param afterRows    run once the rows ended, before the errors file and the report (a dry run's line counting
   *                     the requests it did not show), or null
   */
  record Engine(BulkJobRunner runner, Prewarm prewarm, dev.ferry.recipes.workos.ImportStats stats,
      CallMetrics metrics, RateLimiter pacer, ConcurrencyLimiter rowLimiter, AdaptiveFeedback feedback,
      RateShare share, boolean dryRun, String destination, String rateText, java.util.Set<String> secretColumns,
      ErrorsFile.Input errorsInput, java.util.function.Supplier<Map<String, Map<String, Long>>> stepCounts,
      java.util.function.UnaryOperator<Map<String, Map<String, Long>>> counters, Runnable afterRows) {
    Engine(BulkJobRunner runner, Prewarm prewarm, dev.ferry.recipes.workos.ImportStats stats, CallMetrics metrics,
        RateLimiter pacer, ConcurrencyLimiter rowLimiter, AdaptiveFeedback feedback, RateShare share, boolean dryRun,
        String destination, String rateText, java.util.Set<String> secretColumns, ErrorsFile.Input errorsInput,
        java.util.function.Supplier<Map<String, Map<String, Long>>> stepCounts) {
      this(runner, prewarm, stats, metrics, pacer, rowLimiter, feedback, share, dryRun, destination, rateText,
          secretColumns, errorsInput, stepCounts, null, null);
    }

    Engine(BulkJobRunner runner, Prewarm prewarm, dev.ferry.recipes.workos.ImportStats stats, CallMetrics metrics,
        RateLimiter pacer, ConcurrencyLimiter rowLimiter, AdaptiveFeedback feedback, RateShare share, boolean dryRun,
        String destination, String rateText, java.util.Set<String> secretColumns, ErrorsFile.Input errorsInput) {
      this(runner, prewarm, stats, metrics, pacer, rowLimiter, feedback, share, dryRun, destination, rateText,
          secretColumns, errorsInput, null, null, null);
    }
  }

  /**
   * The header's account of the rows settled before this run: invalid rows apart, since a new job's malformed
   * lines (a JSONL source records them while planning) were called "already settled" before anything ran.
   *
   * @param settled done, failed for good and invalid rows
   * @param invalid the invalid rows among them
   */
  static String settledBefore(long settled, long invalid) {
    long sent = settled - invalid;
    if (invalid == 0) return String.format("%,d already settled", sent);
    String bad = String.format("%,d invalid", invalid);
    return sent == 0 ? bad : String.format("%,d already settled, %s", sent, bad);
  }

  /** Runs the job's rows to the end (or a stop), then writes the errors file and the report. */
  int drive(JobRecord job, Engine engine, InputCheck input, ProcessStart processStart, String shape)
      throws Exception {
    BulkJobRunner runner = engine.runner();
    CallMetrics metrics = engine.metrics();
    ConcurrencyLimiter rowLimiter = engine.rowLimiter();
    RateShare share = engine.share();
    OutcomeCounts before = store.counts(job.id());
    // Retryable failures are sent again in this run (resume reopened them), so they are not settled yet: counting
    // them here and again when they settle would show more rows than the job has.
    long alreadySettled = before.total() - before.retryableFailed();
    Path errorsPath = errorsPath(job);
    input.whenChanged(runner::requestStop); // the input's hash is still being checked: a changed file stops the run
    String jobId = job.id();
    if (!flags.quiet) {
      err.printf("ferry: job %s: %,d rows (%s), %s, %s%s%n", job.id(), job.totalRows(),
          settledBefore(alreadySettled, before.invalid()), shape,
          engine.rateText() + (share == null ? "" : " shared by " + share.processes() + " process(es) of "
              + state.describe()), engine.destination());
    }
    long start = Ticker.system().read();
    BulkJobRunner.RunResult result;
    boolean showBar = !flags.quiet && ("always".equals(flags.progress)
        || ("auto".equals(flags.progress) && ProgressBar.isTerminal()));
    boolean plainProgress = !flags.quiet && "auto".equals(flags.progress) && !showBar;
    RateLimiter pacer = engine.pacer();
    java.util.function.Supplier<String> adaptiveLine = rowLimiter == null ? null
        : () -> "limit " + rowLimiter.limit() + (pacer != null && !Double.isInfinite(pacer.rate())
            ? String.format(java.util.Locale.ROOT, "  pace %.1f/s", pacer.rate()) : "");
    try (AutoCloseable signals = Signals.onInterrupt(signal -> {
          runner.requestStop("interrupted (SIG" + signal + ")");
          Thread.ofPlatform().daemon().name("ferry-stop-grace").start(() -> abortAfterGrace(runner, jobId));
        });
        ProgressBar bar = showBar || plainProgress ? new ProgressBar(err, showBar, job.totalRows(),
        alreadySettled, runner.progress(), metrics, adaptiveLine) : null;
        Timeline timeline = flags.timeline == null ? null
            : new Timeline(flags.timeline, runner.progress(), metrics == null ? new CallMetrics() : metrics,
                rowLimiter, pacer)) {
      engine.prewarm().run(msg -> {
        if (!flags.quiet) err.println("ferry: " + msg);
      });
      heldChunks.drawnBy(bar);
      try {
        result = runner.run();
      } finally {
        heldChunks.drawnBy(null);
      }
    }
    if (engine.afterRows() != null) engine.afterRows().run(); // the progress bar is closed: a line of its own
    try {
      input.await(); // a changed file never finishes a job
    } catch (InputException e) {
      store.updateStatus(job.id(), JobStatus.STOPPED, e.getMessage(), WallClock.system().millis());
      throw e;
    }
    double elapsed = (Ticker.system().read() - start) / 1e9;
    JobRecord after;
    OutcomeCounts counts;
    long errorRows;
    try {
      after = finish(job, result);
      counts = store.counts(job.id());
      if (!state.distributed()) ErrorsFile.removeLeftovers(errorsPath); // a killed writer's temporary files
      errorRows = counts.failed() + counts.invalid() > 0 || Files.exists(errorsPath)
          ? ErrorsFile.write(store, job, engine.secretColumns(), errorsPath, engine.errorsInput()) : 0;
    } catch (StoreException e) {
      // The store cannot even record the stop: say why once; every outcome it did record is exact.
      err.println("ferry: job " + job.id() + " stopped: " + storeFailure(e) + "; rows recorded so far are exact:"
          + " fix the cause and run 'ferry resume " + job.id() + "'");
      return ExitCodes.STOPPED;
    }
    // One line says why a job stopped: the text report's "reason" line, or with --json (stdout is for
    // programs then) this line on stderr.
    String stopReason = after.status() == JobStatus.FINISHED ? null : after.message();
    if (stopReason != null && flags.json) err.println("ferry: job " + job.id() + " stopped: " + stopReason);
    AdaptiveFeedback feedback = engine.feedback();
    Report report = new Report(after, counts, after.status().name(), stopReason, engine.dryRun(),
        engine.stats(), metrics, elapsed, result.rowsSettled(), errorsPath.toString(), errorRows,
        rowLimiter == null ? null : new Report.Adaptive(rowLimiter.limit(), rowLimiter.lowestLimit(),
            rowLimiter.peakLimit(), feedback == null ? Double.NaN : feedback.learnedRate()),
        metrics != null && metrics.firstRequestNanos().isPresent()
            ? processStart.secondsUntil(metrics.firstRequestNanos().getAsLong()) : Double.NaN,
        share == null ? 0 : share.peakProcesses(),
        engine.stepCounts() == null || engine.dryRun() ? null : engine.stepCounts().get(),
        engine.counters() == null || engine.stepCounts() == null ? null
            : engine.counters().apply(engine.dryRun() ? Map.of() : engine.stepCounts().get()),
        state.distributed() ? new Report.HeldChunks(result.waitedMillis() / 1000.0, result.chunksAfterWait()) : null);
    if (flags.json) out.println(report.jsonText());
    else out.print(report.text());
    out.flush();
    if (flags.reportJson != null) writeReport(flags.reportJson, report.jsonText());
    // a process stopped while others go on with the job (status RUNNING) was still stopped itself
    if (after.status() == JobStatus.STOPPED || (result.stopped() && after.status() != JobStatus.FINISHED)) {
      return ExitCodes.STOPPED;
    }
    return counts.failed() + counts.invalid() > 0 ? ExitCodes.ROWS_FAILED : ExitCodes.OK;
  }

  /**
   * Writes {@code --report-json}, creating its folder as {@code --errors-out} and {@code --timeline} do (the flag was
   * checked writable before the run). A failure now, after the run, is one line with exit 2: the job's state and the
   * report printed above stand.
   */
  private static void writeReport(Path file, String json) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      Files.writeString(file, json);
    } catch (IOException e) {
      throw new ExitException(ExitCodes.USAGE, "--report-json " + file + ": cannot write the report ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
              + e.getMessage()) + "); the job's state is saved: 'ferry status JOB --json' prints it");
    }
  }

  /** Plans a new job's chunks in the store. */
  @FunctionalInterface
  interface Planner {
    JobRecord plan() throws IOException;
  }

  /**
   * Plans job {@code id} anew under its lock: refuses an id whose job exists (it is resumed, not planned again),
   * redoes a plan a crash interrupted, and halts at once on Ctrl-C (a half-made plan is redone next time).
   *
   * @param errorsOut the run's --errors-out, or null: remembered before the plan, so that a job whose plan ended
   *     is never without it (a process killed between the plan and its first row used to leave the job to resume
   *     into the default errors file)
   */
  static JobRecord planNew(StateDir state, JobStore store, String id, Path errorsOut, Planner planner)
      throws Exception {
    // The lock first (embedded): a job still PLANNING under another process's lock is that process's plan, not a
    // crashed one to delete and redo.
    try (AutoCloseable lock = state.lockJob(id);
        AutoCloseable signals = Signals.haltOnInterrupt("stopped while planning job " + id
            + "; run the same command again to plan it anew")) {
      java.util.Optional<JobRecord> existing = store.findJob(id);
      if (existing.isPresent()) {
        if (existing.get().status() != JobStatus.PLANNING) {
          throw RunFlags.usage("job '" + id + "' already exists (" + existing.get().status().name().toLowerCase()
              + "); continue it with 'ferry resume " + id + "' or choose another --job-id");
        }
        store.deleteJob(id); // a plan interrupted by a crash is simply redone
      }
      // Written whether given or not: an empty value (the default file) replaces what a plan of this id that failed
      // before its job was created may have left.
      store.putLookup(id, SETTINGS_NS, ERRORS_OUT,
          errorsOut == null ? "" : errorsOut.toAbsolutePath().normalize().toString());
      return planner.plan();
    }
  }

  /**
   * The errors file: --errors-out when given (remembered with the job), else the one the job was started with,
   * else {@code <checkpoint-dir>/jobs/<job>/errors.csv}. Remembering it keeps a resume from leaving the first
   * run's file stale while it writes the whole job's errors somewhere else. A worker's --errors-out is its own run's
   * only: the path is on the worker's machine, and remembering it would send a later resume elsewhere to write there.
   */
  private Path errorsPath(JobRecord job) {
    if (flags.errorsOut != null) {
      Path p = flags.errorsOut.toAbsolutePath().normalize();
      if (errorsOutIsTheJobs) store.putLookup(job.id(), SETTINGS_NS, ERRORS_OUT, p.toString());
      return p;
    }
    String remembered = store.lookups(job.id(), SETTINGS_NS).get(ERRORS_OUT);
    return remembered != null && !remembered.isEmpty() ? Path.of(remembered)
        : state.jobDir(job.id()).resolve("errors.csv");
  }

  /**
   * The job's size as gauges: rows, chunks, and chunks done (those done before this run, counted once here, plus
   * those this process completes; in distributed mode another process's completions show in its own metrics).
   */
  void exportJobGauges(MetricsRecorder exported, JobRecord job, BulkJobRunner runner) {
    List<ChunkRecord> chunks = store.chunks(job.id());
    int total = chunks.size();
    long doneBefore = chunks.stream().filter(c -> c.state() == ChunkState.DONE).count();
    long rows = job.totalRows();
    exported.gauge(Gauge.JOB_ROWS, job.id(), () -> rows);
    exported.gauge(Gauge.JOB_CHUNKS, job.id(), () -> total);
    exported.gauge(Gauge.JOB_CHUNKS_DONE, job.id(), () -> doneBefore + runner.progress().chunksDone());
  }

  /**
   * {@code --metrics-linger}: the final values stay served after the report, so a scraper that polls every 15 s
   * still sees how the job ended. An interrupt ends the wait (a signal ends the process, the job being saved).
   */
  void lingerForScrapers(PrometheusEndpoint endpoint) {
    if (flags.metricsLinger.isZero()) return;
    if (!flags.quiet) {
      err.println("ferry: serving the final metrics at " + endpoint.uri() + " for "
          + Report.duration(flags.metricsLinger.toMillis() / 1000.0));
      err.flush();
    }
    try {
      Sleeper.system().sleepNanos(flags.metricsLinger.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits the stop grace period for rows in flight; then interrupts them (they stay pending for resume). */
  private void abortAfterGrace(BulkJobRunner runner, String jobId) {
    try {
      if (runner.awaitFinished(flags.stopGrace.toMillis(), TimeUnit.MILLISECONDS)) return;
      int left = runner.progress().rowsInFlight();
      err.println("ferry: grace period of " + Report.duration(flags.stopGrace.toMillis() / 1000.0) + " over: " + left
          + " rows still in flight get no outcome; 'ferry resume " + jobId + "' sends them again");
      err.flush();
      runner.abortInFlight();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** "the state store failed: ..." for a store exception (the runner's stop reason has the same form). */
  static String storeFailure(StoreException e) {
    return "the state store failed: " + e.getMessage();
  }

  /**
   * The job's status after a run. FINISHED when every chunk is done, even if a stop was asked for after the last
   * row settled (a failure run ending on the last rows, a signal at the very end): nothing is left to resume, so
   * "stopped, exit 3" would be wrong. Otherwise STOPPED with the run's reason, or RUNNING when other processes
   * still hold chunks: after a run that ended without a stop (--exit-when-idle), or one whose stop was only this
   * process's (a signal) while other processes hold live leases, for they go on with the job and take the chunks this
   * one released (its exit code still says it was stopped).
   */
  private JobRecord finish(JobRecord job, BulkJobRunner.RunResult result) {
    long now = WallClock.system().millis();
    List<ChunkRecord> chunks = store.chunks(job.id());
    if (chunks.stream().allMatch(c -> c.state() == ChunkState.DONE)) {
      return store.updateStatus(job.id(), JobStatus.FINISHED, "", now);
    }
    if (result.stopped() && state.distributed() && result.stopReason().startsWith("interrupted")) {
      dev.ferry.core.spi.OpenChunks open = store.openChunks(job.id(), ""); // this run's chunks are released by now
      if (open.heldByOthers() > 0 && open.lastLeaseEndMillis() > now) {
        return store.updateStatus(job.id(), JobStatus.RUNNING, "one process was " + result.stopReason() + "; "
            + open.heldByOthers() + " chunks held by other processes, which go on", now);
      }
    }
    if (result.stopped()) return store.updateStatus(job.id(), JobStatus.STOPPED, result.stopReason(), now);
    long leased = chunks.stream().filter(c -> c.state() == ChunkState.LEASED).count();
    if (leased > 0) {
      return store.updateStatus(job.id(), JobStatus.RUNNING, leased + " chunks held by other workers", now);
    }
    long open = chunks.stream().filter(c -> c.state() != ChunkState.DONE).count();
    return store.updateStatus(job.id(), JobStatus.STOPPED, open + " chunks were not finished; run 'ferry resume "
        + job.id() + "'", now);
  }

  /** " via proxy HOST:PORT from HTTPS_PROXY" when a proxy carries the calls (never its credentials), else "". */
  private static String via(NetworkSettings network, String apiUrl) {
    ProxySettings.Endpoint proxy = network.proxies().proxyFor(apiUri(apiUrl));
    return proxy == null ? "" : " via " + proxy;
  }

  /**
   * The target's base URL, refused (exit 2) when it is not http(s), or when it carries what belongs elsewhere:
   * credentials ({@code user:password@}; the key comes from the environment, and a flag's value is stored with the
   * job), a query or a fragment (the API's paths are resolved against the base, which would drop them silently). A
   * refused value is quoted only when it holds no {@code @}, {@code ?} or {@code #}: what follows them may be a secret.
   */
  static URI apiUri(String url) {
    URI u;
    try {
      u = URI.create(url.endsWith("/") ? url : url + "/");
    } catch (IllegalArgumentException e) {
      u = null;
    }
    boolean plain = url.indexOf('@') < 0 && url.indexOf('?') < 0 && url.indexOf('#') < 0;
    if (u == null || u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
        || u.getHost() == null) {
      throw new ExitException(ExitCodes.USAGE, "--api-url " + (plain ? "'" + url + "' " : "") + "is not an http(s) URL");
    }
    if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new ExitException(ExitCodes.USAGE, "--api-url takes a base URL (https://host[:port][/path]), without "
          + (u.getRawUserInfo() != null ? "credentials (user:password@): the API key comes from WORKOS_SECRET_KEY,"
              + " WORKOS_API_KEY or --api-key-file" : "a query or fragment (?..., #...)")
          + "; the value is not shown");
    }
    return u;
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
