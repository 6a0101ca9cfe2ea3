package dev.ferry.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the simulator's OpenAI-compatible {@code POST /v1/embeddings}. Immutable; the canonical constructor
 * validates every component. Defaults ({@link #defaults()}): no RPM or TPM limit, a one-minute window, OpenAI's
 * per-request limits (2,048 inputs, 300,000 tokens) and context (8,191 tokens), 16 dimensions, any bearer key,
 * no quota. {@link #toString()} never shows {@link #requiredKey()}.
 *
 * @param requestsPerMinute RPM; 0 = unlimited (and no {@code -requests} rate headers)
 * @param tokensPerMinute TPM; 0 = unlimited (and no {@code -tokens} rate headers)
 * @param window the counting window: fixed windows of this length from the start or the last reset, each admitting
 *     {@code max(1, round(limit × window / 1 min))}; shorter than a minute only to make tests and benches quick
 * @param maxInputs inputs allowed in one request
 * @param maxRequestTokens tokens allowed in one request (all inputs together)
 * @param contextTokens the model's context: an input above it fails the whole request with 400
 * @param dimensions the length of a vector when the request gives no {@code dimensions}
 * @param requiredKey when set, the only accepted bearer key; otherwise any non-blank one
 * @param quotaTokens tokens the account may embed before every request answers 429 {@code insufficient_quota};
 *     {@link #UNLIMITED_QUOTA} for no quota, 0 for an account out of credit from the start
 */
public record EmbeddingsSettings(
    long requestsPerMinute,
    long tokensPerMinute,
    Duration window,
    int maxInputs,
    long maxRequestTokens,
    long contextTokens,
    int dimensions,
    String requiredKey,
    long quotaTokens) {

  /** {@link #quotaTokens()} of an account without a quota. */
  public static final long UNLIMITED_QUOTA = Long.MAX_VALUE;
  /** The largest {@code dimensions} a request may ask for (text-embedding-3-large's length). */
  public static final int MAX_DIMENSIONS = 3072;
  private static final Duration MINUTE = Duration.ofMinutes(1);

  /** @throws IllegalArgumentException naming the bad component; NullPointerException for a null window */
  public EmbeddingsSettings {
    check(requestsPerMinute >= 0, "embeddings RPM must be >= 0 (0 = unlimited), was %s", requestsPerMinute);
    check(tokensPerMinute >= 0, "embeddings TPM must be >= 0 (0 = unlimited), was %s", tokensPerMinute);
    Objects.requireNonNull(window, "embeddings window cannot be null");
    check(window.isPositive() && window.compareTo(MINUTE) <= 0,
        "embeddings window must be positive and at most 1m, was %s", window);
    check(maxInputs >= 1, "embeddings max inputs must be >= 1, was %s", maxInputs);
    check(maxRequestTokens >= 1, "embeddings max request tokens must be >= 1, was %s", maxRequestTokens);
    check(contextTokens >= 1, "embeddings context must be >= 1 token, was %s", contextTokens);
    check(dimensions >= 1 && dimensions <= MAX_DIMENSIONS, "embeddings dimensions must be 1..%s, was %s",
        MAX_DIMENSIONS, dimensions);
    check(requiredKey == null || !requiredKey.isBlank(), "the embeddings key must not be blank");
    check(quotaTokens >= 0, "embeddings quota must be >= 0 tokens, was %s", quotaTokens);
  }

  public static EmbeddingsSettings defaults() {
    return new EmbeddingsSettings(0, 0, MINUTE, 2048, 300_000, 8191, 16, null, UNLIMITED_QUOTA);
  }

  public static Builder builder() {
    return new Builder(defaults());
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** What one window admits for a per-minute limit: {@code max(1, round(perMinute × window / 1 min))}; 0 = unlimited. */
  static long perWindow(long perMinute, Duration window) {
    if (perMinute == 0) return 0;
    return Math.max(1, Math.round(perMinute * (window.toNanos() / (double) MINUTE.toNanos())));
  }

  @Override
  public String toString() {
    return "EmbeddingsSettings[rpm=" + requestsPerMinute + ", tpm=" + tokensPerMinute + ", window=" + window
        + ", maxInputs=" + maxInputs + ", maxRequestTokens=" + maxRequestTokens + ", contextTokens=" + contextTokens
        + ", dimensions=" + dimensions + ", requiredKey=" + (requiredKey == null ? "none" : "***")
        + ", quotaTokens=" + (quotaTokens == UNLIMITED_QUOTA ? "none" : quotaTokens) + "]";
  }

  private static void check(boolean condition, String format, Object... args) {
    if (!condition) throw new IllegalArgumentException(String.format(format, args));
  }

  /** Collects settings; {@link #build()} validates them. Not threadsafe. */
  public static final class Builder {
    private long requestsPerMinute;
    private long tokensPerMinute;
    private Duration window;
    private int maxInputs;
    private long maxRequestTokens;
    private long contextTokens;
    private int dimensions;
    private String requiredKey;
    private long quotaTokens;

    private Builder(EmbeddingsSettings s) {
      requestsPerMinute = s.requestsPerMinute;
      tokensPerMinute = s.tokensPerMinute;
      window = s.window;
      maxInputs = s.maxInputs;
      maxRequestTokens = s.maxRequestTokens;
      contextTokens = s.contextTokens;
      dimensions = s.dimensions;
      requiredKey = s.requiredKey;
      quotaTokens = s.quotaTokens;
    }

    public Builder requestsPerMinute(long rpm) {
      this.requestsPerMinute = rpm;
      return this;
    }

    public Builder tokensPerMinute(long tpm) {
      this.tokensPerMinute = tpm;
      return this;
    }

    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    public Builder maxInputs(int maxInputs) {
      this.maxInputs = maxInputs;
      return this;
    }

    public Builder maxRequestTokens(long maxRequestTokens) {
      this.maxRequestTokens = maxRequestTokens;
      return this;
    }

    public Builder contextTokens(long contextTokens) {
      this.contextTokens = contextTokens;
      return this;
    }

    public Builder dimensions(int dimensions) {
      this.dimensions = dimensions;
      return this;
    }

    /** The only accepted bearer key; null = any non-blank key. */
    public Builder requiredKey(String requiredKey) {
      this.requiredKey = requiredKey;
      return this;
    }

    /** Tokens embedded before the account runs out of credit; {@link #UNLIMITED_QUOTA} for none. */
    public Builder quotaTokens(long quotaTokens) {
      this.quotaTokens = quotaTokens;
      return this;
    }

    /** @throws IllegalArgumentException naming the first bad setting */
    public EmbeddingsSettings build() {
      return new EmbeddingsSettings(requestsPerMinute, tokensPerMinute, window, maxInputs, maxRequestTokens,
          contextTokens, dimensions, requiredKey, quotaTokens);
    }
  }
}
