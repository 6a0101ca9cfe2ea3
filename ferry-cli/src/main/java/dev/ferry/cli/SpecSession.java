package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.CallMetrics;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.http.NetworkSettings;
import dev.ferry.metrics.PrometheusEndpoint;
import dev.ferry.recipes.workos.InputCheck;
import dev.ferry.recipes.workos.WorkosImport;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecLoader;
import dev.ferry.spec.SpecRun;
import dev.ferry.spec.SpecSettings;
import dev.ferry.steps.LimitRule;
import dev.ferry.steps.TargetConfig;
import dev.ferry.steps.TargetLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Runs a spec job (new, resumed or joined) through {@link JobSession#drive}: re-reads the spec from the job (secrets
 * from this environment), checks the input is unchanged, wires the run with {@link SpecRun}.
 */
final class SpecSession {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Lookup key (namespace {@code cli}) of a target's base URL as the job last ran it, secrets masked. */
  static final String TARGET_PREFIX = "target.";
  /** Lookup key (namespace {@code cli}) of a parameter's value given on a resume ({@code --param}). */
  static final String PARAM_PREFIX = "param.";

  private final JobSession session;
  private final StateDir state;
  private final JobStore store;
  private final RunFlags flags;
  private final PrintWriter out;
  private final Map<String, String> env;

  SpecSession(JobSession session, StateDir state, JobStore store, RunFlags flags, PrintWriter out,
      Map<String, String> env) {
    this.session = session;
    this.state = state;
    this.store = store;
    this.flags = flags;
    this.out = out;
    this.env = env;
  }

  /**
   * Keeps each target's base URL (without credentials or query, secrets masked) with the job, and says when a resume
   * or a worker finds another one (a parameter given on a resume, a secret one read from the environment again).
   */
  private void noteTargets(JobRecord job, JobSession.Start start, JobSpec spec) {
    Map<String, String> kept = store.lookups(job.id(), JobSession.SETTINGS_NS);
    for (TargetConfig t : spec.targets()) {
      String key = TARGET_PREFIX + t.name();
      String now = spec.mask(withoutCredentials(t.baseUrl()));
      String before = kept.get(key);
      if (now.equals(before)) continue;
      store.putLookup(job.id(), JobSession.SETTINGS_NS, key, now);
      if (before != null && start != JobSession.Start.NEW) {
        session.jobChanged(job.id(), "target '" + t.name() + "' changed from " + before + " to " + now + " (its"
            + " base_url comes from the spec's parameters; rows with an outcome are not sent again)");
      }
    }
  }

  /** {@code scheme://host[:port]/path}: a base URL without the user, password or query it may hold. */
  static String withoutCredentials(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "")
        + (u.getRawPath() == null ? "" : u.getRawPath());
  }

  int run(JobRecord job, JobSession.Start start) throws Exception {
    return run(job, start, false);
  }

  /**
   * @param relocated {@code worker --csv FILE}: the job's CSV source is read from {@code job.inputPath()} on this
   *     machine instead of the spec's path (its SHA-256 is checked in full before anything is sent)
   */
  int run(JobRecord job, JobSession.Start start, boolean relocated) throws Exception {
    ProcessStart processStart = ProcessStart.ofThisProcess(Ticker.system());
    SpecSettings planned = SpecSettings.fromJson(job.config());
    Map<String, String> params = params(job, planned);
    Map<String, String> changed = new TreeMap<>();
    session.paramChanges().forEach((name, value) -> {
      if (!planned.params().containsKey(name)) {
        throw RunFlags.usage("--param " + name + ": not a parameter job '" + job.id() + "' stored at planning"
            + " (stored: " + (planned.params().isEmpty() ? "none" : String.join(", ",
                new TreeSet<>(planned.params().keySet()))) + "); a secret parameter is read from the"
            + " environment at every start");
      }
      if (!onlyInTargets(planned.text(), name)) {
        throw RunFlags.usage("--param " + name + ": the spec uses it outside its targets (the source, steps, keys),"
            + " which a job keeps as planned (rows are chunked and keyed by them): only a parameter of targets (a"
            + " base_url, a header) may change on resume; plan a new job for the rest");
      }
      if (!value.equals(params.get(name))) changed.put(name, value);
    });
    params.putAll(changed);
    if (start != JobSession.Start.NEW) noteIgnoredEnvironment(job, planned.text(), params);
    // the spec is loaded with the new values before anything is kept: a value it refuses changes nothing (exit 2)
    SpecSettings settings = planned.withParams(params);
    JobSpec spec = withRateLimit(settings.load(settings.dryRun() ? SpecLoader.dryRunEnv(settings.text(), env) : env),
        settings);
    if (relocated) spec = relocate(spec, Path.of(job.inputPath()));
    NetworkSettings network = settings.dryRun() ? null : flags.network(env);
    if (network != null && spec.targets().stream().anyMatch(t -> "https".equalsIgnoreCase(t.baseUrl().getScheme()))) {
      flags.verifyCertificates(network); // an https target needs the certificates: a block holding none is refused now
    }
    // As for an import: the endpoint listens before the lock is taken and lingers after it is given up.
    try (PrometheusEndpoint metricsEndpoint = session.openMetrics(job, start)) {
      int exit = runLocked(job, start, settings, changed, spec, processStart, network, metricsEndpoint);
      if (metricsEndpoint != null) session.lingerForScrapers(metricsEndpoint);
      return exit;
    }
  }

  /**
   * Whether every use of parameter {@code name} in the spec's text ({@code ${NAME}}, {@code ${NAME:-default}}) lies in
   * its top-level {@code targets:} block (up to the next line that starts a top-level key): a target's base_url or
   * header may move, but a parameter of the source, the steps or the keys would change the rows or their keys.
   */
  static boolean onlyInTargets(String text, String name) {
    String[] lines = text.split("\n", -1);
    Pattern use = Pattern.compile("\\$\\{" + Pattern.quote(name)
        + "[}:]");
    boolean inTargets = false;
    for (String line : lines) {
      if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && line.charAt(0) != '#') {
        inTargets = line.startsWith("targets:");
      }
      if (!inTargets && use.matcher(line).find()) return false;
    }
    return true;
  }

  /**
   * Says, one line each, which of the job's stored parameters the environment now gives another value: the job keeps
   * the stored one, and a user who set {@code CREATE_ORG_IF_MISSING=true} before {@code ferry resume} (as a stop
   * message suggested) saw more rows fail with nothing said. Names only: no value is printed.
   */
  private void noteIgnoredEnvironment(JobRecord job, String text, Map<String, String> params) {
    new TreeMap<>(params).forEach((name, value) -> {
      String now = env.get(name);
      if (now == null || now.equals(value)) return;
      session.jobChanged(job.id(), name + " in the environment differs from the job's value, which it keeps (a job"
          + " runs with the parameters it was planned with): " + (onlyInTargets(text, name)
              ? "give --param " + name + "=VALUE to change it"
              : "the spec's source, steps or keys read it, so a job planned anew (another --job-id) is needed to"
                  + " use it"));
    });
  }

  /** The parameters' values a start uses: those stored at planning, then those given on resumes since. */
  private Map<String, String> params(JobRecord job, SpecSettings planned) {
    Map<String, String> params = new LinkedHashMap<>(planned.params());
    store.lookups(job.id(), JobSession.SETTINGS_NS).forEach((key, value) -> {
      if (key.startsWith(PARAM_PREFIX)) params.put(key.substring(PARAM_PREFIX.length()), value);
    });
    return params;
  }

  /** @param changed the parameters this resume gives new values (kept once the job's lock is held) */
  private int runLocked(JobRecord job, JobSession.Start start, SpecSettings settings, Map<String, String> changed,
      JobSpec spec, ProcessStart processStart, NetworkSettings network, PrometheusEndpoint metricsEndpoint)
      throws Exception {
    MetricsRecorder exported = metricsEndpoint == null ? MetricsRecorder.none() : metricsEndpoint.recorder();
    boolean file = dev.ferry.spec.SpecJobs.inputFile(spec) != null;
    // A file source resumes as an import does: size and modification time at once, the hash while the run starts.
    // A worker may run on another machine with a copy of the file (another modification time): hashed first.
    try (AutoCloseable lock = state.lockJob(job.id());
        InputCheck input = start == JobSession.Start.NEW || !file ? InputCheck.unchanged()
            : WorkosImport.checkInput(job, store, start == JobSession.Start.JOIN)) {
      if (start != JobSession.Start.NEW && !file) {
        dev.ferry.spec.SpecJobs.source(spec).checkUnchanged(job.inputSize(), job.inputSha256());
      }
      if (start == JobSession.Start.RESUME) {
        if (!state.distributed()) store.releaseAllLeases(job.id());
        store.reopenRetryable(job.id());
      }
      changed.forEach((name, value) -> store.putLookup(job.id(), JobSession.SETTINGS_NS, PARAM_PREFIX + name, value));
      if (!changed.isEmpty()) {
        session.jobChanged(job.id(), "--param " + String.join(", ", changed.keySet()) + ": the value given replaces"
            + " the one stored (kept with the job: later resumes and workers use it)");
      }
      if (!settings.dryRun()) noteTargets(job, start, spec);
      JobRecord running = store.updateStatus(job.id(), JobStatus.RUNNING, "", WallClock.system().millis());
      int workers = flags.workersOr(settings.workers());
      int concurrency = flags.concurrencyOr(settings.concurrency());
      boolean auto = concurrency == RunFlags.AUTO;
      // Adaptive concurrency, as for an import: one limit on the rows in flight of the whole run, each target learning
      // its part from its own HTTP attempts (a gradient per target, ConcurrencyLimiter.perSource; SpecRun hands it to
      // the steps). A dry run sends nothing: its rows run inline.
      ConcurrencyLimiter rowLimiter = auto && !settings.dryRun() ? rowLimiter() : null;
      String processId = ProcessIds.create();
      RunOptions options = RunOptions.of(workers, auto ? 1 : concurrency, processId)
          .withMaxConsecutiveFailures(flags.maxConsecutiveFailures).withLease(flags.lease)
          .withRowTimeout(flags.rowTimeoutOrNone()).withMetrics(exported)
          .withChunkWaits(!flags.exitWhenIdle, session.heldChunks);
      if (rowLimiter != null) options = options.withRowLimiter(rowLimiter);
      CallMetrics metrics = new CallMetrics();
      Duration timeout = flags.requestTimeout != null ? flags.requestTimeout
          : Duration.ofMillis(settings.requestTimeoutMillis());
      // A dry run's text output shows the requests of a sample of rows (--show-requests), then counts the others.
      RequestSample sample = settings.dryRun() && !flags.quiet && !flags.json
          ? new RequestSample(flags.showRequests, r -> printRendered(spec, r)) : null;
      SpecRun.Options runOptions = new SpecRun.Options(settings.dryRun(), options, metrics, timeout,
          RetryPolicy.builder().maxAttempts(flags.maxAttempts).build(), sample, WallClock.system(), exported, network,
          Sleeper.system(), true);
      List<RateShare> shares = new ArrayList<>();
      try (SpecRun run = SpecRun.open(store, running, spec, runOptions)) {
        if (metricsEndpoint != null) session.exportJobGauges(exported, running, run.runner());
        // Distributed, every process of the job paces each stated limit at its share (heartbeats in the store).
        if (state.distributed() && !settings.dryRun()) {
          for (dev.ferry.steps.SharedRate rate : run.steps().sharedRates()) {
            if (rate.pace() <= 0) continue;
            RateShare share = new RateShare(store, job.id(), processId, rate.limiter(), rate.pace(), RateShare.PERIOD,
                WallClock.system(), dev.ferry.core.time.Sleeper.system()).start();
            shares.add(share);
            session.heldChunks.shares(share); // out of the count while the run waits idle for others' chunks
            run.steps().paceBy(rate, share::setPace); // a 429's trim of a stated limit: the job's pace, then shared
          }
          // A pace learned from a target's headers is shared by the same count: a stated limit's share's, else one
          // that only counts (one heartbeat either way).
          if (shares.isEmpty() && run.steps().learnsLimits()) {
            shares.add(RateShare.counting(store, job.id(), processId, RateShare.PERIOD, WallClock.system(),
                dev.ferry.core.time.Sleeper.system()).start());
            session.heldChunks.shares(shares.get(0));
          }
          if (!shares.isEmpty()) run.steps().shareLearnedBy(shares.get(0)::processes);
        }
        String only = spec.onlyTarget();
        RunOptions runOpts = options;
        // lookups with prewarm: their keys resolved before the rows, with the run's admission
        JobSession.Prewarm prewarm = status -> run.steps().prewarm(runOpts.admission(), run.runner()::stopping,
            run.runner()::requestStop, status);
        JobSession.Engine engine = new JobSession.Engine(run.runner(), prewarm, null,
            settings.dryRun() ? null : metrics, only == null || settings.dryRun() ? null
                : run.steps().requestLimiter(only), rowLimiter, null, shares.isEmpty() ? null : shares.get(0),
            settings.dryRun(),
            settings.dryRun() ? ", dry run" : " -> " + String.join(", ", spec.targets().stream()
                .map(t -> t.name() + " " + spec.mask(t.baseUrl().toString())).toList()),
            "limits " + String.join(", ", spec.targets().stream().map(t -> spec.targets().size() == 1
                ? t.limits().describe() : t.name() + " " + t.limits().describe()).toList()),
            spec.secretColumns(), errorsInput(spec, run), run.steps()::stepCounts,
            spec.reporting().counters().isEmpty() ? null : spec.reporting()::count,
            sample == null ? null : () -> sample.printSummary(out));
        return session.drive(running, engine, input, processStart, auto
            ? workers + " workers, adaptive concurrency" : workers + " workers x " + concurrency + " in flight");
      } finally {
        for (RateShare share : shares) share.close();
      }
    }
  }

  /**
   * The adaptive limit of a spec's rows ({@code --concurrency auto}): a gradient per target (each with the import's
   * settings: from 16, between 4 and 1000), the limit their sum, at most 1000.
   */
  static ConcurrencyLimiter rowLimiter() {
    return ConcurrencyLimiter.perSource(() -> Limit.gradientBuilder().build(), 1000);
  }

  private synchronized void printRendered(JobSpec spec, dev.ferry.steps.RenderedRequest r) {
    StringBuilder b = new StringBuilder("row ").append(r.row()).append(' ').append(r.step()).append(": ")
        .append(r.method()).append(' ').append(spec.mask(r.url()));
    for (String[] h : r.headers()) b.append("\n    ").append(h[0]).append(": ").append(spec.mask(h[1]));
    if (r.body() != null) b.append("\n    ").append(spec.mask(maskColumns(spec, r.body())));
    out.println(b);
  }

  /** A body with the values of fields named like the spec's secret columns (password...) shown as {@code ***}. */
  static String maskColumns(JobSpec spec, String body) {
    if (spec.secretColumns().isEmpty()) return body;
    try {
      com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(body);
      maskFields(tree, dev.ferry.steps.SecretPaths.of(spec.secretColumns()).names());
      return JSON.writeValueAsString(tree);
    } catch (IOException e) {
      return "(body not shown: it may hold a secret column's value)";
    }
  }

  private static void maskFields(com.fasterxml.jackson.databind.JsonNode node, Set<String> names) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      List<String> fields = new ArrayList<>();
      o.fieldNames().forEachRemaining(fields::add);
      for (String f : fields) {
        if (names.contains(f.toLowerCase(java.util.Locale.ROOT))) o.put(f, "***");
        else maskFields(o.get(f), names);
      }
    } else if (node != null && node.isArray()) {
      for (com.fasterxml.jackson.databind.JsonNode n : node) maskFields(n, names);
    }
  }

  /**
   * A JSONL or SQL source's rows go to the errors file as one column holding the record's JSON. A JSONL line that
   * does not parse goes as its text, to be fixed and fed back, unless it may hold a secret field's value (a secret
   * field's name occurs in it, or a {@code \\u} escape): then the column is empty and {@code ferry_secret_omitted}
   * names those fields (the message names file:line).
   */
  private static ErrorsFile.Input errorsInput(JobSpec spec, SpecRun run) {
    if (spec.source() instanceof JobSpec.CsvSource) return null;
    ChunkSource chunks = run.source().chunks();
    dev.ferry.steps.SecretPaths secret = dev.ferry.steps.SecretPaths.of(spec.secretColumns());
    return new ErrorsFile.Input(List.of("record"), chunk -> {
      ChunkSource.RowCursor cursor = chunks.open(chunk);
      return new ChunkSource.RowCursor() {
        @Override
        public RowInput next() throws IOException {
          RowInput r = cursor.next();
          if (r == null) return null;
          if (r.error() != null) {
            // a malformed line: its text (the source's one field) unless it may hold a secret; the second field,
            // never written (one column), is what the omitted names are found from
            String text = r.fields().length == 1 ? r.fields()[0] : "";
            String shown = secret.mayBeIn(text).isEmpty() ? text : "";
            return new RowInput(r.row(), r.chunk(), r.line(), new String[] {shown, text}, r.error(), r.record());
          }
          // the record with its secret_columns' values as ***: they never leave the input
          String json = JSON.writeValueAsString(secret.masked(r.record()));
          return new RowInput(r.row(), r.chunk(), r.line(), new String[] {json}, r.error(), r.record());
        }

        @Override
        public void close() throws IOException {
          cursor.close();
        }
      };
    }, r -> r.error() != null ? secret.mayBeIn(r.field(1)) : secret.present(r.record()));
  }

  /** The spec reading its CSV source from {@code file} ({@code worker --csv}); refused for other sources. */
  static JobSpec relocate(JobSpec spec, Path file) {
    if (!(spec.source() instanceof JobSpec.CsvSource c)) {
      throw RunFlags.usage("--csv gives the job's CSV input on this machine; this job's source is "
          + (spec.source() instanceof JobSpec.JsonlSource ? "a JSONL file" : "a SQL query")
          + ": give the worker the same path (INPUT) instead");
    }
    return spec.withSource(new JobSpec.CsvSource(file, c.secretColumns(), c.requiredColumns(), c.columnsRead()));
  }

  /** --rate-limit (given now, or when the job was planned) replaces the limits of a spec's only target. */
  private JobSpec withRateLimit(JobSpec spec, SpecSettings settings) {
    RateLimitSpec limit = flags.rateLimit != null ? flags.rateLimit
        : settings.rateLimit() == null ? null : RateLimitSpec.parse(settings.rateLimit());
    if (limit == null) return spec;
    if (spec.onlyTarget() == null) {
      throw RunFlags.usage("--rate-limit needs a spec with one target; this one has " + spec.targets().size()
          + ": set limits on each target in the spec");
    }
    TargetConfig t = spec.targets().get(0);
    TargetLimits limits = limit.isAuto() ? TargetLimits.AUTO : limit.isNone() ? TargetLimits.NONE
        : TargetLimits.of(List.of(limit.isBudget()
        ? new LimitRule(LimitRule.REQUESTS, limit.permits(), limit.window())
        // a rate (50, 12.5/s) is a pace, as the flag says: spread evenly, not a budget of a second
        : limit.perSecond() == Math.rint(limit.perSecond())
            ? new LimitRule(LimitRule.REQUESTS, (long) limit.perSecond(), Duration.ofSeconds(1), true)
            : new LimitRule(LimitRule.REQUESTS, Math.round(limit.perSecond() * 60), Duration.ofMinutes(1), true)));
    List<TargetConfig> targets = new ArrayList<>(List.of(t.withLimits(limits)));
    return spec.withTargets(targets);
  }
}
