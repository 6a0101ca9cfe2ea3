package dev.ferry.http;

import dev.ferry.core.exec.RatePermits;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import dev.ferry.core.time.WallClock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link ApiCall}s to one HTTP API: every attempt takes a permit from the target's shared {@link RateLimiter}
 * through {@link RatePermits#charge} (the one place a permit is charged: a live pool task that prepaid one for the same
 * limiter uses it for its first attempt); a 429 (or a 403 whose rate-limit headers say the quota is spent, or a 503
 * with a Retry-After) pauses that limiter (not only the request) for its Retry-After (seconds or an HTTP date; a 429
 * without one: the "try again in 1.2s" of its body), or when absent a fifth of the time the target has refused since it
 * last admitted a request (at least the first retry's backoff: {@link RetryPolicy#pauseWithoutRetryAfterNanos}), and a pause of {@link LongPause#AT_LEAST} or more is said once in the log;
 * 5xx, 408, timeouts and connection errors are retried with backoff up to the {@link RetryPolicy}; 401/403 throw {@link
 * AuthFailureException}; other answers are returned as they are. What an answer means is {@link ResponseClass}'s
 * decision; the rate-limit headers of each answer go to the listener as a quota.
 *
 * <p>A target that cannot be used throws {@link TargetUnusableException} instead of being retried: until it has
 * answered once, a connection refused, an unknown host, an untrusted or misnamed TLS certificate, or a proxy that
 * refuses (see {@link ConnectionFailures}); at any time, a proxy that refuses its credentials (407). Once it has
 * answered, connection errors are transient again. A 3xx is a final answer whose error names the Location: ferry
 * never follows redirects. An answer whose body is larger than ferry keeps (16 MB) is the answer its status says,
 * with the body dropped and the error saying so: not a connection error, so a 2xx is not sent again.
 *
 * <p>Requests go out through ferry's own blocking HTTP/1.1 client ({@link Http1Transport}), through the proxy and
 * with the trusted certificates of its {@link NetworkSettings}.
 *
 * <p>Every attempt is reported to a {@link MetricsRecorder} (the run's {@link CallMetrics}, and whatever else
 * listens) under the target's {@link #name()}, and the limiter's pace is registered as a gauge.
 *
 * <p>Threadsafe: called by many virtual threads at once; all mutable state lives in the limiter, the
 * metrics and the transport, each threadsafe.
 */
public final class HttpTarget implements AutoCloseable {
  private final URI baseUri;
  private final TargetHeaders headers;
  private final Duration requestTimeout;
  private final RateLimiter limiter;
  private final RetryPolicy retryPolicy;
  private final Sleeper sleeper;
  private final Ticker ticker;
  private final DoubleSupplier random;
  private final MetricsRecorder metrics;
  private final String name;
  private final AttemptListener listener;
  private final String basePath;
  private final Transport transport;
  /** Reads the date a Retry-After or an epoch reset is relative to. */
  private final WallClock wallClock = WallClock.system();
  /** Attempts sent so far: an answer's quota cannot count the attempts sent after it. */
  private final AtomicLong sends = new AtomicLong();
  /** Rows of the attempts sent and not yet answered (a batch call counts its rows): the target's load. */
  private final java.util.concurrent.atomic.AtomicInteger rowsInFlight = new java.util.concurrent.atomic.AtomicInteger();
  /** What a Retry-After of 0 is read as. */
  static final long ZERO_RETRY_AFTER_NANOS = 1_000_000_000L;
  /** Set once an answer too large to keep was said in the log. */
  private final AtomicBoolean toldTooLarge = new AtomicBoolean();
  /**
   * The answer time of the first refusal of the target's current stretch of refusals, Long.MIN_VALUE when none is open.
   * Invariant: it is only set when unset (the stretch's first refusal wins) and only cleared by an answer other than a
   * refusal to a request sent after it (one sent before says nothing of whether the target takes requests again).
   */
  private final AtomicLong refusedSinceNanos = new AtomicLong(Long.MIN_VALUE);
  private static final Logger log = LoggerFactory.getLogger(HttpTarget.class);
  /** Says a long pause once. */
  private final LongPause longPause;
  /** Where the user gave the base URL, for the advice when it cannot be used: --api-url, or a spec target's key. */
  private final String addressSetting;
  /** How a job already planned moves to the final address (its stored setting wins over a changed flag or spec). */
  private final String movePlannedJob;
  /** Set once any answer came: from then on connection errors are transient (written once, read racily: benign). */
  private volatile boolean answered;

  public HttpTarget(URI baseUri, Secret apiKey, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, MetricsRecorder metrics) {
    this(baseUri, apiKey, requestTimeout, limiter, retryPolicy, sleeper, ticker, random, metrics,
        AttemptListener.NONE);
  }

  /**
   * @param metrics  told about every attempt (a {@link CallMetrics}, or a composite with it)
   * @param listener told about every attempt (adaptive limits learn from it; see {@link AdaptiveFeedback})
   */
  public HttpTarget(URI baseUri, Secret apiKey, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, MetricsRecorder metrics,
      AttemptListener listener) {
    this(baseUri, apiKey, requestTimeout, limiter, retryPolicy, sleeper, ticker, random, metrics, listener,
        NetworkSettings.fromSystem());
  }

  /**
   * @param network the proxies and trusted certificates to reach the target with
   */
  public HttpTarget(URI baseUri, Secret apiKey, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, MetricsRecorder metrics,
      AttemptListener listener, NetworkSettings network) {
    this(baseUri, TargetHeaders.bearer(Objects.requireNonNull(apiKey, "apiKey cannot be null")), requestTimeout,
        limiter, retryPolicy, sleeper, ticker, random, metrics, listener, network);
  }

  /**
   * A target whose requests carry {@code headers} (secrets, scrubbed from every answer kept) instead of one bearer
   * key: the targets of job specs.
   */
  public HttpTarget(URI baseUri, TargetHeaders headers, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, MetricsRecorder metrics,
      AttemptListener listener) {
    this(baseUri, headers, requestTimeout, limiter, retryPolicy, sleeper, ticker, random, metrics, listener,
        NetworkSettings.fromSystem());
  }

  /** As above, reaching the target through {@code network}'s proxies and trusted certificates. */
  public HttpTarget(URI baseUri, TargetHeaders headers, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, MetricsRecorder metrics,
      AttemptListener listener, NetworkSettings network) {
    this(baseUri, headers, requestTimeout, limiter, retryPolicy, sleeper, ticker, random, metrics, listener, network,
        null);
  }

  /**
   * As above, its pace gauge told apart from other targets on the same {@code host:port} by {@code label} (a spec's
   * target name; null: the {@code host:port} itself). A labelled target's advice when it cannot be used names
   * {@code targets.LABEL.base_url}; an unlabelled one's names {@code --api-url}.
   */
  public HttpTarget(URI baseUri, TargetHeaders headers, Duration requestTimeout, RateLimiter limiter,
      RetryPolicy retryPolicy, Sleeper sleeper, Ticker ticker, DoubleSupplier random, MetricsRecorder metrics,
      AttemptListener listener, NetworkSettings network, String label) {
    Objects.requireNonNull(baseUri, "baseUri cannot be null");
    this.baseUri = baseUri.toString().endsWith("/") ? baseUri : URI.create(baseUri + "/");
    this.headers = Objects.requireNonNull(headers, "headers cannot be null");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout cannot be null");
    this.limiter = Objects.requireNonNull(limiter, "limiter cannot be null");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy cannot be null");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper cannot be null");
    this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
    this.random = Objects.requireNonNull(random, "random cannot be null");
    this.metrics = Objects.requireNonNull(metrics, "metrics cannot be null");
    this.listener = Objects.requireNonNull(listener, "listener cannot be null");
    this.basePath = this.baseUri.getRawPath();
    this.transport = Transport.forTarget(this.baseUri, requestTimeout, Objects.requireNonNull(network,
        "network cannot be null"));
    this.name = this.baseUri.getHost() + ":" + port();
    this.addressSetting = label == null ? "--api-url" : "targets." + label + ".base_url";
    this.movePlannedJob = label == null ? " ('ferry resume JOB --api-url URL' moves a planned job)"
        : " ('ferry resume JOB --param NAME=URL' moves a planned job whose base_url reads ${NAME})";
    this.longPause = new LongPause(label == null ? name : label, ticker, wallClock);
    metrics.gauge(Gauge.PACE_PERMITS_PER_SECOND, name, label == null ? name : label, limiter::rate);
  }

  /** The target's name in metrics: {@code host:port} of its base URI. */
  public String name() {
    return name;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /**
   * Sends the call, retrying as the class comment says.
   *
   * @throws AuthFailureException on 401/403
   * @throws TargetUnusableException when the target cannot be used (see the class comment)
   * @throws InterruptedException if interrupted while waiting for a permit, a backoff or the answer
   */
  public ApiResponse call(ApiCall call) throws InterruptedException {
    int attempts = 0;
    int transientRetries = 0;
    int rateLimitRetries = 0;
    while (true) {
      long queued = ticker.read();
      // the one charge per attempt; a pool task's prepaid permit counts, with the wait it cost the task
      long prepaidWait = RatePermits.charge(limiter, sleeper, call.write());
      long sent = ticker.read();
      if (prepaidWait > 0) queued = sent - prepaidWait;
      if (sent - queued > 0) metrics.rateWaitNanos(name, sent - queued);
      long sendNumber = sends.incrementAndGet();
      attempts++;
      Attempt a;
      rowsInFlight.addAndGet(call.rows());
      try {
        a = attempt(call);
      } finally {
        rowsInFlight.addAndGet(-call.rows());
      }
      if (a.status > 0) limiter.answered(sent, a.answeredNanos); // a stated budget: counted no later than its answer
      ResponseClass cls = ResponseClass.of(a.status, RateLimitHeaders.exhausted(a.rateHeaders),
          a.retryAfterNanos.isPresent());
      listener.onAttempt(new AttemptListener.Attempt(call.method(), queued, sent, a.answeredNanos, a.status,
          a.retryAfterNanos.orElse(-1), cls, a.rateHeaders.isEmpty() ? null
              : RateLimitHeaders.requests(a.rateHeaders, wallClock.millis()).orElse(null),
          sends.get() - sendNumber, a.rateHeaders, call.rows(), rowsInFlight.get()));
      if (cls != ResponseClass.THROTTLED && a.status > 0) admittedAfterRefusals(sent);
      if (cls == ResponseClass.AUTH) {
        throw new AuthFailureException(a.status, a.status == 401
            ? "the target refused the API key (HTTP 401): check WORKOS_SECRET_KEY or WORKOS_API_KEY"
                + " (or --api-key-file) and --api-url"
            : "the API key lacks permission for " + call.method() + " " + pathOnly(call.path())
                + " (HTTP 403): check the key's environment and rights");
      }
      if (cls == ResponseClass.THROTTLED && a.status == 429 && OutOfQuota.hopeless(a.body)) {
        return a.toResponse(attempts, false); // no retry can pass: the caller stops the job or splits the batch
      }
      if (cls == ResponseClass.THROTTLED) {
        metrics.throttled(name);
        long pause = a.retryAfterNanos.isPresent() ? a.retryAfterNanos.getAsLong()
            : retryPolicy.pauseWithoutRetryAfterNanos(a.answeredNanos - refusedSince(a.answeredNanos),
                random.getAsDouble());
        limiter.pauseFor(Duration.ofNanos(pause));
        longPause.tell(a.status, pause, a.retryAfterNanos.isPresent());
        if (rateLimitRetries++ < retryPolicy.maxRateLimitRetries()) {
          metrics.retry(name);
          continue;
        }
        return a.toResponse(attempts, true);
      }
      if (!cls.transientFailure()) {
        return a.toResponse(attempts, false);
      }
      if (++transientRetries >= retryPolicy.maxAttempts()) {
        return a.toResponse(attempts, true);
      }
      metrics.retry(name);
      sleeper.sleepNanos(retryPolicy.backoffNanos(transientRetries, random.getAsDouble()));
    }
  }

  /**
   * When the target's current stretch of refusals began (the first one's answer), starting one at {@code nowNanos}
   * when none is open: the pause after a refusal without Retry-After is a share of the time refused so far.
   */
  private long refusedSince(long nowNanos) {
    refusedSinceNanos.compareAndSet(Long.MIN_VALUE, nowNanos);
    long since = refusedSinceNanos.get();
    return since == Long.MIN_VALUE ? nowNanos : since;
  }

  /** An answer other than a refusal to a request sent at {@code sentNanos}: it ends a stretch of refusals begun before. */
  private void admittedAfterRefusals(long sentNanos) {
    long since = refusedSinceNanos.get();
    if (since != Long.MIN_VALUE && sentNanos > since) refusedSinceNanos.compareAndSet(since, Long.MIN_VALUE);
  }

  private Attempt attempt(ApiCall call) throws InterruptedException {
    String[] fixed = this.headers.pairs();
    String[] headers = new String[fixed.length + 8 + call.headers().size()];
    System.arraycopy(fixed, 0, headers, 0, fixed.length);
    int h = fixed.length;
    for (String s : new String[] {"Accept", "application/json", "User-Agent", "ferry/0.1", "Idempotency-Key",
        call.idempotencyKey(), "Content-Type", call.jsonBody() == null ? null : "application/json"}) {
      headers[h++] = s;
    }
    for (String s : call.headers()) headers[h++] = s;
    byte[] body = call.jsonBody() == null ? null : call.jsonBody().getBytes(StandardCharsets.UTF_8);
    String target = basePath + (call.path().startsWith("/") ? call.path().substring(1) : call.path());
    long start = ticker.read();
    metrics.requestStarted(name);
    int status = 0;
    try {
      Transport.Reply r = transport.send(call.method(), target, headers, body, requestTimeout);
      answered = true;
      if (r.resent()) metrics.retry(name); // a pooled connection the server had closed: the request went out twice
      status = r.status();
      // a server that echoes the request (Authorization included) in an error must not put the key in the ledger
      String answer = this.headers.scrub(r.body());
      OptionalLong retryAfter = RateLimitHeaders.retryAfterNanos(r.retryAfter(), wallClock.millis());
      // a 429 that says when only in its body ("Please try again in 1.2s.", OpenAI's way) is read as if in the header
      if (retryAfter.isEmpty() && r.status() == 429) retryAfter = RateLimitHeaders.retryAfterInBody(answer);
      // a refusal saying "no wait" (0, or a date not ahead) came from a server that rounds down: it is "under a second",
      // read as a second, the rounded-up form every limit ferry was tuned against sends (else each caller is refused
      // again at once until the window turns: 140 refusals and half the rate against a fixed 20-per-2-s window)
      if (retryAfter.isPresent() && retryAfter.getAsLong() == 0) retryAfter = OptionalLong.of(ZERO_RETRY_AFTER_NANOS);
      return new Attempt(r.status(), answer, r.requestId(), retryAfter, r.rateHeaders(), "", ticker.read());
    } catch (HttpTimeoutException e) {
      metrics.timeout(name);
      return new Attempt(0, "", "", OptionalLong.empty(), List.of(), "timed out after " + requestTimeout.toMillis()
          + " ms", ticker.read());
    } catch (AnswerTooLargeException e) {
      answered = true;
      status = e.status();
      String why = e.explain();
      if (e.status() >= 200 && e.status() < 300 && !toldTooLarge.getAndSet(true)) {
        log.warn("target {}: {} (said once; a step's captures from such an answer are empty)", longPause.target(), why);
      }
      return new Attempt(e.status(), "", "", OptionalLong.empty(), List.of(), why, ticker.read());
    } catch (RedirectRefusedException e) {
      answered = true;
      status = e.status();
      return new Attempt(e.status(), "", "", OptionalLong.empty(), List.of(), this.headers.scrub(e.getMessage()
          + "; give the final address as " + addressSetting + movePlannedJob), ticker.read());
    } catch (ConnectException e) {
      metrics.connectionError(name);
      unusable(e);
      return new Attempt(0, "", "", OptionalLong.empty(), List.of(), "cannot connect to " + baseUri.getHost() + ":"
          + port(), ticker.read());
    } catch (IOException e) {
      metrics.connectionError(name);
      unusable(e);
      return new Attempt(0, "", "", OptionalLong.empty(), List.of(), "connection error: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + this.headers.scrub(e.getMessage())), ticker.read());
    } finally {
      metrics.recordCallNanos(name, call.callType(), status, ticker.read() - start);
    }
  }

  /** Throws when {@code e} shows that the target cannot be used (see the class comment). */
  private void unusable(IOException e) {
    if (answered && !ConnectionFailures.alwaysFatal(e)) return;
    String why = ConnectionFailures.unusable(e, baseUri.getHost() + ":" + port(), addressSetting);
    if (why != null) throw new TargetUnusableException(headers.scrub(why));
  }

  private int port() {
    return baseUri.getPort() > 0 ? baseUri.getPort() : ("https".equals(baseUri.getScheme()) ? 443 : 80);
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  @Override
  public void close() {
    transport.close();
  }

  private record Attempt(int status, String body, String requestId, OptionalLong retryAfterNanos,
      List<String> rateHeaders, String error, long answeredNanos) {
    ApiResponse toResponse(int attempts, boolean exhausted) {
      return new ApiResponse(status, body == null ? "" : body, requestId, attempts, exhausted, error);
    }
  }
}
