package dev.ferry.steps;

import dev.ferry.core.exec.RatePermits;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.NetworkSettings;
import dev.ferry.http.OutOfQuota;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.TargetHeaders;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * A spec's target at run time: its {@link HttpTarget} (retries, the shared 429 pause, idempotency keys, timeouts)
 * and its limiters, shared by every step and worker of the process. In a dry run there is no HttpTarget and nothing
 * is sent. Threadsafe.
 */
final class StepTarget implements AutoCloseable {
  private final TargetConfig config;
  private final TargetHeaders headers;
  private final TargetLimiters limiters;
  private final Sender sender;
  private final AutoCloseable connections;

  /** Sends one call (HttpTarget's {@code call}: retries, the 429 pause). The seam tests replace with a fake API. */
  @FunctionalInterface
  interface Sender {
    ApiResponse call(ApiCall call) throws InterruptedException;
  }

  /**
   * @param sender      null in a dry run
   * @param connections closed with the target, or null
   */
  StepTarget(TargetConfig config, TargetHeaders headers, TargetLimiters limiters, Sender sender,
      AutoCloseable connections) {
    this.config = config;
    this.headers = headers;
    this.limiters = limiters;
    this.sender = sender;
    this.connections = connections;
  }

  /**
   * @param dryRun        no connection is made
   * @param rateLimitFlag the front takes {@code --rate-limit} for a spec of one target (its hints name it)
   * @throws IllegalArgumentException when a header is malformed
   */
  static StepTarget open(TargetConfig config, boolean dryRun, Duration defaultTimeout, double headroom,
      RetryPolicy retry, Ticker ticker, Sleeper sleeper, DoubleSupplier random, CallMetrics metrics,
      MetricsRecorder exported, NetworkSettings network, ConcurrencyLimiter concurrency, boolean rateLimitFlag) {
    TargetHeaders headers = TargetHeaders.of(config.headers());
    TargetLimiters limiters = TargetLimiters.of(config.name(), config.limits(), headroom, ticker, sleeper);
    HttpTarget http = dryRun ? null : new HttpTarget(config.baseUrl(), headers,
        config.timeout() != null ? config.timeout() : defaultTimeout, limiters.requests(), retry, sleeper, ticker,
        random, MetricsRecorder.composite(metrics, exported),
        limiters.listener(metrics, concurrency, rateLimitFlag),
        network, config.name());
    return new StepTarget(config, headers, limiters, http == null ? null : http::call, http);
  }

  String name() {
    return config.name();
  }

  TargetConfig config() {
    return config;
  }

  /**
   * Charges the call's weights, then sends it (HttpTarget takes a request permit per attempt; a permit this thread
   * prepaid for the call, a batch's, is given up when the weights made it wait, and a fresh one taken). A call that charged
   * tokens and whose answer says how many the target counted ({@code usage.total_tokens}) is trued up to that count;
   * one refused with a 4xx (nothing done) is credited back where the limiter can ({@link WeightLimiter#settle}).
   */
  ApiResponse send(RenderedCall call, String callType) throws InterruptedException {
    if (sender == null) throw new IllegalStateException("a dry run sends nothing");
    if (limiters.charge(call.charge())) {
      // a batch's request permit, taken while it was still open (BatchStep), is stale after a wait for tokens
      RatePermits.forfeit(limiters.requests());
    }
    Long tokens = call.charge().get(TargetLimiters.TOKENS);
    TokenFeedback.sending(tokens == null ? -1 : tokens);
    ApiResponse r;
    try {
      r = sender.call(call.toApiCall(callType));
    } finally {
      TokenFeedback.sent();
    }
    if (tokens != null && r.ok()) {
      long counted = Usage.tokens(r.body());
      if (counted >= 0) limiters.settle(TargetLimiters.TOKENS, tokens, counted);
    } else if (tokens != null && (refused(r.status()) || (r.status() == 429 && OutOfQuota.tooLarge(r.body())))) {
      // refused as a whole (a batch over the model's context or the window's tokens, split and sent again): nothing
      // was embedded
      limiters.settle(TargetLimiters.TOKENS, tokens, 0);
    }
    return r;
  }

  /** A 4xx the target refused the call with, having done nothing: not 408 or 429 (not done yet), not 401/403. */
  private static boolean refused(int status) {
    return status >= 400 && status < 500 && status != 408 && status != 429 && status != 401 && status != 403;
  }

  /** Text that may echo a header value, with the values masked. */
  String scrub(String text) {
    return headers.scrub(text);
  }

  /** The full URL of a path, for display. */
  String url(String pathAndQuery) {
    String base = config.baseUrl().toString();
    if (base.endsWith("/") && pathAndQuery.startsWith("/")) return base + pathAndQuery.substring(1);
    if (!base.endsWith("/") && !pathAndQuery.startsWith("/")) return base + "/" + pathAndQuery;
    return base + pathAndQuery;
  }

  List<String> headerNames() {
    return headers.names();
  }

  RateLimiter requestLimiter() {
    return limiters.requests();
  }

  List<SharedRate> sharedRates() {
    return limiters.shared();
  }

  void paceBy(dev.ferry.core.limit.RateLimiter limiter, java.util.function.DoubleConsumer pace) {
    limiters.paceBy(limiter, pace);
  }

  void shareLearnedBy(java.util.function.IntSupplier processes) {
    limiters.shareLearnedBy(processes);
  }

  boolean learnsLimits() {
    return limiters.learns();
  }

  @Override
  public void close() {
    if (connections == null) return;
    try {
      connections.close();
    } catch (Exception e) {
      // closing idle connections: nothing to report
    }
  }
}
