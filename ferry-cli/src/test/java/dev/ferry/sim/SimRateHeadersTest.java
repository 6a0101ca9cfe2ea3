package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code --rate-headers} over real HTTP, with the server's clock in virtual time: every answer (admitted or
 * refused) states the quota of the limiter that counted it, in each convention and for each way of counting.
 */
class SimRateHeadersTest {
  private static final String USERS = "/user_management/users";

  private static SimTestClient.Reply createUser(SimTestClient client, int i) throws Exception {
    return client.post(USERS, "{\"email\":\"rh" + i + "@example.com\"}");
  }

  private static SimServer start(RateAlgorithm algorithm, RateHeaders headers, ManualClock clock) {
    return SimServer.start(SimConfig.builder().writeRateLimit(2).rateWindow(Duration.ofSeconds(5))
        .rateAlgorithm(algorithm).tokenBucketBurst(Duration.ofSeconds(5)).rateHeaders(headers).build(), clock);
  }

  @Test
  void xRateLimitStatesAFixedWindowWithAnEpochReset() throws Exception {
    // Given 10 writes per fixed 5 s window, X-RateLimit headers
    ManualClock clock = new ManualClock();
    try (SimServer server = start(RateAlgorithm.FIXED_WINDOW, RateHeaders.X, clock);
        SimTestClient client = new SimTestClient(server)) {
      clock.advance(Duration.ofMillis(1_500));
      // When three writes are sent 1.5 s into the window
      SimTestClient.Reply first = createUser(client, 0);
      createUser(client, 1);
      SimTestClient.Reply third = createUser(client, 2);
      // Then each states the limit, what is left and the window's end in epoch seconds (3.5 s on, rounded up)
      long resetAt = Math.ceilDiv(clock.epochMillis() + 3_500, 1000L);
      assertThat(first.header("X-RateLimit-Limit")).isEqualTo("10");
      assertThat(first.header("X-RateLimit-Remaining")).isEqualTo("9");
      assertThat(third.header("X-RateLimit-Remaining")).isEqualTo("7");
      assertThat(third.header("X-RateLimit-Reset")).isEqualTo(Long.toString(resetAt));
      // a read is not counted by the write limiter (no read limit: no headers)
      assertThat(client.get(USERS).header("X-RateLimit-Remaining")).isNull();
    }
  }

  @Test
  void ietfStatesThePolicyAndARefusalToo() throws Exception {
    // Given 10 writes per sliding 5 s, IETF headers
    ManualClock clock = new ManualClock();
    try (SimServer server = start(RateAlgorithm.SLIDING_WINDOW, RateHeaders.IETF, clock);
        SimTestClient client = new SimTestClient(server)) {
      for (int i = 0; i < 10; i++) {
        createUser(client, i);
        clock.advance(Duration.ofMillis(100));
      }
      // When the eleventh is refused
      SimTestClient.Reply refused = createUser(client, 10);
      // Then it states the policy, nothing left, and the time until the last admission left the window
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"default\";q=10;w=5");
      assertThat(refused.header("RateLimit")).isEqualTo("\"default\";r=0;t=5");
      assertThat(refused.header("Retry-After")).isEqualTo("4"); // the oldest leaves in 4 s
    }
  }

  @Test
  void openAiStatesATokenBucketsRefillAsADuration() throws Exception {
    // Given a bucket of 10 refilled at 2/s, OpenAI's headers
    ManualClock clock = new ManualClock();
    try (SimServer server = start(RateAlgorithm.TOKEN_BUCKET, RateHeaders.OPENAI, clock);
        SimTestClient client = new SimTestClient(server)) {
      // When three writes are sent at once
      createUser(client, 0);
      createUser(client, 1);
      SimTestClient.Reply third = createUser(client, 2);
      // Then 7 are left and the bucket is full again in 1.5 s
      assertThat(third.header("x-ratelimit-limit-requests")).isEqualTo("10");
      assertThat(third.header("x-ratelimit-remaining-requests")).isEqualTo("7");
      assertThat(third.header("x-ratelimit-reset-requests")).isEqualTo("1.500s");
    }
  }

  @Test
  void noHeadersByDefault() throws Exception {
    ManualClock clock = new ManualClock();
    try (SimServer server = start(RateAlgorithm.FIXED_WINDOW, RateHeaders.NONE, clock);
        SimTestClient client = new SimTestClient(server)) {
      SimTestClient.Reply r = createUser(client, 0);
      assertThat(r.header("X-RateLimit-Remaining")).isNull();
      assertThat(r.header("RateLimit")).isNull();
    }
  }

  @Test
  void openAiDurations() {
    assertThat(RateHeaders.duration(12)).isEqualTo("12ms");
    assertThat(RateHeaders.duration(1000)).isEqualTo("1s");
    assertThat(RateHeaders.duration(1500)).isEqualTo("1.500s");
    assertThat(RateHeaders.duration(360_000)).isEqualTo("6m0s");
  }

  @Test
  void ietfStatesABucketOfASmallBurstAsItsRatePerSecond() {
    // Given a token bucket of 100/s whose burst is one token (10 ms), and one of 100/s with a 1 s burst
    RateLimiter.QuotaState oneToken = new RateLimiter.QuotaState(1, 0, 10_000_000L, 10_000_000L);
    RateLimiter.QuotaState oneSecond = new RateLimiter.QuotaState(100, 40, 600_000_000L, 1_000_000_000L);
    // When their IETF policies are rendered
    // Then the small burst states its rate over one second (rounded up to w=1 it said one request a second), and the
    // other its capacity over its window as before
    assertThat(RateHeaders.ietfPolicy(oneToken)).isEqualTo("\"default\";q=100;w=1");
    assertThat(RateHeaders.ietfPolicy(oneSecond)).isEqualTo("\"default\";q=100;w=1");
  }
}
