package dev.ferry.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The embeddings account's RPM and TPM limits and its quota, as one server state. A request is admitted only when
 * the quota covers its tokens and both limits have room, and then it is charged to all three at once; a refused
 * request is charged nothing.
 *
 * <p>Rate headers, OpenAI's names: {@code x-ratelimit-limit-*} states the configured per-minute figure (RPM, TPM,
 * what a client paces to), {@code -remaining-*} what the current window still admits, {@code -reset-*} the time until
 * the window's quota is whole again ({@code 0s} when untouched). With the default one-minute window these are
 * exactly OpenAI's; with a shorter window, remaining and reset describe that window. An unlimited kind sends no
 * headers.
 *
 * <p>Threadsafe: every method holds {@code this}; the critical sections never block.
 */
final class EmbeddingsLimits {
  /* Concurrency: requests, tokens and quotaLeft are guarded by `this`; admit checks and charges under one hold,
   * so two requests can never both take the last of a window. */
  private final long requestsPerMinute;
  private final long tokensPerMinute;
  private final WeightedWindow requests; // null = unlimited
  private final WeightedWindow tokens; // null = unlimited
  private final LongSupplier ticker;
  private long quotaLeft;

  /** Why a request was or was not admitted. */
  enum Outcome {
    /** Charged; go on. */
    ADMITTED,
    /** 429 {@code rate_limit_exceeded}, type {@code requests}: the RPM window is full. */
    REQUESTS,
    /** 429 {@code rate_limit_exceeded}, type {@code tokens}: the TPM window has no room for the request. */
    TOKENS,
    /** 429 {@code insufficient_quota}: the account is out of credit. */
    QUOTA
  }

  /**
   * A decision, with the numbers for the 429 message and the rate headers after it.
   *
   * @param limit the refusing window's limit (0 unless refused by a limit)
   * @param used what that window had used
   * @param waitNanos until the request could pass; -1 when it never can (more tokens than a window admits)
   */
  record Admission(Outcome outcome, long limit, long used, long waitNanos, Map<String, String> headers) {}

  EmbeddingsLimits(EmbeddingsSettings settings, LongSupplier ticker) {
    long now = ticker.getAsLong();
    long window = settings.window().toNanos();
    long rpm = EmbeddingsSettings.perWindow(settings.requestsPerMinute(), settings.window());
    long tpm = EmbeddingsSettings.perWindow(settings.tokensPerMinute(), settings.window());
    this.requestsPerMinute = settings.requestsPerMinute();
    this.tokensPerMinute = settings.tokensPerMinute();
    this.requests = rpm == 0 ? null : new WeightedWindow(rpm, window, now);
    this.tokens = tpm == 0 ? null : new WeightedWindow(tpm, window, now);
    this.ticker = ticker;
    this.quotaLeft = settings.quotaTokens();
  }

  /** Admits and charges one request of {@code requestTokens}, or says why not. */
  synchronized Admission admit(long requestTokens) {
    long now = advance();
    if (quotaLeft < requestTokens) {
      quotaLeft = 0; // out of credit: every later request is refused too
      return new Admission(Outcome.QUOTA, 0, 0, -1, headers(now));
    }
    if (requests != null && !requests.fits(1)) {
      return new Admission(Outcome.REQUESTS, requests.limit(), requests.used(), requests.resetNanos(now), headers(now));
    }
    if (tokens != null && !tokens.fits(requestTokens)) {
      long wait = requestTokens > tokens.limit() ? -1 : tokens.resetNanos(now);
      return new Admission(Outcome.TOKENS, tokens.limit(), tokens.used(), wait, headers(now));
    }
    if (requests != null) requests.take(1);
    if (tokens != null) tokens.take(requestTokens);
    quotaLeft -= requestTokens;
    return new Admission(Outcome.ADMITTED, 0, 0, 0, headers(now));
  }

  /** The rate headers now, without charging anything (for answers that are not charged, such as a 400). */
  synchronized Map<String, String> headers() {
    return headers(advance());
  }

  private long advance() {
    long now = ticker.getAsLong();
    if (requests != null) requests.advanceTo(now);
    if (tokens != null) tokens.advanceTo(now);
    return now;
  }

  private Map<String, String> headers(long now) {
    Map<String, String> headers = new LinkedHashMap<>();
    put(headers, "requests", requestsPerMinute, requests, now);
    put(headers, "tokens", tokensPerMinute, tokens, now);
    return headers;
  }

  private static void put(Map<String, String> headers, String kind, long perMinute, WeightedWindow window, long now) {
    if (window == null) return;
    headers.put("x-ratelimit-limit-" + kind, Long.toString(perMinute));
    headers.put("x-ratelimit-remaining-" + kind, Long.toString(window.remaining()));
    headers.put("x-ratelimit-reset-" + kind, OpenAiDuration.format(window.resetNanos(now)));
  }
}
