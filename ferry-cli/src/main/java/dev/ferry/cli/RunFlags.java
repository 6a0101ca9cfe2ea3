package dev.ferry.cli;

import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.http.NetworkSettings;
import dev.ferry.metrics.PrometheusEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags shared by every command that runs a job. Null means "not given" (resume then uses the job's own). */
final class RunFlags {
  @Option(names = "--workers", paramLabel = "W", description = "Chunks processed at once (default: 4, or the job's).")
  Integer workers;

  /** {@code --concurrency auto}: an adaptive limit on the rows in flight of the whole run. */
  static final int AUTO = 0;

  /** The concurrency of a new job when --concurrency is not given. */
  static final int DEFAULT_CONCURRENCY = AUTO;

  @Option(names = "--concurrency", paramLabel = "C|auto", converter = ConcurrencyConverter.class,
      description = "'auto' (the default, or the job's): one adaptive limit on the rows in flight of the whole"
          + " run, found from the target's latency and 429s (W is then how many chunks are open at once)."
          + " A number C: a fixed C rows in flight per worker, at most W x C requests in flight.")
  Integer concurrency;

  @Option(names = "--rate-limit", paramLabel = "auto|none|REQ/S|N/WINDOW",
      parameterConsumer = RateLimitOption.Limit.class,
      description = "What the target allows, shared by all workers (default: the job's; for a new job 50 against"
          + " api.workos.com, WorkOS's documented limit, else auto). 'auto': learn it, from the target's"
          + " rate-limit headers (X-RateLimit-*, RateLimit/RateLimit-Policy, OpenAI's) when it sends them, else"
          + " from its 429s (a pace ramped from 50/s, then probed upward again). A rate (50): ferry paces evenly"
          + " at 98.5%% of it. A budget per window (500/10s, as WorkOS states its write limit): ferry sends as soon"
          + " as the budget allows, never more than 500 in any 10.15 s. 'none': there is none; rows are sent as"
          + " fast as the target's latency allows, and a 429 (or rate-limit headers) still paces them. 0 is refused"
          + " (it would send nothing).")
  RateLimitSpec rateLimit;

  @Option(names = "--request-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Per-request timeout (default: 30s).")
  Duration requestTimeout;

  @Option(names = "--row-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Longest a row may take, all its steps, retries and waits included (default: none). A row still"
          + " running then is cut and recorded failed, retryable ('row_timeout'): resume sends it again with the same"
          + " idempotency keys. Give it to resume and worker again: it is this process's bound, not the job's.")
  Duration rowTimeout;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "6",
      description = "Attempts per call for 5xx, timeouts and connection errors (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--max-consecutive-failures", paramLabel = "N", defaultValue = "50",
      description = "Pause the job after N failed rows in a row; 0 = never (default: ${DEFAULT-VALUE}).")
  int maxConsecutiveFailures;

  @Option(names = "--stop-grace", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
      description = "After Ctrl-C/SIGTERM, how long rows in flight may take to finish before they are left for"
          + " resume (default: ${DEFAULT-VALUE}). A second Ctrl-C stops at once.")
  Duration stopGrace;

  @Option(names = "--api-key-file", paramLabel = "FILE",
      description = "Read the API key from FILE (owner-only permissions) instead of the environment:"
          + " WORKOS_SECRET_KEY, or WORKOS_API_KEY (the WorkOS SDKs' name) when WORKOS_SECRET_KEY is not set.")
  Path apiKeyFile;

  @Option(names = "--ca-cert", paramLabel = "FILE",
      description = "Also trust the certificates of this PEM file for https targets (a company CA, a TLS-inspecting"
          + " proxy, a self-signed staging server); added to the JDK's trusted certificates, never replacing them."
          + " Default: $SSL_CERT_FILE when set. Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY or the JVM's"
          + " https.proxyHost properties.")
  Path caCert;

  /** Rows whose requests a dry run prints: {@code run --show-requests}, else {@link RequestSample#DEFAULT_ROWS}. */
  long showRequests = RequestSample.DEFAULT_ROWS;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR", defaultValue = ".ferry",
      description = "Where job state lives: a directory, made when missing (default: ${DEFAULT-VALUE}).")
  Path checkpointDir;

  @Option(names = "--store", paramLabel = "URL|FILE",
      description = "Where job state lives instead of <checkpoint-dir>/ferry.db: a SQLite file, or a PostgreSQL URL"
          + " (jdbc:postgresql://host:5432/db?user=...) for distributed mode, where 'ferry worker JOB' joins the job"
          + " from any machine and all processes share the rate limit. Default: $FERRY_STORE, else the checkpoint"
          + " directory's file.")
  String store;

  @Option(names = "--lease", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
      description = "How long a claimed chunk stays with a process that stopped renewing it (killed, cut off)"
          + " before another process takes it over (default: ${DEFAULT-VALUE}).")
  Duration lease;

  @Option(names = "--exit-when-idle",
      description = "Distributed mode: exit as soon as no chunk is free to claim, leaving the chunks other processes"
          + " hold to them. By default a process waits for those chunks and takes over any whose lease runs out"
          + " unrenewed (its process died), so the job finishes while any process runs.")
  boolean exitWhenIdle;

  @Option(names = "--errors-out", paramLabel = "FILE",
      description = "Errors file (default: the job's, else <checkpoint-dir>/jobs/<job>/errors.csv). Given when a"
          + " job is planned or resumed, it becomes the job's; a worker's is its own run's only.")
  Path errorsOut;

  @Option(names = "--report-json", paramLabel = "FILE", description = "Also write the final report as JSON to FILE.")
  Path reportJson;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "Write one CSV line a second to FILE: elapsed_s, rows_settled, requests, rate_limited,"
          + " in_flight, limit (adaptive), pace (req/s): what the run did and where its limits were.")
  Path timeline;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the job runs: rows by outcome,"
          + " requests by status class, 429s, retries, in flight, concurrency limit, pace, latency histograms,"
          + " chunks. 0: any free port (the URL is printed on stderr).")
  Integer metricsPort;

  /** Where --metrics-port listens unless --metrics-bind says otherwise: loopback only. */
  static final String METRICS_BIND = "127.0.0.1";

  @Option(names = "--metrics-bind", paramLabel = "ADDRESS",
      description = "Address the metrics endpoint listens on (default: " + METRICS_BIND + "; 0.0.0.0 for every"
          + " interface).")
  String metricsBind;

  @Option(names = "--metrics-linger", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "0s",
      description = "Keep serving the final metrics for DURATION after the job ended, so a scraper sees the end of"
          + " a short job (default: ${DEFAULT-VALUE}; Ctrl-C ends the wait).")
  Duration metricsLinger;

  @Option(names = "--json", description = "Print the final report as JSON on stdout instead of text.")
  boolean json;

  @Option(names = {"-q", "--quiet"}, description = "No progress output; only the final report.")
  boolean quiet;

  @Option(names = "--progress", paramLabel = "auto|always|never", defaultValue = "auto",
      description = "Progress bar: auto (only on a terminal), always, never (default: ${DEFAULT-VALUE}).")
  String progress;

  @Option(names = {"-v", "--verbose"}, description = "Debug logging on stderr and stack traces.")
  void verbose(boolean on) {
    Verbosity.set(on);
  }

  /**
   * How this run reaches its target: proxies from {@code env} and the JVM's properties, extra trusted certificates
   * from --ca-cert or SSL_CERT_FILE.
   *
   * @throws ExitException (usage) naming the bad setting, never a proxy password
   */
  NetworkSettings network(Map<String, String> env) {
    try {
      return NetworkSettings.from(env, System.getProperties(), caCert);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /** {@link NetworkSettings#verifyCertificates}: a file whose blocks hold no certificate is a usage error. */
  void verifyCertificates(NetworkSettings network) {
    try {
      network.verifyCertificates();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  int workersOr(int fallback) {
    return workers != null ? workers : fallback;
  }

  int concurrencyOr(int fallback) {
    return concurrency != null ? concurrency : fallback;
  }

  /** The row timeout of this process's run: {@link Duration#ZERO} (none) when not given. */
  Duration rowTimeoutOrNone() {
    return rowTimeout == null ? Duration.ZERO : rowTimeout;
  }

  void validate() {
    if (workers != null && (workers < 1 || workers > 1024)) throw usage("--workers must be between 1 and 1024");
    if (concurrency != null && concurrency != AUTO && (concurrency < 1 || concurrency > 10_000)) {
      throw usage("--concurrency must be between 1 and 10000, or auto");
    }
    if (maxAttempts < 1) throw usage("--max-attempts must be >= 1");
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) throw usage("--lease must be at least 1s");
    if (maxConsecutiveFailures < 0) throw usage("--max-consecutive-failures must be >= 0");
    if (requestTimeout != null && (requestTimeout.isZero() || requestTimeout.isNegative())) {
      throw usage("--request-timeout must be positive");
    }
    if (rowTimeout != null && !rowTimeout.isPositive()) throw usage("--row-timeout must be positive");
    if (stopGrace.isNegative()) throw usage("--stop-grace must not be negative");
    if (!progress.matches("auto|always|never")) throw usage("--progress must be auto, always or never");
    StateDir.directoryOrAbsent(checkpointDir, "--checkpoint-dir");
    writableFile(errorsOut, "--errors-out");
    writableFile(reportJson, "--report-json");
    writableFile(timeline, "--timeline");
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      throw usage("--metrics-port must be between 0 and 65535");
    }
    if (metricsLinger.isNegative()) throw usage("--metrics-linger must not be negative");
    if (metricsPort == null && (metricsBind != null || !metricsLinger.isZero())) {
      throw usage((metricsBind != null ? "--metrics-bind" : "--metrics-linger") + " needs --metrics-port");
    }
  }

  /**
   * Starts the {@code --metrics-port} endpoint and prints its URL on stderr (also with --quiet: it is what the
   * flag asked for); null without the flag.
   *
   * @throws ExitException (usage) when the address cannot be listened on
   */
  PrometheusEndpoint openMetrics(PrintWriter err) {
    if (metricsPort == null) return null;
    String bind = metricsBind != null ? metricsBind : METRICS_BIND;
    String where = bind + ":" + metricsPort;
    try {
      PrometheusEndpoint endpoint = PrometheusEndpoint.start(InetAddress.getByName(bind), metricsPort);
      err.println("ferry: metrics at " + endpoint.uri());
      err.flush();
      return endpoint;
    } catch (UnknownHostException e) {
      throw usage("--metrics-bind " + bind + ": no such address");
    } catch (IOException e) {
      throw usage("--metrics-port " + metricsPort + ": cannot listen on " + where + " ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }
  }

  /**
   * Refuses an output file that cannot be written, before anything is sent (otherwise the job would run to
   * the end and then fail with an internal error instead of printing its report). Has no side effects: the
   * nearest existing ancestor must be a writable directory (missing ones are created later).
   */
  static void writableFile(Path file, String flag) {
    if (file == null) return;
    Path f = file.toAbsolutePath().normalize();
    if (Files.isDirectory(f)) throw usage(flag + " " + file + " is a directory; give a file name");
    if (Files.exists(f) && !Files.isWritable(f)) throw usage(flag + " " + file + ": the file is not writable");
    Path dir = f.getParent();
    while (dir != null && !Files.exists(dir)) dir = dir.getParent();
    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw usage(flag + " " + file + ": cannot write there (" + (dir == null ? "no such directory"
          : Files.isDirectory(dir) ? dir + " is not writable" : dir + " is not a directory") + ")");
    }
  }

  static ExitException usage(String message) {
    return new ExitException(ExitCodes.USAGE, message);
  }

  /** Converts "10" or "auto" (stored as {@link #AUTO}). */
  static final class ConcurrencyConverter implements picocli.CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      if (v.equals("auto") || v.equals("adaptive")) return AUTO;
      try {
        int n = Integer.parseInt(v);
        if (n < 1) throw new NumberFormatException();
        return n;
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a concurrency (a whole number >= 1, or 'auto')");
      }
    }
  }

  /**
   * Converts "50", "12.5/s", "500/10s" (a budget per window), "auto" (learned) or "none"/"0" (no limit). The client's
   * own limits do not take it: {@link RateLimitOption} refuses their 0.
   */
  static final class RateLimitConverter implements picocli.CommandLine.ITypeConverter<RateLimitSpec> {
    @Override
    public RateLimitSpec convert(String value) {
      try {
        return RateLimitSpec.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Converts "50", "12.5/s" or "none"/"0" (no limit, as 0) to requests per second: the simulator's limit of demo. */
  static final class RateConverter implements picocli.CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      RateLimitSpec limit = new RateLimitConverter().convert(value);
      if (limit.isAuto()) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "': this option takes a rate (a number of requests per second, or 'none')");
      }
      if (limit.isBudget()) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is a budget per window; this option takes a rate (a number of requests per second, or 'none')");
      }
      return limit.perSecond();
    }
  }
}
