package dev.ferry.cli;

import dev.ferry.sim.LatencyStep;
import dev.ferry.sim.RateAlgorithm;
import dev.ferry.sim.RateHeaders;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry sim}: runs the simulator (WorkOS, OpenAI-compatible embeddings, Qdrant-compatible points) until
 * stopped. Prints one line, {@code ferry sim listening on http://127.0.0.1:PORT} ({@code https://} with
 * {@code --tls}), once it accepts connections. Ctrl-C / SIGTERM
 * close the server through a shutdown hook; an interrupt of the calling thread closes it too and
 * returns {@link ExitCodes#STOPPED}. A port that cannot be bound gives one line and {@link ExitCodes#USAGE}.
 */
@Command(name = "sim", description = "Run the simulator (WorkOS, OpenAI-compatible embeddings, Qdrant-compatible"
    + " points, CRM contacts) on 127.0.0.1.")
public final class SimCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit")
  boolean help;

  @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
      description = "TCP port on 127.0.0.1; 0 = ephemeral (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--latency", defaultValue = "0ms", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Delay before each API answer, e.g. 200ms (default: ${DEFAULT-VALUE})")
  Duration latency;

  @Option(names = "--latency-schedule", paramLabel = "AT=LATENCY,...",
      description = "Change the latency over time, counted from the start or the last POST /__reset,"
          + " e.g. 0s=200ms,40s=400ms,80s=200ms (before the first step: --latency)")
  String latencySchedule;

  @Option(names = "--jitter", defaultValue = "0ms", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Uniform jitter: each delay is in [latency - jitter, latency + jitter], at least 0 (default: ${DEFAULT-VALUE})")
  Duration jitter;

  @Option(names = "--rate-limit", defaultValue = "none", converter = RateConverter.class, paramLabel = "PER_SECOND",
      description = "Write (POST/DELETE) requests per second; none or 0 = unlimited (default: ${DEFAULT-VALUE})")
  double writeRateLimit;

  @Option(names = "--read-rate-limit", defaultValue = "none", converter = RateConverter.class, paramLabel = "PER_SECOND",
      description = "GET requests per second; none or 0 = unlimited (default: ${DEFAULT-VALUE})")
  double readRateLimit;

  @Option(names = "--rate-window", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Counting window; the limit per window is rate × window (default: ${DEFAULT-VALUE})")
  Duration rateWindow;

  @Option(names = {"--limiter", "--rate-algorithm"}, defaultValue = "sliding", converter = AlgorithmConverter.class,
      paramLabel = "ALGORITHM", completionCandidates = AlgorithmConverter.Names.class,
      description = "How the rate limit counts: sliding (a sliding log of rate x window), fixed (fixed windows"
          + " aligned to the start) or bucket (a token bucket of rate x --burst) (default: ${DEFAULT-VALUE})")
  RateAlgorithm rateAlgorithm;

  @Option(names = "--rate-headers", defaultValue = "none", converter = RateHeadersConverter.class,
      paramLabel = "CONVENTION", completionCandidates = RateHeadersConverter.Names.class,
      description = "Rate-limit headers on every API answer: none (as WorkOS), x (X-RateLimit-Limit/-Remaining/"
          + "-Reset, epoch seconds), ietf (RateLimit-Policy and RateLimit) or openai (x-ratelimit-*-requests,"
          + " durations) (default: ${DEFAULT-VALUE})")
  RateHeaders rateHeaders;

  @Option(names = "--burst", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Token bucket capacity as time at the rate: capacity = rate × burst (default: ${DEFAULT-VALUE})")
  Duration burst;

  @Option(names = "--no-retry-after", description = "Send 429 answers without a Retry-After header")
  boolean noRetryAfter;

  @Option(names = "--error-rate", defaultValue = "0", paramLabel = "FRACTION",
      description = "Fraction of API calls answered 500/502/503 (default: ${DEFAULT-VALUE})")
  double errorRate;

  @Option(names = "--hang-rate", defaultValue = "0", paramLabel = "FRACTION",
      description = "Fraction of API calls that hang for --hang-duration, then answer 504 (default: ${DEFAULT-VALUE})")
  double hangRate;

  @Option(names = "--hang-duration", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long a hang lasts (default: ${DEFAULT-VALUE})")
  Duration hangDuration;

  @Option(names = "--drop-rate", defaultValue = "0", paramLabel = "FRACTION",
      description = "Fraction of API calls whose connection is closed without an answer (default: ${DEFAULT-VALUE})")
  double dropRate;

  @Option(names = "--slow-rate", defaultValue = "0", paramLabel = "FRACTION",
      description = "Fraction of API calls that get --slow-latency on top (default: ${DEFAULT-VALUE})")
  double slowRate;

  @Option(names = "--slow-latency", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Extra delay of a slow call (default: ${DEFAULT-VALUE})")
  Duration slowLatency;

  @Option(names = "--serial-ms", defaultValue = "0", paramLabel = "MILLIS",
      description = "Milliseconds each API call holds one global lock (a shared-mutex model) (default: ${DEFAULT-VALUE})")
  double serialMs;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the fault and jitter dice (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--multiple-roles", description = "Accept role_slugs on memberships (the Multiple Roles feature)")
  boolean multipleRoles;

  @Option(names = "--require-key-env", paramLabel = "VAR",
      description = "Accept only the API key held by this environment variable (default: any sk_test_/sk_live_ key)")
  String requireKeyEnv;

  @Mixin
  SimVectorOptions vectors;

  @Option(names = "--tls", paramLabel = "FILE",
      description = "Serve https with the key and certificate of this PKCS#12 file (its password in"
          + " $FERRY_SIM_TLS_PASSWORD, default 'changeit'); clients must trust the certificate (ferry: --ca-cert).")
  Path tlsKeystore;

  @Override
  public Integer call() {
    SimConfig config = toConfig(System::getenv);
    SimServer server;
    try {
      if (tlsKeystore == null) {
        server = SimServer.start(config);
      } else {
        String password = System.getenv().getOrDefault("FERRY_SIM_TLS_PASSWORD", "changeit");
        server = SimServer.start(config, SimTls.fromPkcs12(tlsKeystore, password.toCharArray()));
      }
    } catch (IOException e) {
      spec.commandLine().getErr().println("[ERROR] ferry sim: --tls " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (UncheckedIOException e) {
      spec.commandLine().getErr().println("[ERROR] ferry sim: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "ferry-sim-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("ferry sim listening on " + server.baseUrl());
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
      server.close();
      Thread.currentThread().interrupt();
      return ExitCodes.STOPPED;
    }
    return ExitCodes.OK;
  }

  /**
   * The configuration the options describe.
   *
   * @param env reads an environment variable (null when unset)
   * @throws CommandLine.ParameterException one line naming the bad option (exit code 2)
   */
  SimConfig toConfig(UnaryOperator<String> env) {
    String requiredKey = null;
    if (requireKeyEnv != null) {
      requiredKey = env.apply(requireKeyEnv);
      if (requiredKey == null || requiredKey.isBlank()) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--require-key-env: environment variable " + requireKeyEnv + " is not set or empty");
      }
    }
    if (!(serialMs >= 0) || Double.isInfinite(serialMs)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--serial-ms must be >= 0, was " + serialMs);
    }
    try {
      return SimConfig.builder()
          .port(port)
          .latency(latency)
          .latencySchedule(latencySchedule == null ? List.of() : parseSchedule(latencySchedule))
          .jitter(jitter)
          .writeRateLimit(writeRateLimit)
          .readRateLimit(readRateLimit)
          .rateWindow(rateWindow)
          .rateAlgorithm(rateAlgorithm)
          .tokenBucketBurst(burst)
          .retryAfterHeader(!noRetryAfter)
          .rateHeaders(rateHeaders)
          .errorRate(errorRate)
          .hangRate(hangRate)
          .hangDuration(hangDuration)
          .dropRate(dropRate)
          .slowRate(slowRate)
          .slowLatency(slowLatency)
          .serialTime(Duration.ofNanos(Math.round(serialMs * 1e6)))
          .seed(seed)
          .requiredKey(requiredKey)
          .multipleRoles(multipleRoles)
          .embeddings(vectors.embeddings(env))
          .points(vectors.points(env))
          .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "ferry sim: " + e.getMessage());
    }
  }

  /** A rate in requests per second; {@code none} (or 0) = unlimited, returned as 0. */
  static final class RateConverter implements CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT);
      if (text.equals("none") || text.equals("unlimited")) {
        return 0.0;
      }
      try {
        double rate = Double.parseDouble(text.endsWith("/s") ? text.substring(0, text.length() - 2) : text);
        if (Double.isFinite(rate) && rate >= 0) {
          return rate;
        }
      } catch (NumberFormatException e) {
        // falls through to the error
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a rate (requests per second, e.g. 50, or none)");
    }
  }

  /**
   * {@code AT=LATENCY,...}, e.g. {@code 0s=200ms,40s=400ms}: durations as {@link DurationConverter} reads them.
   *
   * @throws CommandLine.ParameterException one line naming the bad step (exit code 2)
   */
  List<LatencyStep> parseSchedule(String value) {
    List<LatencyStep> steps = new ArrayList<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      try {
        if (eq < 0) throw new CommandLine.TypeConversionException("'" + part.trim() + "' is not AT=LATENCY");
        Duration at = DurationConverter.parse(part.substring(0, eq));
        Duration latency = DurationConverter.parse(part.substring(eq + 1));
        if (!steps.isEmpty() && at.compareTo(steps.get(steps.size() - 1).at()) <= 0) {
          throw new CommandLine.TypeConversionException("offsets must increase ('" + part.trim() + "')");
        }
        steps.add(new LatencyStep(at, latency));
      } catch (CommandLine.TypeConversionException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--latency-schedule: " + e.getMessage() + "; expected e.g. 0s=200ms,40s=400ms,80s=200ms");
      }
    }
    return List.copyOf(steps);
  }

  /**
   * {@code sliding}, {@code fixed} or {@code bucket}, or the long names {@code sliding-window}, {@code fixed-window},
   * {@code token-bucket} (underscores and case ignored).
   */
  static final class AlgorithmConverter implements CommandLine.ITypeConverter<RateAlgorithm> {
    @Override
    public RateAlgorithm convert(String value) {
      String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      switch (name) {
        case "SLIDING" -> name = "SLIDING_WINDOW";
        case "FIXED" -> name = "FIXED_WINDOW";
        case "BUCKET" -> name = "TOKEN_BUCKET";
        default -> { }
      }
      for (RateAlgorithm algorithm : RateAlgorithm.values()) {
        if (algorithm.name().equals(name)) {
          return algorithm;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a rate algorithm (sliding, fixed, bucket)");
    }

    /** The names shown in help and shell completion. */
    static final class Names extends java.util.ArrayList<String> {
      Names() {
        super(java.util.List.of("sliding", "fixed", "bucket"));
      }
    }
  }

  /** {@code none}, {@code x}, {@code ietf} or {@code openai} (case ignored). */
  static final class RateHeadersConverter implements CommandLine.ITypeConverter<RateHeaders> {
    @Override
    public RateHeaders convert(String value) {
      try {
        return RateHeaders.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a rate-limit header convention (none, x, ietf, openai)");
      }
    }

    /** The names shown in help and shell completion. */
    static final class Names extends java.util.ArrayList<String> {
      Names() {
        super(java.util.List.of("none", "x", "ietf", "openai"));
      }
    }
  }
}
