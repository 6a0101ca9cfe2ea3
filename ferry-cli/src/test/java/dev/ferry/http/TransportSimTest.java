package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.time.Ticker;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport against the simulator on an ephemeral port: the answers ferry needs (status, body, X-Request-ID,
 * Retry-After), with its connections kept alive. (Parameterized: it compared the JDK client with ferry's own while
 * both existed.)
 */
class TransportSimTest {
  private static final String KEY = "sk_test_transport";
  private static final String USERS = "/user_management/users";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private SimServer sim;
  private Transport transport;

  @AfterEach
  void stop() {
    if (transport != null) transport.close();
    if (sim != null) sim.close();
  }

  static Stream<Arguments> transports() {
    Function<SimServer, Transport> http1 = s -> Http1Transport.of(s.baseUrl(), TIMEOUT, Ticker.system());
    return Stream.of(Arguments.of("http1", http1));
  }

  private Transport start(SimConfig config, Function<SimServer, Transport> factory) {
    sim = SimServer.start(config);
    transport = factory.apply(sim);
    return transport;
  }

  private static String[] headers(String key, String idempotencyKey) {
    return new String[] {"Authorization", "Bearer " + key, "Accept", "application/json", "User-Agent", "ferry-test",
        "Idempotency-Key", idempotencyKey, "Content-Type", "application/json"};
  }

  private static Transport.Reply createUser(Transport t, String key, String email) throws Exception {
    byte[] body = ("{\"email\":\"" + email + "\"}").getBytes(StandardCharsets.UTF_8);
    return t.send("POST", USERS, headers(key, "idem-" + email), body, TIMEOUT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void createsAndReadsBack(String name, Function<SimServer, Transport> factory) throws Exception {
    Transport t = start(SimConfig.builder().port(0).requiredKey(KEY).build(), factory);
    Transport.Reply created = createUser(t, KEY, "ada@example.com");
    Transport.Reply found = t.send("GET", USERS + "?email=ada%40example.com", headers(KEY, null), null, TIMEOUT);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body()).contains("\"email\":\"ada@example.com\"");
    assertThat(created.requestId()).startsWith("req_");
    assertThat(created.retryAfter()).isNull();
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.body()).contains("ada@example.com");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void errorAnswersComeWithTheirBodies(String name, Function<SimServer, Transport> factory) throws Exception {
    Transport t = start(SimConfig.builder().port(0).requiredKey(KEY).build(), factory);
    createUser(t, KEY, "taken@example.com");
    Transport.Reply taken = createUser(t, KEY, "TAKEN@example.com");
    Transport.Reply refused = createUser(t, "sk_test_wrong", "x@example.com");
    Transport.Reply noRoute = t.send("GET", "/nowhere", headers(KEY, null), null, TIMEOUT);
    assertThat(taken.status()).isBetween(400, 499);
    assertThat(taken.body()).contains("\"code\"");
    assertThat(taken.requestId()).startsWith("req_");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body()).isNotEmpty();
    assertThat(noRoute.status()).isEqualTo(404);
    assertThat(noRoute.body()).contains("not_found");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aRateLimitedAnswerCarriesRetryAfter(String name, Function<SimServer, Transport> factory) throws Exception {
    // Given one write per 100 s
    Transport t = start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(0.01)
        .rateWindow(Duration.ofSeconds(100)).retryAfterHeader(true).build(), factory);
    assertThat(createUser(t, KEY, "first@example.com").status()).isEqualTo(201);
    // When
    Transport.Reply limited = createUser(t, KEY, "second@example.com");
    // Then
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.retryAfter()).matches("\\d+");
    assertThat(Integer.parseInt(limited.retryAfter())).isBetween(1, 100);
    assertThat(limited.body()).contains("rate_limit_exceeded");
  }

  @Test
  void ferrysTransportKeepsOneConnectionForSequentialRequests() throws Exception {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    Http1Transport t = Http1Transport.of(sim.baseUrl(), TIMEOUT, Ticker.system());
    transport = t;
    for (int i = 0; i < 20; i++) assertThat(createUser(t, KEY, "seq" + i + "@example.com").status()).isEqualTo(201);
    assertThat(t.connectionsOpened()).isEqualTo(1);
    assertThat(t.idleConnections()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void servesManyVirtualThreadsAtOnce(String name, Function<SimServer, Transport> factory) throws Exception {
    Transport t = start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(2)).build(), factory);
    List<Future<Integer>> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 300; i++) {
        String email = "many" + i + "@example.com";
        statuses.add(pool.submit(() -> createUser(t, KEY, email).status()));
      }
    }
    for (Future<Integer> f : statuses) assertThat(f.get()).isEqualTo(201);
    assertThat(sim.stats().usersCreated()).isEqualTo(300);
    assertThat(sim.stats().duplicateCreations()).isZero();
  }
}
