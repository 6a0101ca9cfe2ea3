package dev.ferry.cli;

import dev.ferry.bench.BenchContext;
import dev.ferry.bench.BenchDefaults;
import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchHtml;
import dev.ferry.bench.BenchJson;
import dev.ferry.bench.BenchResult;
import dev.ferry.bench.BenchRunner;
import dev.ferry.bench.BenchSamples;
import dev.ferry.bench.BenchSetup;
import dev.ferry.bench.BenchSpec;
import dev.ferry.bench.BenchText;
import dev.ferry.bench.Rung;
import dev.ferry.core.source.InputException;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.NetworkSettings;
import dev.ferry.http.Secret;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry bench}: the scaling study. Runs the same sample as a real import job at each worker count of a
 * ladder (the in-process simulator with the seeds' figures by default; with {@code --spec}, any job spec's runs
 * through {@link SpecBench}), prints the table, names the
 * bottleneck, fits the Universal Scalability Law and recommends a setting; optionally writes JSON and a
 * self-contained HTML report.
 */
@Command(mixinStandardHelpOptions = true, name = "bench", sortOptions = false,
    description = {"Measure how throughput scales with workers, name the bottleneck and recommend a worker count.",
        "Default: the in-process WorkOS simulator with the seeds' figures (200 ms latency, 50 req/s, 2 calls a"
            + " user), ladder 1,2,4,8,16. Each rung is a real import job of the same sample (fresh state,"
            + " organizations pre-created), measured in steady state: after a warm-up, for at most --rung-time.",
        "--spec FILE: the same study of any job spec, run as 'ferry run FILE' runs it (parameters from the"
            + " environment), each run of a rung a fresh job of its own slice of --max-records records."})
final class BenchCommand implements Callable<Integer> {
  static final String SIM_KEY = "sk_test_ferry_bench";
  /** Flags that shape the WorkOS import's study only: refused with --spec. */
  static final List<String> WORKOS_ONLY = List.of("--csv", "--orgs", "--api-url", "--api-key-file",
      "--create-org-if-missing", "--latency", "--jitter", "--rate-limit", "--client-rate-limit", "--serial-ms");

  @Spec
  CommandSpec spec;

  @Option(names = "--spec", paramLabel = "FILE",
      description = "Study this job spec (as 'ferry run FILE' runs it, parameters from the environment) instead of"
          + " the WorkOS import: each run of a rung is a fresh job of its own slice of --max-records records of the"
          + " spec's source (default 100), so no rung re-sends what another sent.")
  Path specFile;

  @Option(names = "--workers", paramLabel = "LIST", defaultValue = "1,2,4,8,16",
      description = "Worker counts of the ladder, comma-separated (default: ${DEFAULT-VALUE}).")
  String workers;

  @Option(names = "--concurrency", paramLabel = "C",
      description = "Rows in flight per worker, the same on every rung (default: auto: 1, or enough for the"
          + " largest rung to hold 1.5x the requests in flight that the simulator's ceiling needs).")
  Integer concurrency;

  @Option(names = {"--records", "--max-records"}, paramLabel = "ROWS",
      description = "Rows in each rung's sample (default: 10000 generated users; 1000000 with --dry-run; 100 a"
          + " rung with --api-url or --spec). A rung stops at --rung-time even if rows are left.")
  Long records;

  @Option(names = "--csv", paramLabel = "FILE",
      description = "Use rows of this file instead of generated users. With --api-url, rung k takes the k-th"
          + " slice of --records rows, so a real target never sees a row twice.")
  Path csv;

  @Option(names = "--orgs", paramLabel = "N", defaultValue = "10",
      description = "Organizations in the generated sample; one membership per user (default: ${DEFAULT-VALUE}).")
  int orgs;

  @Option(names = "--dry-run", description = "Send nothing: validate and build every request (measures ferry itself).")
  boolean dryRun;

  @Option(names = "--api-url", paramLabel = "URL",
      description = "Measure this target instead of the simulator; the key comes from WORKOS_SECRET_KEY (or"
          + " WORKOS_API_KEY) or --api-key-file. The rows are really imported.")
  String apiUrl;

  @Option(names = "--api-key-file", paramLabel = "FILE", description = "Read the API key from FILE (owner-only).")
  Path apiKeyFile;

  @Option(names = "--create-org-if-missing",
      description = "With --api-url: create referenced organizations that do not exist (the simulator always does).")
  boolean createOrgIfMissing;

  @Option(names = "--latency", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Simulator: delay of each answer (default: 200ms).")
  Duration latency;

  @Option(names = "--jitter", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Simulator: each delay is uniform in latency ± jitter (default: latency / 4).")
  Duration jitter;

  @Option(names = "--rate-limit", paramLabel = "REQ/S", parameterConsumer = RateLimitOption.Rate.class,
      description = "The target's write limit in req/s, or 'none': the simulator enforces it and the client is"
          + " told it (default: 50). ferry paces at 98.5%% of it. 0 is refused (it would send nothing).")
  Double rateLimit;

  @Option(names = "--client-rate-limit", paramLabel = "REQ/S", parameterConsumer = RateLimitOption.Rate.class,
      description = "Tell the client another limit than the simulator enforces, or 'none' (to see 429s).")
  Double clientRateLimit;

  @Option(names = "--serial-ms", paramLabel = "MILLIS",
      description = "Simulator: a global lock held this long on every request, like seed 004's stream mutex"
          + " (default: 0 = none).")
  Double serialMs;

  @Option(names = "--chunk-size", paramLabel = "ROWS",
      description = "Rows per chunk (default: records / (4 x largest worker count), at most 1000).")
  Integer chunkSize;

  @Option(names = "--warmup", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "3s",
      description = "Longest warm-up of each rung; it also ends once 20%% of the sample settled (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--rung-time", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "15s",
      description = "Longest measured window of each rung (default: ${DEFAULT-VALUE}).")
  Duration rungTime;

  @Option(names = "--jvm-warmup", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "An unmeasured run at the largest worker count first, so the 1-worker baseline does not pay"
          + " for JIT compilation (default: 3s; 0s with --api-url).")
  Duration jvmWarmup;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
      description = "Run the ladder N times, alternately up and down, and keep each rung's best round (for a"
          + " host shared with other work; default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--request-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "30s", description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "6",
      description = "Attempts per call for 5xx, timeouts and connection errors (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the study as JSON to FILE ('-' = stdout, instead of the table).")
  Path json;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Write a self-contained HTML report (table, verdict, chart) to FILE.")
  Path html;

  @Option(names = {"-q", "--quiet"}, description = "No progress output.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Debug logging on stderr and stack traces.")
  void verbose(boolean on) {
    Verbosity.set(on);
  }

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Integer> ladder = parseLadder(workers);
    int maxWorkers = ladder.getLast();
    if (specFile != null) {
      for (String flag : WORKOS_ONLY) {
        if (spec.commandLine().getParseResult().hasMatchedOption(flag) || RateLimitOption.given(spec, flag)) {
          throw RunFlags.usage(flag + " is a flag of the WorkOS import's study; with --spec the spec names the"
              + " source, the targets and their limits (set them in the spec or its parameters)");
        }
      }
    }
    boolean external = apiUrl != null;
    if (external && dryRun) throw RunFlags.usage("--dry-run and --api-url exclude each other");
    if ((external || dryRun) && (latency != null || jitter != null || serialMs != null)) {
      throw RunFlags.usage("--latency, --jitter and --serial-ms shape the simulator; they do not apply with "
          + (external ? "--api-url" : "--dry-run"));
    }
    if (external && csv == null) {
      throw RunFlags.usage("--api-url needs --csv FILE: a real target gets your own sample, never generated users");
    }
    if (createOrgIfMissing && !external) throw RunFlags.usage("--create-org-if-missing only applies with --api-url");
    if (concurrency != null && (concurrency < 1 || concurrency > 10_000)) {
      throw RunFlags.usage("--concurrency must be between 1 and 10000");
    }
    if (records != null && records < 1) throw RunFlags.usage("--records must be >= 1");
    if (chunkSize != null && (chunkSize < 1 || chunkSize > 1_000_000)) {
      throw RunFlags.usage("--chunk-size must be between 1 and 1000000");
    }
    if (orgs < 0) throw RunFlags.usage("--orgs must be >= 0");
    if (serialMs != null && (!(serialMs >= 0) || serialMs > 60_000)) throw RunFlags.usage("--serial-ms must be 0..60000");
    if (!rungTime.isPositive()) throw RunFlags.usage("--rung-time must be positive");
    if (maxAttempts < 1) throw RunFlags.usage("--max-attempts must be >= 1");
    if (rounds < 1 || rounds > 20) throw RunFlags.usage("--rounds must be between 1 and 20");
    if (!requestTimeout.isPositive()) throw RunFlags.usage("--request-timeout must be positive");
    if (specFile != null) return new SpecBench(this, out, err).run(ladder);

    Duration lat = latency != null ? latency : Duration.ofMillis(200);
    Duration jit = jitter != null ? jitter : lat.dividedBy(4);
    double serial = serialMs != null ? serialMs : 0;
    double serverLimit = rateLimit != null ? rateLimit : 50;
    double clientLimit = dryRun ? 0 : clientRateLimit != null ? clientRateLimit : serverLimit;
    boolean sim = !external && !dryRun;
    Secret key = external ? ApiKeys.load(apiKeyFile, env) : sim ? Secret.of(SIM_KEY) : null;
    URI externalUri = external ? JobSession.apiUri(apiUrl) : null;
    if (external) {
      try { // the targets read the proxies and SSL_CERT_FILE themselves: a bad setting is refused here, once
        NetworkSettings.from(env, System.getProperties(), null);
      } catch (IllegalArgumentException e) {
        throw RunFlags.usage(e.getMessage());
      }
    }

    long rows = records != null ? records
        : external ? BenchDefaults.EXTERNAL_RECORDS : dryRun ? BenchDefaults.DRY_RUN_RECORDS : BenchDefaults.RECORDS;
    double serverCeiling = Double.POSITIVE_INFINITY;
    if (sim && serverLimit > 0) serverCeiling = Math.min(serverCeiling, serverLimit * JobSession.HEADROOM);
    if (sim && clientLimit > 0) serverCeiling = Math.min(serverCeiling, clientLimit * JobSession.HEADROOM);
    if (sim && serial > 0) serverCeiling = Math.min(serverCeiling, 1000 / serial);
    double secondsPerCall = sim ? (lat.toNanos() / 1e9 + serial / 1000) : 0;
    int c = concurrency != null ? concurrency : BenchDefaults.concurrency(serverCeiling, secondsPerCall, maxWorkers);

    Path work = Files.createTempDirectory("ferry-bench-");
    Thread cleanup = new Thread(() -> BenchSamples.deleteTree(work), "ferry-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19);
    long t0 = Ticker.system().read();
    try {
      List<Path> samples;
      String sampleNote;
      if (csv == null) {
        Path file = BenchSamples.generated(work, rows, orgs);
        samples = Collections.nCopies(ladder.size() * rounds, file);
        sampleNote = f("the same %,d generated users (%d organizations, one membership each)", rows, orgs);
      } else if (external) {
        samples = slices(csv, rows, ladder.size() * rounds, work);
        sampleNote = f("rows of %s: each run of a rung imports its own slice of %,d rows (a real target never sees"
            + " a row twice)", csv, rows);
      } else {
        samples = Collections.nCopies(ladder.size() * rounds, slices(csv, rows, 1, work).getFirst());
        rows = Math.min(rows, BenchSamples.countRows(csv));
        sampleNote = f("the same first %,d rows of %s", rows, csv);
      }
      int chunk = chunkSize != null ? chunkSize : BenchDefaults.chunkSize(rows, maxWorkers);
      Duration jvm = jvmWarmup != null ? jvmWarmup : external ? Duration.ZERO : Duration.ofSeconds(3);

      SimServer server = null;
      try {
        String target;
        if (sim) {
          server = SimServer.start(SimConfig.builder().port(0).latency(lat).jitter(jit).writeRateLimit(serverLimit)
              .readRateLimit(serverLimit * 2).serialTime(Duration.ofNanos(Math.round(serial * 1e6)))
              .requiredKey(SIM_KEY).build());
          target = server.baseUrl() + " (in-process simulator)";
        } else {
          target = external ? externalUri.toString() : "";
        }
        List<String> notes = notes(sim, external, lat, jit, serverLimit, clientLimit, serial, ladder, c,
            concurrency == null, serverCeiling, secondsPerCall, sampleNote, chunk, target);
        if (!quiet) notes.forEach(n -> err.println("ferry bench: " + n));
        BenchSpec benchSpec = new BenchSpec(ladder, c, chunk, warmup, rungTime, jvm, rounds, samples, dryRun,
            sim ? server.baseUrl() : externalUri, key, server, clientLimit, JobSession.HEADROOM, requestTimeout,
            maxAttempts, 50, sim || createOrgIfMissing);
        Progress progress = new Progress(err, quiet, ProgressBar.isTerminal());
        List<Rung> rungs = new BenchRunner(benchSpec, progress).run(work);
        double total = (Ticker.system().read() - t0) / 1e9;
        BenchSetup setup = new BenchSetup(sim ? "simulator" : external ? "external" : "dry-run", target,
            sim ? lat.toNanos() / 1e6 : Double.NaN, sim ? jit.toNanos() / 1e6 : Double.NaN,
            sim ? serverLimit : Double.NaN, sim ? serial : Double.NaN, ladder, c, rows, chunk,
            warmup.toNanos() / 1e9, rungTime.toNanos() / 1e9, rounds, notes);
        BenchContext ctx = new BenchContext(Runtime.getRuntime().availableProcessors(), clientLimit,
            JobSession.HEADROOM, sim ? serial : 0, dryRun, sim, "user");
        report(BenchResult.of(setup, ctx, rungs, started, total), out, err);
        return ExitCodes.OK;
      } finally {
        if (server != null) server.close();
      }
    } catch (BenchException e) {
      throw new ExitException(ExitCodes.STOPPED, e.getMessage());
    } finally {
      BenchSamples.deleteTree(work);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException ignored) {
        // shutting down already
      }
    }
  }

  /** Prints the table (or the JSON on stdout), writes --json and --html. */
  void report(BenchResult result, PrintWriter out, PrintWriter err) throws IOException {
    boolean jsonToStdout = json != null && json.toString().equals("-");
    if (jsonToStdout) out.print(BenchJson.render(result));
    else out.print("\n" + BenchText.render(result));
    out.flush();
    if (json != null && !jsonToStdout) write(json, BenchJson.render(result), err);
    if (html != null) write(html, BenchHtml.render(result), err);
    if (!quiet) err.printf("ferry bench: done in %.0f s%n", result.totalSeconds());
  }

  private List<String> notes(boolean sim, boolean external, Duration lat, Duration jit, double serverLimit,
      double clientLimit, double serial, List<Integer> ladder, int c, boolean autoConcurrency, double ceiling,
      double secondsPerCall, String sampleNote, int chunk, String target) {
    List<String> n = new ArrayList<>();
    if (sim) {
      n.add(f("target: WorkOS simulator in this process at %s: latency %d ms ± %d ms, write limit %s, %s", target
          .replace(" (in-process simulator)", ""), lat.toMillis(), jit.toMillis(), limit(serverLimit),
          serial > 0 ? f("a %s ms serialised section on every request (at most %s req/s)", JobSession.fmt(serial),
              JobSession.fmt(Math.round(1000 / serial * 10) / 10.0)) : "no serialised section"));
    } else if (external) {
      n.add("target: " + target + " (real calls: the sample's rows are imported)");
    } else {
      n.add("target: none (dry run: rows are parsed, validated and turned into requests; nothing is sent)");
    }
    if (!dryRun) {
      n.add(f("client: told %s%s; 2 calls a user (create user, create membership) when the row has an"
              + " organization; organizations are pre-created before each rung", limit(clientLimit),
          clientLimit > 0 ? f(", paces at %s req/s", JobSession.fmt(Math.round(clientLimit * JobSession.HEADROOM
              * 100) / 100.0)) : ""));
    }
    String why;
    if (!autoConcurrency) {
      why = "given";
    } else if (Double.isFinite(ceiling) && secondsPerCall > 0) {
      double needed = BenchDefaults.inFlightForCeiling(ceiling, secondsPerCall);
      why = f("auto: the %s req/s ceiling needs about %s requests in flight (Little's law: %s req/s × %s s),"
              + " and %d workers hold %d", JobSession.fmt(Math.round(ceiling * 100) / 100.0),
          JobSession.fmt(Math.round(needed * 10) / 10.0), JobSession.fmt(Math.round(ceiling * 100) / 100.0),
          JobSession.fmt(secondsPerCall), ladder.getLast(), ladder.getLast() * c);
    } else {
      why = "auto: no known ceiling, so workers = rows in flight, as in seed 002";
    }
    n.add(f("ladder: %s workers × concurrency %d (%s); at most workers × concurrency rows in flight",
        String.join(", ", ladder.stream().map(String::valueOf).toList()), c, why));
    n.add(f("each rung: a fresh job of %s in chunks of %d; warm-up until %s or 20%% of the sample, then at most"
            + " %s measured in steady state (rows/s and latency in that window only)", sampleNote, chunk,
        human(warmup), human(rungTime)));
    if (rounds > 1) {
      n.add(f("%d rounds, alternately up and down the ladder; each rung shows its best round (the least disturbed"
          + " by other processes)", rounds));
    }
    if (sim) n.add("CPU, heap and RSS are those of the whole process, the simulator included");
    return n;
  }

  private static String limit(double perSecond) {
    return perSecond > 0 ? JobSession.fmt(perSecond) + " req/s" : "no rate limit";
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private static List<Path> slices(Path csv, long rows, int count, Path work) throws IOException {
    try {
      return BenchSamples.slices(csv, rows, count, work);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(csv + ": no such file");
    } catch (IllegalArgumentException e) {
      throw RunFlags.usage(e.getMessage() + ": lower --records or shorten --workers");
    }
  }

  static void write(Path file, String text, PrintWriter err) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.writeString(file, text);
    err.println("ferry bench: wrote " + file);
  }

  static List<Integer> parseLadder(String text) {
    TreeSet<Integer> set = new TreeSet<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) continue;
      try {
        int w = Integer.parseInt(p);
        if (w < 1 || w > 1024) throw new NumberFormatException();
        set.add(w);
      } catch (NumberFormatException e) {
        throw RunFlags.usage("--workers takes worker counts between 1 and 1024, comma-separated (e.g. 1,2,4,8);"
            + " '" + p + "' is not one");
      }
    }
    if (set.isEmpty()) throw RunFlags.usage("--workers needs at least one worker count");
    return List.copyOf(set);
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** Progress on stderr: a redrawn line per rung on a terminal, one line per finished rung otherwise. */
  static final class Progress implements BenchRunner.Listener {
    private final PrintWriter err;
    private final boolean quiet;
    private final boolean terminal;
    private String prefix = "";
    private final String units;
    private int lastWidth;

    Progress(PrintWriter err, boolean quiet, boolean terminal) {
      this(err, quiet, terminal, "users");
    }

    /** @param units what a row is, plural ("users", "rows") */
    Progress(PrintWriter err, boolean quiet, boolean terminal, String units) {
      this.err = err;
      this.quiet = quiet;
      this.terminal = terminal;
      this.units = units;
    }

    @Override
    public void roundStarting(int round, int rounds, boolean descending) {
      if (!quiet) err.printf("ferry bench: round %d of %d (%s the ladder)%n", round + 1, rounds, descending ? "down" : "up");
    }

    @Override
    public void rungStarting(int index, int count, int workers, int concurrency) {
      prefix = index < 0 ? f("[warm-up] %d workers × %d", workers, concurrency)
          : f("[%d/%d] %d worker%s × %d", index + 1, count, workers, workers == 1 ? "" : "s", concurrency);
      if (!quiet && !terminal && index < 0) err.println("ferry bench: " + prefix + ": JVM warm-up (not measured)");
      draw(prefix + ": starting");
    }

    @Override
    public void phase(int workers, String phase) {
      draw(prefix + ": " + phase);
    }

    @Override
    public void tick(int workers, String phase, double windowSeconds, long windowRows) {
      if (phase.equals("measuring") && windowSeconds > 0) {
        draw(f("%s: measuring %.1f s, %,d %s, %.2f %s/s", prefix, windowSeconds, windowRows, units,
            windowRows / windowSeconds, units));
      } else {
        draw(prefix + ": " + phase);
      }
    }

    @Override
    public void rungDone(int index, Rung r) {
      if (quiet) return;
      String line;
      if (!r.judged()) {
        line = f("%s: %s", prefix, r.notJudgedReason());
        if (r.rateLimited() > 0) line += f(" (rate-limited %d)", r.rateLimited());
      } else {
        String rate = r.rowsPerSecond() >= 100 ? f("%,.0f", r.rowsPerSecond()) : f("%.2f", r.rowsPerSecond());
        line = f("%s: %s %s/s over %.1f s (%,d %s)", prefix, rate, units, r.seconds(), r.rows(), units);
        if (r.requests() > 0) {
          line += f(", %.1f req/s, p95 %.1f ms, rate-limited %d", r.requestsPerSecond(), r.allCalls().p95(),
              r.rateLimited());
        }
        if (!r.steady()) line += " (sample too small for a steady state)";
      }
      if (terminal) {
        err.print("\r" + " ".repeat(lastWidth) + "\r");
        lastWidth = 0;
      }
      err.println("ferry bench: " + line);
      err.flush();
    }

    private void draw(String text) {
      if (quiet || !terminal) return;
      String s = "ferry bench: " + text;
      err.print("\r" + s + " ".repeat(Math.max(0, lastWidth - s.length())));
      lastWidth = s.length();
      err.flush();
    }
  }
}
