package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.testing.FakeTicker;
import dev.ferry.testing.ForwardProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link HttpTarget} treats a target it cannot use (a stop, not retries) and a redirect (a final failure naming
 * the Location, never followed). Backoffs run in virtual time.
 */
class HttpTargetConnectionTest {
  private static final String KEY = "sk_test_CONNECTIONSECRET42";
  private final FakeTicker time = new FakeTicker();
  private final CallMetrics metrics = new CallMetrics();
  private HttpServer server;
  private ForwardProxy proxy;

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
    if (proxy != null) proxy.close();
  }

  private HttpTarget target(URI base, NetworkSettings network) {
    return new HttpTarget(base, Secret.of(KEY), Duration.ofSeconds(5), RateLimiter.unlimited(time),
        RetryPolicy.builder().maxAttempts(3).build(), time, time, () -> 0.0, metrics, AttemptListener.NONE,
        network);
  }

  private URI serve(int status, String location, AtomicInteger calls) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      calls.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      if (location != null) ex.getResponseHeaders().add("Location", location);
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void aRedirectIsAFinalFailureNamingTheLocationAndIsNeverFollowed() throws Exception {
    // Given
    AtomicInteger calls = new AtomicInteger();
    URI base = serve(301, "https://api.example.com/v2/user_management/users", calls);

    // When
    ApiResponse r;
    try (HttpTarget t = target(base, NetworkSettings.DIRECT)) {
      r = t.call(ApiCall.post("/user_management/users", "{}", "idem-1", "create_user"));
    }

    // Then: one call, a final (not retryable) failure whose error names where it pointed
    assertThat(calls).hasValue(1);
    assertThat(r.status()).isEqualTo(301);
    assertThat(r.transientExhausted()).isFalse();
    assertThat(r.error()).isEqualTo("the target answered HTTP 301 redirecting to"
        + " https://api.example.com/v2/user_management/users: ferry never follows redirects; give the final address"
        + " as --api-url ('ferry resume JOB --api-url URL' moves a planned job)");
  }

  @Test
  void aSpecTargetsRedirectNamesItsBaseUrlNotTheImportsFlag() throws Exception {
    // Given: a spec's (labelled) target that redirects
    URI base = serve(308, "https://api.example.com/v2/x", new AtomicInteger());

    // When
    ApiResponse r;
    try (HttpTarget t = new HttpTarget(base, TargetHeaders.of(Map.of()), Duration.ofSeconds(5),
        RateLimiter.unlimited(time), RetryPolicy.builder().maxAttempts(3).build(), time, time, () -> 0.0, metrics,
        AttemptListener.NONE, NetworkSettings.DIRECT, "crm")) {
      r = t.call(ApiCall.get("/x", "get"));
    }

    // Then: the advice is the spec's key of that target (it named --api-url, a flag of import-users, first)
    assertThat(r.error()).isEqualTo("the target answered HTTP 308 redirecting to https://api.example.com/v2/x: ferry"
        + " never follows redirects; give the final address as targets.crm.base_url ('ferry resume JOB --param"
        + " NAME=URL' moves a planned job whose base_url reads ${NAME})");
  }

  @Test
  void aRefusedConnectionBeforeAnyAnswerStopsAtOnceWithoutRetrying() throws Exception {
    // Given: nothing listens on the port
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    // When / Then
    try (HttpTarget t = target(URI.create("http://127.0.0.1:" + port), NetworkSettings.DIRECT)) {
      assertThatThrownBy(() -> t.call(ApiCall.get("/x", "get"))).isInstanceOf(TargetUnusableException.class)
          .hasMessage("cannot connect to 127.0.0.1:" + port + " (connection refused): check --api-url, and that the"
              + " API is up");
      assertThat(metrics.retryCount()).as("no retry").isZero();
    }
  }

  @Test
  void aSpecTargetThatCannotBeReachedNamesItsBaseUrlNotAFlagItDoesNotHave() throws Exception {
    // Given: nothing listens on the port; the target is a spec's (labelled), as ferry run / serve / bench --spec open
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    // When / Then
    try (HttpTarget t = new HttpTarget(URI.create("http://127.0.0.1:" + port), TargetHeaders.of(Map.of()),
        Duration.ofSeconds(5), RateLimiter.unlimited(time), RetryPolicy.builder().maxAttempts(3).build(), time, time,
        () -> 0.0, metrics, AttemptListener.NONE, NetworkSettings.DIRECT, "embeddings")) {
      assertThatThrownBy(() -> t.call(ApiCall.get("/x", "get"))).isInstanceOf(TargetUnusableException.class)
          .hasMessage("cannot connect to 127.0.0.1:" + port + " (connection refused): check"
              + " targets.embeddings.base_url, and that the API is up");
    }
  }

  @Test
  void aProxyRefusingTheCredentialsStopsEvenAfterTheTargetAnswered() throws Exception {
    // Given: a target reached through a proxy, which answers once
    AtomicInteger calls = new AtomicInteger();
    URI direct = serve(200, null, calls);
    proxy = ForwardProxy.start(Map.of("api.workos.test", new InetSocketAddress(InetAddress.getLoopbackAddress(),
        direct.getPort())), null);
    NetworkSettings network = new NetworkSettings(ProxySettings.from(Map.of("HTTP_PROXY",
        proxy.url("u:PROXYSECRET")), new Properties()), null, null);
    try (HttpTarget t = target(URI.create("http://api.workos.test:" + direct.getPort()), network)) {
      assertThat(t.call(ApiCall.get("/x", "get")).status()).isEqualTo(200);

      // When: the proxy then wants other credentials
      proxy.requireAuthorization("Basic c29tZW9uZTplbHNl");

      // Then: a stop, not retries, and never the password
      assertThatThrownBy(() -> t.call(ApiCall.get("/x", "get"))).isInstanceOf(TargetUnusableException.class)
          .hasMessageContaining("refused the request: HTTP 407").hasMessageNotContaining("PROXYSECRET");
    }
    assertThat(calls).hasValue(1);
    assertThat(proxy.refused()).isEqualTo(1);
  }
}
