package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Rate limits over real HTTP, with the server's clock in virtual time. */
class SimRateLimitTest {
  private static final String USERS = "/user_management/users";

  private static SimTestClient.Reply createUser(SimTestClient client, int i) throws Exception {
    return client.post(USERS, "{\"email\":\"rl" + i + "@example.com\"}");
  }

  @Test
  void refusesWritesBeyondTheWindowWith429AndRetryAfter() throws Exception {
    // Given: 1 write/s over a 10 s window = 10 writes per window
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().writeRateLimit(1).rateWindow(Duration.ofSeconds(10)).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      for (int i = 0; i < 10; i++) {
        assertThat(createUser(client, i).status()).isEqualTo(201);
      }

      // When
      var refused = createUser(client, 10);
      clock.advance(Duration.ofMillis(2_500));
      var stillRefused = createUser(client, 10);
      var read = client.get(USERS + "?email=rl1%40example.com");
      clock.advance(Duration.ofMillis(7_500));
      var admitted = createUser(client, 10);

      // Then
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.json().path("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(refused.json().path("message").asText()).isEqualTo("Too many requests");
      assertThat(refused.header("Retry-After")).isEqualTo("10");
      assertThat(refused.header("X-Request-ID")).startsWith("req_");
      assertThat(stillRefused.header("Retry-After")).isEqualTo("8"); // 7.5 s rounded up
      assertThat(read.status()).isEqualTo(200);
      assertThat(admitted.status()).isEqualTo(201);
      SimStats stats = server.stats();
      assertThat(stats.rateLimited()).isEqualTo(2);
      assertThat(stats.usersCreated()).isEqualTo(11);
    }
  }

  @Test
  void limitsReadsSeparately() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().readRateLimit(2).rateWindow(Duration.ofSeconds(1)).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      assertThat(client.get(USERS).status()).isEqualTo(200);
      assertThat(client.get(USERS).status()).isEqualTo(200);
      var refused = client.get(USERS);

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      assertThat(createUser(client, 1).status()).isEqualTo(201);
    }
  }

  @Test
  void canOmitRetryAfter() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().writeRateLimit(1).rateWindow(Duration.ofSeconds(1))
        .retryAfterHeader(false).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      createUser(client, 1);

      var refused = createUser(client, 2);

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isNull();
    }
  }

  @Test
  void tokenBucketServesItsBurstThenOnePerInterval() throws Exception {
    // Given: 5/s with 1 s of burst = 5 tokens; one more every 200 ms
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().writeRateLimit(5).rateAlgorithm(RateAlgorithm.TOKEN_BUCKET).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      for (int i = 0; i < 5; i++) {
        assertThat(createUser(client, i).status()).isEqualTo(201);
      }
      var refused = createUser(client, 5);
      clock.advance(Duration.ofMillis(200));
      var refilled = createUser(client, 5);

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      assertThat(refilled.status()).isEqualTo(201);
    }
  }
}
