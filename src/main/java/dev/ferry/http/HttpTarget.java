package dev.ferry.http;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.DoubleSupplier;

/**
 * Sends {@link ApiCall}s to one HTTP API: every attempt takes a permit from the target's shared
 * {@link RateLimiter}; a 429 pauses that limiter (not only the request) for its Retry-After, or an
 * exponential backoff when absent; 5xx, 408, timeouts and connection errors are retried with backoff up to the
 * {@link RetryPolicy}; 401/403 throw {@link AuthFailureException}; other answers are returned as they are.
 *
 * <p>Threadsafe: called by many virtual threads at once; all mutable state lives in the limiter, the
 * metrics, the URI cache and the JDK client, each threadsafe.
 */
public final class HttpTarget implements AutoCloseable {
  /** Paths whose resolved {@link URI} is kept (the fixed create paths; per-row paths are resolved anew). */
  static final int MAX_CACHED_URIS = 64;
  private final URI baseUri;
  private final Secret apiKey;
  private final String authorization;
  private final Duration requestTimeout;
  private final RateLimiter limiter;
  private final RetryPolicy retryPolicy;
  private final Sleeper sleeper;
  private final Ticker ticker;
  private final DoubleSupplier random;
  private final CallMetrics metrics;
  private final AttemptListener listener;
  /* The JDK client runs its response pipeline as tasks on an executor; by default a cached pool of platform
   * threads, so every answer crosses from the selector thread to a pool thread and then wakes the calling
   * virtual thread: two OS-thread hand-offs (futex park/unpark) per call. On virtual threads the tasks run on
   * the carriers that already run the rows: ~11 % less client CPU per row at 5 ms latency (peer benchmark,
   * workload c), all of it saved hand-offs (sys time -35 %). A direct executor would save more CPU but runs
   * every answer on the one selector thread, which was slower in wall time. Closed after the client. */
  private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client;
  /** Resolved URIs by call path: at most about {@link #MAX_CACHED_URIS} (racing misses may add a few more). */
  private final ConcurrentHashMap<String, URI> uris = new ConcurrentHashMap<>();

  public HttpTarget(URI baseUri, Secret apiKey, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, CallMetrics metrics) {
    this(baseUri, apiKey, requestTimeout, limiter, retryPolicy, sleeper, ticker, random, metrics,
        AttemptListener.NONE);
  }

  /**
   * @param listener told about every attempt (adaptive limits learn from it; see {@link AdaptiveFeedback})
   */
  public HttpTarget(URI baseUri, Secret apiKey, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, CallMetrics metrics,
      AttemptListener listener) {
    Objects.requireNonNull(baseUri, "baseUri cannot be null");
    this.baseUri = baseUri.toString().endsWith("/") ? baseUri : URI.create(baseUri + "/");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey cannot be null");
    this.authorization = apiKey.bearerHeader();
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout cannot be null");
    this.limiter = Objects.requireNonNull(limiter, "limiter cannot be null");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy cannot be null");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper cannot be null");
    this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
    this.random = Objects.requireNonNull(random, "random cannot be null");
    this.metrics = Objects.requireNonNull(metrics, "metrics cannot be null");
    this.listener = Objects.requireNonNull(listener, "listener cannot be null");
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requestTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(exchanges)
        .build();
  }

  public CallMetrics metrics() {
    return metrics;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /**
   * Sends the call, retrying as the class comment says.
   *
   * @throws AuthFailureException on 401/403
   * @throws InterruptedException if interrupted while waiting for a permit, a backoff or the answer
   */
  public ApiResponse call(ApiCall call) throws InterruptedException {
    int attempts = 0;
    int transientRetries = 0;
    int rateLimitRetries = 0;
    while (true) {
      long queued = ticker.read();
      limiter.acquire(sleeper);
      long sent = ticker.read();
      attempts++;
      Attempt a = attempt(call);
      listener.onAttempt(new AttemptListener.Attempt(call.method(), queued, sent, a.answeredNanos, a.status,
          a.retryAfterNanos.orElse(-1)));
      if (a.status == 401 || a.status == 403) {
        throw new AuthFailureException(a.status, a.status == 401
            ? "the target refused the API key (HTTP 401): check WORKOS_SECRET_KEY (or --api-key-file) and --api-url"
            : "the API key lacks permission for " + call.method() + " " + pathOnly(call.path())
                + " (HTTP 403): check the key's environment and rights");
      }
      if (a.status == 429) {
        metrics.rateLimited();
        long pause = a.retryAfterNanos.isPresent() ? a.retryAfterNanos.getAsLong()
            : retryPolicy.backoffNanos(Math.min(rateLimitRetries + 1, 20), random.getAsDouble());
        limiter.pauseFor(Duration.ofNanos(pause));
        if (rateLimitRetries++ < retryPolicy.maxRateLimitRetries()) {
          metrics.retried();
          continue;
        }
        return a.toResponse(attempts, true);
      }
      boolean transientFailure = a.status == 0 || a.status == 408 || a.status >= 500;
      if (!transientFailure) {
        return a.toResponse(attempts, false);
      }
      if (++transientRetries >= retryPolicy.maxAttempts()) {
        return a.toResponse(attempts, true);
      }
      metrics.retried();
      sleeper.sleepNanos(retryPolicy.backoffNanos(transientRetries, random.getAsDouble()));
    }
  }

  private Attempt attempt(ApiCall call) throws InterruptedException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(uriOf(call.path()))
        .timeout(requestTimeout)
        .header("Authorization", authorization)
        .header("Accept", "application/json")
        .header("User-Agent", "ferry/0.1");
    if (call.idempotencyKey() != null) rb.header("Idempotency-Key", call.idempotencyKey());
    if (call.jsonBody() != null) {
      rb.header("Content-Type", "application/json")
          .method(call.method(), HttpRequest.BodyPublishers.ofString(call.jsonBody(), StandardCharsets.UTF_8));
    } else {
      rb.method(call.method(), HttpRequest.BodyPublishers.noBody());
    }
    long start = ticker.read();
    metrics.requestStarted();
    try {
      HttpResponse<String> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() >= 500) metrics.serverError();
      // a server that echoes the request (Authorization included) in an error must not put the key in the ledger
      return new Attempt(r.statusCode(), apiKey.scrub(r.body()), r.headers().firstValue("X-Request-ID").orElse(""),
          parseRetryAfter(r.headers().firstValue("Retry-After").orElse(null)), "", ticker.read());
    } catch (HttpTimeoutException e) {
      metrics.timedOut();
      return new Attempt(0, "", "", OptionalLong.empty(), "timed out after " + requestTimeout.toMillis() + " ms",
          ticker.read());
    } catch (ConnectException e) {
      metrics.connectionError();
      return new Attempt(0, "", "", OptionalLong.empty(), "cannot connect to " + baseUri.getHost() + ":" + port(),
          ticker.read());
    } catch (IOException e) {
      metrics.connectionError();
      return new Attempt(0, "", "", OptionalLong.empty(), "connection error: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + apiKey.scrub(e.getMessage())), ticker.read());
    } finally {
      metrics.requestEnded(call.callType(), ticker.read() - start);
    }
  }

  /** {@code path} (with or without its leading slash) resolved against the base URI. */
  URI uriOf(String path) {
    URI cached = uris.get(path);
    if (cached != null) return cached;
    URI uri = baseUri.resolve(path.startsWith("/") ? path.substring(1) : path);
    if (uris.size() < MAX_CACHED_URIS) uris.putIfAbsent(path, uri);
    return uri;
  }

  /** How many resolved URIs are kept (a test seam). */
  int cachedUris() {
    return uris.size();
  }

  private int port() {
    return baseUri.getPort() > 0 ? baseUri.getPort() : ("https".equals(baseUri.getScheme()) ? 443 : 80);
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  /** Retry-After in seconds (or an HTTP date, which we treat as 1 s); empty when absent or unreadable. */
  static OptionalLong parseRetryAfter(String header) {
    if (header == null || header.isBlank()) return OptionalLong.empty();
    try {
      double seconds = Double.parseDouble(header.trim());
      if (seconds < 0) return OptionalLong.empty();
      return OptionalLong.of((long) (Math.min(seconds, 3600) * 1e9));
    } catch (NumberFormatException e) {
      return OptionalLong.of(1_000_000_000L);
    }
  }

  @Override
  public void close() {
    client.close(); // waits for the exchanges in progress; the executor is ours to close
    exchanges.close();
  }

  private record Attempt(int status, String body, String requestId, OptionalLong retryAfterNanos, String error,
      long answeredNanos) {
    ApiResponse toResponse(int attempts, boolean exhausted) {
      return new ApiResponse(status, body == null ? "" : body, requestId, attempts, exhausted, error);
    }
  }
}
