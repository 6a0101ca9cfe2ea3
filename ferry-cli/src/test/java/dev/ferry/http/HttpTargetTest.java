package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.testing.FakeTicker;
import dev.ferry.testing.RecordingMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HttpTarget against a scripted loopback server; backoff and rate-limit waits run in virtual time. */
class HttpTargetTest {
  private static final String KEY = "sk_test_HTTPTARGETSECRET123";
  private HttpServer server;
  private final ConcurrentLinkedQueue<Map.Entry<Integer, Map<String, String>>> script = new ConcurrentLinkedQueue<>();
  private final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final FakeTicker time = new FakeTicker();
  private final CallMetrics metrics = new CallMetrics();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      seen.add(Map.of("auth", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")),
          "idem", String.valueOf(ex.getRequestHeaders().getFirst("Idempotency-Key")), "path", ex.getRequestURI().toString()));
      Map.Entry<Integer, Map<String, String>> next = script.poll();
      int status = next == null ? 200 : next.getKey();
      if (status == -1) { // hang
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        status = 200;
      }
      if (next != null) next.getValue().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] body = ("{\"code\":\"c" + status + "\",\"message\":\"m\"}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("X-Request-ID", "req_" + seen.size());
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private HttpTarget target(RateLimiter limiter, Duration timeout) {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix");
    return new HttpTarget(base, Secret.of(KEY), timeout, limiter,
        RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)).build(),
        time, time, () -> 0.0, metrics);
  }

  private void then(int status, Map<String, String> headers) {
    script.add(Map.entry(status, headers));
  }

  @Test
  void retriesServerErrorsWithBackoffThenSucceeds() throws Exception {
    // Given two 503s then a 201
    then(503, Map.of());
    then(503, Map.of());
    then(201, Map.of());
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofSeconds(5))) {
      // When
      ApiResponse r = t.call(ApiCall.post("/users", "{}", "idem-1", "create_user"));
      // Then
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.attempts()).isEqualTo(3);
      assertThat(r.requestId()).isEqualTo("req_3");
      assertThat(time.sleeps()).contains(50_000_000L, 100_000_000L);
      assertThat(seen).allSatisfy(m -> {
        assertThat(m.get("idem")).isEqualTo("idem-1");
        assertThat(m.get("auth")).isEqualTo("Bearer " + KEY);
        assertThat(m.get("path")).isEqualTo("/prefix/users");
      });
      assertThat(metrics.retryCount()).isEqualTo(2);
      assertThat(metrics.requests()).isEqualTo(3);
    }
  }

  @Test
  void giveUpAfterMaxAttemptsAsTransientExhausted() throws Exception {
    for (int i = 0; i < 5; i++) then(500, Map.of());
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofSeconds(5))) {
      ApiResponse r = t.call(ApiCall.get("/x", "get"));
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.transientExhausted()).isTrue();
      assertThat(r.attempts()).isEqualTo(3);
    }
  }

  @Test
  void rateLimitedAnswerPausesTheSharedLimiterForRetryAfter() throws Exception {
    // Given a 429 with Retry-After: 2
    then(429, Map.of("Retry-After", "2"));
    then(200, Map.of());
    RateLimiter limiter = RateLimiter.smooth(1000, time);
    try (HttpTarget t = target(limiter, Duration.ofSeconds(5))) {
      long before = time.read();
      ApiResponse r = t.call(ApiCall.get("/x", "get"));
      // Then the retry waited the 2 s on the limiter, which every other caller shares
      assertThat(r.status()).isEqualTo(200);
      assertThat(time.read() - before).isGreaterThanOrEqualTo(2_000_000_000L);
      assertThat(metrics.rateLimitedCount()).isEqualTo(1);
    }
  }

  @Test
  void aServiceUnavailableWithRetryAfterPausesTheSharedLimiterLikeA429() throws Exception {
    // Given three 503s saying Retry-After: 5 (a server that sheds load for 5 s), then a 201; 3 attempts allowed
    for (int i = 0; i < 3; i++) then(503, Map.of("Retry-After", "5"));
    then(201, Map.of());
    List<AttemptListener.Attempt> attempts = new CopyOnWriteArrayList<>();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix");
    try (HttpTarget t = new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(5), RateLimiter.smooth(1000, time),
        RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(100)).build(), time, time, () -> 0.0,
        metrics, attempts::add)) {
      long before = time.read();
      ApiResponse r = t.call(ApiCall.post("/users", "{}", "idem-1", "create_user"));
      // Then each retry waited the 5 s on the shared limiter (before: 3 attempts 50-100 ms apart, then failed)
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.attempts()).isEqualTo(4);
      assertThat(time.read() - before).isGreaterThanOrEqualTo(15_000_000_000L);
      assertThat(metrics.rateLimitedCount()).isEqualTo(3);
      assertThat(attempts.get(0).outcome()).isEqualTo(ResponseClass.THROTTLED);
    }
  }

  @Test
  void aServiceUnavailableWithoutRetryAfterIsRetriedWithBackoffUpToTheAttempts() throws Exception {
    for (int i = 0; i < 3; i++) then(503, Map.of());
    try (HttpTarget t = target(RateLimiter.smooth(1000, time), Duration.ofSeconds(5))) {
      ApiResponse r = t.call(ApiCall.post("/users", "{}", "idem-1", "create_user"));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.transientExhausted()).isTrue();
      assertThat(r.attempts()).isEqualTo(3);
      assertThat(metrics.rateLimitedCount()).isZero();
    }
  }

  @Test
  void anAnswerTooLargeToKeepIsItsStatusWithTheBodyDroppedNotAConnectionErrorToRetry() throws Exception {
    // Given a create answered 201 with a 17 MB body (ferry keeps 16 MB)
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    server.createContext("/prefix/big", ex -> {
      calls.incrementAndGet();
      ex.sendResponseHeaders(201, 0);
      byte[] mb = new byte[1 << 20];
      java.util.Arrays.fill(mb, (byte) 'x');
      try (var out = ex.getResponseBody()) {
        for (int i = 0; i < 17; i++) out.write(mb);
      } catch (java.io.IOException closedByTheClient) {
        // ferry stops reading at 16 MB
      }
    });
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofSeconds(30))) {
      ApiResponse r = t.call(ApiCall.post("/big", "{}", "idem-1", "create_user"));
      // Then it is the 201 it was, sent once (before: a connection error, sent 3 times and failed)
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(calls).hasValue(1);
      assertThat(r.body()).isEmpty();
      assertThat(r.error()).isEqualTo("the answer (HTTP 201) has a body larger than 16777216 bytes, more than ferry"
          + " keeps: its status stands, its body is dropped");
      assertThat(metrics.retryCount()).isZero();
    }
  }

  @Test
  void a429SayingWhenOnlyInItsBodyPausesTheSharedLimiterThatLong() throws Exception {
    // Given a 429 without Retry-After whose OpenAI-style body says "try again in 3.5s", then a 200
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    server.createContext("/prefix/embed", ex -> {
      boolean first = calls.incrementAndGet() == 1;
      byte[] body = (first ? "{\"error\":{\"message\":\"Rate limit reached for requests. Please try again in 3.5s.\","
          + "\"code\":\"rate_limit_exceeded\"}}" : "{}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(first ? 429 : 200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    try (HttpTarget t = target(RateLimiter.smooth(1000, time), Duration.ofSeconds(5))) {
      long before = time.read();
      ApiResponse r = t.call(ApiCall.post("/embed", "{}", "idem-1", "embed"));
      // Then the retry waited the 3.5 s the body said (before: a backoff of 50-100 ms)
      assertThat(r.status()).isEqualTo(200);
      assertThat(time.read() - before).isGreaterThanOrEqualTo(3_500_000_000L);
    }
  }

  @Test
  void withoutRetryAfterTheTargetIsTriedAgainAfterAFifthOfTheTimeItHasRefused() throws Exception {
    // Given ten 429s without Retry-After (a target locked out for a while), then a 200; the retry policy's first backoff
    // is 50 ms here
    for (int i = 0; i < 10; i++) then(429, Map.of());
    then(200, Map.of());
    try (HttpTarget t = target(RateLimiter.smooth(1000, time), Duration.ofSeconds(5))) {
      long before = time.read();
      // When one call is sent
      ApiResponse r = t.call(ApiCall.post("/users", "{}", "idem-1", "create_user"));
      // Then it is tried again after 50 ms while the target has refused for under 250 ms, then after a fifth of that
      // time (60, 72, 86, 104 ms): 622 ms in all, and a pacer slot a try; a call's own backoff (50 ms doubling to the
      // policy's 1 s) waited 6.55 s, and a lockout's end was found up to a backoff late
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.attempts()).isEqualTo(11);
      assertThat(time.read() - before).isBetween(622_000_000L, 640_000_000L);
    }
  }

  @Test
  void aRetryAfterOfZeroIsReadAsASecondNotAsNoWait() throws Exception {
    // Given a 429 with Retry-After: 0 (a server that rounds its wait down), then a 200
    then(429, Map.of("Retry-After", "0"));
    then(200, Map.of());
    List<AttemptListener.Attempt> attempts = new CopyOnWriteArrayList<>();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix");
    try (HttpTarget t = new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(5), RateLimiter.smooth(1000, time),
        RetryPolicy.builder().maxAttempts(3).build(), time, time, () -> 0.0, metrics, attempts::add)) {
      long before = time.read();
      ApiResponse r = t.call(ApiCall.get("/x", "get"));
      // Then the retry waited a second on the shared limiter (before: at once, refused again until the window turned),
      // and the learner was told a second
      assertThat(r.status()).isEqualTo(200);
      assertThat(time.read() - before).isGreaterThanOrEqualTo(1_000_000_000L);
      assertThat(attempts.get(0).retryAfterNanos()).isEqualTo(1_000_000_000L);
    }
  }

  @Test
  void anAttemptCarriesTheRowsOfItsCallAndNoneOfItsOwnInFlight() throws Exception {
    // Given a 503 then a 200
    then(503, Map.of());
    then(200, Map.of());
    List<AttemptListener.Attempt> attempts = new CopyOnWriteArrayList<>();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix");
    try (HttpTarget t = new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(5), RateLimiter.smooth(1000, time),
        RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO).build(), time, time,
        () -> 0.0, metrics, attempts::add)) {
      // When a batch call of 50 rows is sent
      t.call(new ApiCall("POST", "/embeddings", "{}", null, "embed", List.of(), 50));
      // Then each attempt told its 50 rows, and no other rows in flight at the target (it was alone)
      assertThat(attempts).hasSize(2).allSatisfy(a -> {
        assertThat(a.rows()).isEqualTo(50);
        assertThat(a.rowsInFlight()).isZero();
      });
    }
  }

  @Test
  void aForbiddenAnswerWithASpentQuotaIsARateLimitNotAnAuthFailure() throws Exception {
    // Given a 403 whose X-RateLimit-Remaining is 0 (GitHub's way of saying "rate limited"), Retry-After 1
    then(403, Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Limit", "60", "Retry-After", "1"));
    then(200, Map.of());
    List<AttemptListener.Attempt> attempts = new CopyOnWriteArrayList<>();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix");
    try (HttpTarget t = new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(5), RateLimiter.smooth(1000, time),
        RetryPolicy.builder().maxAttempts(3).build(), time, time, () -> 0.0, metrics, attempts::add)) {
      long before = time.read();
      ApiResponse r = t.call(ApiCall.get("/x", "get"));
      // Then it was retried behind the shared pause, and the listener saw a throttle carrying the quota
      assertThat(r.status()).isEqualTo(200);
      assertThat(time.read() - before).isGreaterThanOrEqualTo(1_000_000_000L);
      assertThat(metrics.rateLimitedCount()).isEqualTo(1);
      assertThat(attempts.get(0).outcome()).isEqualTo(ResponseClass.THROTTLED);
      assertThat(attempts.get(0).quota().limit()).isEqualTo(60);
      assertThat(attempts.get(0).quota().remaining()).isZero();
      assertThat(attempts.get(0).rateHeaders()).containsSubsequence("x-ratelimit-remaining", "0")
          .containsSubsequence("x-ratelimit-limit", "60");
    }
  }

  @Test
  void aRetryAfterDateIsHonoured() throws Exception {
    // Given a 429 whose Retry-After is a date 30 s from now (to the second: the wall clock is real here)
    String at = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30));
    then(429, Map.of("Retry-After", at));
    then(200, Map.of());
    try (HttpTarget t = target(RateLimiter.smooth(1000, time), Duration.ofSeconds(5))) {
      long before = time.read();
      ApiResponse r = t.call(ApiCall.get("/x", "get"));
      // Then the retry waited about 30 s (not 1 s, as before), in virtual time
      assertThat(r.status()).isEqualTo(200);
      assertThat(time.read() - before).isGreaterThan(25_000_000_000L).isLessThanOrEqualTo(31_000_000_000L);
    }
  }

  @Test
  void clientErrorsAreNotRetried() throws Exception {
    then(422, Map.of());
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofSeconds(5))) {
      ApiResponse r = t.call(ApiCall.post("/x", "{}", null, "create"));
      assertThat(r.status()).isEqualTo(422);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.transientExhausted()).isFalse();
      assertThat(seen.get(0).get("idem")).isEqualTo("null");
    }
  }

  @Test
  void unauthorizedStopsWithAMessageThatNeverShowsTheKey() throws Exception {
    then(401, Map.of());
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> t.call(ApiCall.get("/x", "get")))
          .isInstanceOf(AuthFailureException.class)
          .hasMessageContaining("401")
          .hasMessageContaining("WORKOS_SECRET_KEY")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }
  }

  @Test
  void timeoutIsTransientAndRetried() throws Exception {
    then(-1, Map.of());
    then(200, Map.of());
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofMillis(300))) {
      ApiResponse r = t.call(ApiCall.get("/slow", "get"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(metrics.timeoutCount()).isEqualTo(1);
      assertThat(r.attempts()).isEqualTo(2);
    }
  }

  @Test
  void connectionRefusedAfterTheTargetAnsweredIsTransientAndReportedWithoutTheKey() throws Exception {
    int port = server.getAddress().getPort();
    URI base = URI.create("http://127.0.0.1:" + port);
    try (HttpTarget t = new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(2), RateLimiter.unlimited(time),
        RetryPolicy.builder().maxAttempts(2).build(), time, time, () -> 0.0, metrics)) {
      assertThat(t.call(ApiCall.get("/x", "get")).status()).isEqualTo(200); // it answered once...
      server.stop(0); // ...then went away: retried, not a stop (HttpTargetConnectionTest has the first-call case)
      ApiResponse r = t.call(ApiCall.get("/x", "get"));
      assertThat(r.status()).isZero();
      assertThat(r.transientExhausted()).isTrue();
      assertThat(r.error()).isNotEmpty().doesNotContain(KEY);
    }
  }

  @Test
  void secretNeverPrints() {
    assertThat(Secret.of(KEY).toString()).doesNotContain(KEY);
    assertThat(Secret.of(KEY).scrub("x " + KEY + " y")).isEqualTo("x *** y");
    assertThatThrownBy(() -> Secret.of("  ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void manyConcurrentCallsAreAllAnsweredOnce() throws Exception {
    // Given 200 calls at once (the client's answer pipeline runs on virtual threads)
    try (HttpTarget t = target(RateLimiter.unlimited(time), Duration.ofSeconds(5));
        var callers = Executors.newVirtualThreadPerTaskExecutor()) {
      var answers = new java.util.ArrayList<java.util.concurrent.Future<ApiResponse>>();
      for (int i = 0; i < 200; i++) {
        int row = i;
        answers.add(callers.submit(() -> t.call(ApiCall.post("/users", "{}", "idem-" + row, "create_user"))));
      }
      // Then every one is answered, once
      for (var a : answers) assertThat(a.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(seen).hasSize(200);
      assertThat(metrics.requests()).isEqualTo(200);
      assertThat(metrics.inFlight()).isZero();
    }
  }

  @Test
  void everyAttemptIsReportedThroughTheMetricsSpiUnderTheTargetsName() throws Exception {
    // Given a 429, a 503 and a 201, reported to a recorder beside the call metrics
    then(429, Map.of("Retry-After", "1"));
    then(503, Map.of());
    then(201, Map.of());
    RecordingMetrics recorder = new RecordingMetrics();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix");
    RateLimiter limiter = RateLimiter.smooth(40, time);
    try (HttpTarget t = new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(5), limiter,
        RetryPolicy.builder().maxAttempts(3).build(), time, time, () -> 0.0,
        MetricsRecorder.composite(metrics, recorder))) {
      String name = "127.0.0.1:" + server.getAddress().getPort();
      // When
      ApiResponse r = t.call(ApiCall.post("/users", "{}", "idem-1", "create_user"));
      // Then each attempt started and ended with its status, the 429 and both retries were told, the pace is a gauge
      assertThat(r.status()).isEqualTo(201);
      assertThat(t.name()).isEqualTo(name);
      assertThat(recorder.events()).containsExactly("requestStarted " + name,
          "recordCallNanos " + name + " create_user 429", "throttled " + name, "retry " + name,
          "rateWaitNanos " + name, "requestStarted " + name, "recordCallNanos " + name + " create_user 503", "retry " + name,
          "requestStarted " + name, "recordCallNanos " + name + " create_user 201");
      assertThat(recorder.gauge(Gauge.PACE_PERMITS_PER_SECOND, name)).isEqualTo(40);
      assertThat(metrics.requests()).isEqualTo(3);
      assertThat(metrics.serverErrorCount()).isEqualTo(1);
      assertThat(metrics.rateLimitedCount()).isEqualTo(1);
      assertThat(metrics.rateWaitNanos()).isGreaterThanOrEqualTo(1_000_000_000L); // the Retry-After pause, waited
      assertThat(metrics.latencies()).containsOnlyKeys("create_user");
    }
  }
}
