package dev.ferry.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable simulator settings. Defaults: ephemeral port, no latency, no rate limits, no faults, no
 * serialised section, seed 0, any {@code sk_test_…}/{@code sk_live_…} key accepted; embeddings and points as
 * {@link EmbeddingsSettings#defaults()} and {@link PointsSettings#defaults()}.
 *
 * <p>The canonical constructor validates every component, so no invalid instance exists. Use
 * {@link #builder()}; {@link #toString()} never shows {@link #requiredKey()}.
 *
 * @param port TCP port on 127.0.0.1; 0 = ephemeral
 * @param latency fixed delay before each API answer
 * @param jitter each API answer's delay is uniform in {@code [latency - jitter, latency + jitter]},
 *     truncated at 0
 * @param writeRateLimit POST/DELETE requests per second; 0 = unlimited
 * @param readRateLimit GET requests per second; 0 = unlimited
 * @param rateWindow counting window; the limit per window is {@code max(1, round(rate × window))}
 * @param rateAlgorithm how requests are counted against the limits
 * @param tokenBucketBurst token bucket capacity expressed as time at the rate:
 *     {@code capacity = max(1, round(rate × burst))}; default 1 s
 * @param retryAfterHeader whether a 429 carries {@code Retry-After}
 * @param errorRate fraction of API calls answered 500/502/503 (before any state change)
 * @param hangRate fraction of API calls that sleep {@code hangDuration}, then answer 504
 * @param hangDuration how long a hang lasts
 * @param dropRate fraction of API calls whose connection is closed without an answer
 * @param slowRate fraction of API calls that get {@code slowLatency} on top of their delay
 * @param slowLatency the extra delay of a slow call
 * @param serialTime how long each API call holds the one global lock (a shared-mutex model)
 * @param seed seed of the random source for faults and jitter
 * @param requiredKey when set, the only accepted API key; otherwise any {@code sk_(test|live)_…}
 * @param multipleRoles whether {@code role_slugs} is accepted on memberships
 * @param idempotencyTtl how long an {@code Idempotency-Key} answer is kept
 * @param idempotencyMaxEntries how many keys are kept (oldest evicted first)
 * @param latencySchedule steps that change the base latency over time, measured from the start or the last
 *     {@code /__reset} (sorted, strictly increasing offsets); before the first step, {@code latency}; empty
 *     = {@code latency} for ever
 * @param embeddings the OpenAI-compatible {@code POST /v1/embeddings}: limits, quota, key, vector length
 * @param points the Qdrant-compatible points API: key, collection creation
 * @param rateHeaders which rate-limit headers every WorkOS API answer carries (none by default, as WorkOS)
 */
public record SimConfig(
    int port,
    Duration latency,
    Duration jitter,
    double writeRateLimit,
    double readRateLimit,
    Duration rateWindow,
    RateAlgorithm rateAlgorithm,
    Duration tokenBucketBurst,
    boolean retryAfterHeader,
    double errorRate,
    double hangRate,
    Duration hangDuration,
    double dropRate,
    double slowRate,
    Duration slowLatency,
    Duration serialTime,
    long seed,
    String requiredKey,
    boolean multipleRoles,
    Duration idempotencyTtl,
    int idempotencyMaxEntries,
    List<LatencyStep> latencySchedule,
    EmbeddingsSettings embeddings,
    PointsSettings points,
    RateHeaders rateHeaders) {

  /** The sliding log keeps one timestamp per permit in a window; this caps its memory at 80 MB. */
  static final long MAX_SLIDING_WINDOW_PERMITS = 10_000_000;

  /** @throws IllegalArgumentException on an out-of-range value; NullPointerException on a null duration */
  public SimConfig {
    check(port >= 0 && port <= 65_535, "port must be 0..65535, was %s", port);
    nonNegative(latency, "latency");
    nonNegative(jitter, "jitter");
    rate(writeRateLimit, "writeRateLimit");
    rate(readRateLimit, "readRateLimit");
    Objects.requireNonNull(rateWindow, "rateWindow cannot be null");
    check(rateWindow.isPositive(), "rateWindow must be positive, was %s", rateWindow);
    Objects.requireNonNull(rateAlgorithm, "rateAlgorithm cannot be null");
    Objects.requireNonNull(tokenBucketBurst, "tokenBucketBurst cannot be null");
    check(tokenBucketBurst.isPositive(), "tokenBucketBurst must be positive, was %s", tokenBucketBurst);
    fraction(errorRate, "errorRate");
    fraction(hangRate, "hangRate");
    nonNegative(hangDuration, "hangDuration");
    fraction(dropRate, "dropRate");
    fraction(slowRate, "slowRate");
    nonNegative(slowLatency, "slowLatency");
    nonNegative(serialTime, "serialTime");
    check(requiredKey == null || !requiredKey.isBlank(), "requiredKey must not be blank");
    nonNegative(idempotencyTtl, "idempotencyTtl");
    check(idempotencyMaxEntries >= 1, "idempotencyMaxEntries must be >= 1, was %s", idempotencyMaxEntries);
    Objects.requireNonNull(rateHeaders, "rateHeaders cannot be null");
    latencySchedule = List.copyOf(Objects.requireNonNull(latencySchedule, "latencySchedule cannot be null"));
    for (int i = 1; i < latencySchedule.size(); i++) {
      check(latencySchedule.get(i).at().compareTo(latencySchedule.get(i - 1).at()) > 0,
          "latency schedule offsets must increase, %s follows %s", latencySchedule.get(i).at(),
          latencySchedule.get(i - 1).at());
    }
    Objects.requireNonNull(embeddings, "embeddings cannot be null");
    Objects.requireNonNull(points, "points cannot be null");
    if (rateAlgorithm == RateAlgorithm.SLIDING_WINDOW) {
      for (double rate : new double[] {writeRateLimit, readRateLimit}) {
        check(permitsPerWindow(rate, rateWindow) <= MAX_SLIDING_WINDOW_PERMITS,
            "rate × window must be <= %s for the sliding window, was %s", MAX_SLIDING_WINDOW_PERMITS,
            permitsPerWindow(rate, rateWindow));
      }
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Permits per window for a rate: {@code max(1, round(rate × window))}; 0 when the rate is 0 (unlimited). */
  static long permitsPerWindow(double ratePerSecond, Duration window) {
    if (ratePerSecond == 0) {
      return 0;
    }
    return Math.max(1, Math.round(ratePerSecond * window.toNanos() / 1e9));
  }

  @Override
  public String toString() {
    return "SimConfig[port=" + port + ", latency=" + latency + ", jitter=" + jitter
        + ", writeRateLimit=" + writeRateLimit + ", readRateLimit=" + readRateLimit
        + ", rateWindow=" + rateWindow + ", rateAlgorithm=" + rateAlgorithm
        + ", tokenBucketBurst=" + tokenBucketBurst + ", retryAfterHeader=" + retryAfterHeader
        + ", errorRate=" + errorRate + ", hangRate=" + hangRate + ", hangDuration=" + hangDuration
        + ", dropRate=" + dropRate + ", slowRate=" + slowRate + ", slowLatency=" + slowLatency
        + ", serialTime=" + serialTime + ", seed=" + seed
        + ", requiredKey=" + (requiredKey == null ? "none" : "***")
        + ", multipleRoles=" + multipleRoles + ", idempotencyTtl=" + idempotencyTtl
        + ", idempotencyMaxEntries=" + idempotencyMaxEntries + ", latencySchedule=" + latencySchedule
        + ", embeddings=" + embeddings + ", points=" + points + ", rateHeaders=" + rateHeaders + "]";
  }

  private static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  private static void nonNegative(Duration value, String name) {
    Objects.requireNonNull(value, name + " cannot be null");
    check(!value.isNegative(), "%s must not be negative, was %s", name, value);
  }

  private static void rate(double value, String name) {
    check(Double.isFinite(value) && value >= 0, "%s must be >= 0 (0 = unlimited), was %s", name, value);
  }

  private static void fraction(double value, String name) {
    check(value >= 0 && value <= 1, "%s must be in [0, 1], was %s", name, value);
  }

  /** Collects settings; {@link #build()} validates them. Not threadsafe. */
  public static final class Builder {
    private int port;
    private Duration latency = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private double writeRateLimit;
    private double readRateLimit;
    private Duration rateWindow = Duration.ofSeconds(10);
    private RateAlgorithm rateAlgorithm = RateAlgorithm.SLIDING_WINDOW;
    private Duration tokenBucketBurst = Duration.ofSeconds(1);
    private boolean retryAfterHeader = true;
    private double errorRate;
    private double hangRate;
    private Duration hangDuration = Duration.ofSeconds(60);
    private double dropRate;
    private double slowRate;
    private Duration slowLatency = Duration.ofSeconds(1);
    private Duration serialTime = Duration.ZERO;
    private long seed;
    private String requiredKey;
    private boolean multipleRoles;
    private Duration idempotencyTtl = Duration.ofHours(24);
    private int idempotencyMaxEntries = 1_000_000;
    private List<LatencyStep> latencySchedule = List.of();
    private EmbeddingsSettings embeddings = EmbeddingsSettings.defaults();
    private PointsSettings points = PointsSettings.defaults();
    private RateHeaders rateHeaders = RateHeaders.NONE;

    Builder() {}

    Builder(SimConfig c) {
      port = c.port;
      latency = c.latency;
      jitter = c.jitter;
      writeRateLimit = c.writeRateLimit;
      readRateLimit = c.readRateLimit;
      rateWindow = c.rateWindow;
      rateAlgorithm = c.rateAlgorithm;
      tokenBucketBurst = c.tokenBucketBurst;
      retryAfterHeader = c.retryAfterHeader;
      errorRate = c.errorRate;
      hangRate = c.hangRate;
      hangDuration = c.hangDuration;
      dropRate = c.dropRate;
      slowRate = c.slowRate;
      slowLatency = c.slowLatency;
      serialTime = c.serialTime;
      seed = c.seed;
      requiredKey = c.requiredKey;
      multipleRoles = c.multipleRoles;
      idempotencyTtl = c.idempotencyTtl;
      idempotencyMaxEntries = c.idempotencyMaxEntries;
      latencySchedule = c.latencySchedule;
      embeddings = c.embeddings;
      points = c.points;
      rateHeaders = c.rateHeaders;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder latency(Duration latency) {
      this.latency = latency;
      return this;
    }

    public Builder jitter(Duration jitter) {
      this.jitter = jitter;
      return this;
    }

    /** POST/DELETE requests per second; 0 = unlimited. */
    public Builder writeRateLimit(double perSecond) {
      this.writeRateLimit = perSecond;
      return this;
    }

    /** GET requests per second; 0 = unlimited. */
    public Builder readRateLimit(double perSecond) {
      this.readRateLimit = perSecond;
      return this;
    }

    public Builder rateWindow(Duration rateWindow) {
      this.rateWindow = rateWindow;
      return this;
    }

    public Builder rateAlgorithm(RateAlgorithm rateAlgorithm) {
      this.rateAlgorithm = rateAlgorithm;
      return this;
    }

    public Builder tokenBucketBurst(Duration burst) {
      this.tokenBucketBurst = burst;
      return this;
    }

    public Builder retryAfterHeader(boolean retryAfterHeader) {
      this.retryAfterHeader = retryAfterHeader;
      return this;
    }

    public Builder errorRate(double errorRate) {
      this.errorRate = errorRate;
      return this;
    }

    public Builder hangRate(double hangRate) {
      this.hangRate = hangRate;
      return this;
    }

    public Builder hangDuration(Duration hangDuration) {
      this.hangDuration = hangDuration;
      return this;
    }

    public Builder dropRate(double dropRate) {
      this.dropRate = dropRate;
      return this;
    }

    public Builder slowRate(double slowRate) {
      this.slowRate = slowRate;
      return this;
    }

    public Builder slowLatency(Duration slowLatency) {
      this.slowLatency = slowLatency;
      return this;
    }

    public Builder serialTime(Duration serialTime) {
      this.serialTime = serialTime;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The only accepted API key; null = any {@code sk_(test|live)_…} key. */
    public Builder requiredKey(String requiredKey) {
      this.requiredKey = requiredKey;
      return this;
    }

    public Builder multipleRoles(boolean multipleRoles) {
      this.multipleRoles = multipleRoles;
      return this;
    }

    public Builder idempotencyTtl(Duration idempotencyTtl) {
      this.idempotencyTtl = idempotencyTtl;
      return this;
    }

    public Builder idempotencyMaxEntries(int idempotencyMaxEntries) {
      this.idempotencyMaxEntries = idempotencyMaxEntries;
      return this;
    }

    /** Steps that change the base latency over time (see {@link SimConfig#latencySchedule()}). */
    public Builder latencySchedule(List<LatencyStep> steps) {
      this.latencySchedule = steps;
      return this;
    }

    /** The embeddings endpoint's settings (default {@link EmbeddingsSettings#defaults()}). */
    public Builder embeddings(EmbeddingsSettings embeddings) {
      this.embeddings = embeddings;
      return this;
    }

    /** The points API's settings (default {@link PointsSettings#defaults()}). */
    public Builder points(PointsSettings points) {
      this.points = points;
      return this;
    }

    /** Which rate-limit headers every WorkOS API answer carries. */
    public Builder rateHeaders(RateHeaders rateHeaders) {
      this.rateHeaders = rateHeaders;
      return this;
    }

    /** @throws IllegalArgumentException naming the first bad setting */
    public SimConfig build() {
      return new SimConfig(port, latency, jitter, writeRateLimit, readRateLimit, rateWindow,
          rateAlgorithm, tokenBucketBurst, retryAfterHeader, errorRate, hangRate, hangDuration,
          dropRate, slowRate, slowLatency, serialTime, seed, requiredKey, multipleRoles,
          idempotencyTtl, idempotencyMaxEntries, latencySchedule, embeddings, points, rateHeaders);
    }
  }
}
