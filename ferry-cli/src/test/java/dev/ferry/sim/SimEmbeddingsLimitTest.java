package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The embeddings endpoint's RPM, TPM and quota over real HTTP, with the server's clock in virtual time. */
class SimEmbeddingsLimitTest {

  /** A request of {@code tokens} tokens: one input of 4 × tokens ASCII characters. */
  private static SimTestClient.Reply embedTokens(SimTestClient client, int tokens) throws Exception {
    return SimEmbeddingsTest.embed(client, "{\"model\":\"m\",\"input\":\"" + "t".repeat(4 * tokens) + "\"}");
  }

  private static SimConfig limits(EmbeddingsSettings.Builder embeddings) {
    return SimConfig.builder().embeddings(embeddings.build()).build();
  }

  @Test
  void refusesTokensBeyondTheMinuteWindowWithOpenAisHeadersAndBody() throws Exception {
    // Given: 100 tokens per minute
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().tokensPerMinute(100)), clock);
        SimTestClient client = new SimTestClient(server)) {
      var first = embedTokens(client, 40);
      clock.advance(Duration.ofMillis(500));
      var second = embedTokens(client, 40);

      // When
      var refused = embedTokens(client, 40);
      clock.advance(Duration.ofMillis(59_500));
      var nextWindow = embedTokens(client, 40);

      // Then
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("x-ratelimit-limit-tokens")).isEqualTo("100");
      assertThat(first.header("x-ratelimit-remaining-tokens")).isEqualTo("60");
      assertThat(first.header("x-ratelimit-reset-tokens")).isEqualTo("1m0s");
      assertThat(first.header("x-ratelimit-limit-requests")).isNull(); // no RPM limit
      assertThat(second.header("x-ratelimit-remaining-tokens")).isEqualTo("20");
      assertThat(second.header("x-ratelimit-reset-tokens")).isEqualTo("59.5s");
      assertThat(refused.status()).isEqualTo(429);
      JsonNode error = refused.json().path("error");
      assertThat(error.path("type").asText()).isEqualTo("tokens");
      assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(error.path("message").asText()).isEqualTo("Rate limit reached for m in organization"
          + " org-ferry-simulator on tokens per min (TPM): Limit 100, Used 80, Requested 40."
          + " Please try again in 59.5s.");
      assertThat(refused.header("x-ratelimit-remaining-tokens")).isEqualTo("20");
      assertThat(nextWindow.status()).isEqualTo(200);
      assertThat(nextWindow.header("x-ratelimit-remaining-tokens")).isEqualTo("60");
      EmbeddingStats stats = server.stats().embeddings();
      assertThat(stats.rateLimitedTokens()).isEqualTo(1);
      assertThat(stats.rateLimitedRequests()).isZero();
      assertThat(stats.tokens()).isEqualTo(120);
      assertThat(server.stats().rateLimited()).isEqualTo(1);
    }
  }

  @Test
  void refusesRequestsBeyondTheRpmWithTypeRequests() throws Exception {
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().requestsPerMinute(2).tokensPerMinute(1000)),
        clock); SimTestClient client = new SimTestClient(server)) {
      embedTokens(client, 1);
      clock.advance(Duration.ofMillis(12));
      var second = embedTokens(client, 1);
      var refused = embedTokens(client, 1);

      assertThat(second.header("x-ratelimit-remaining-requests")).isEqualTo("0");
      assertThat(second.header("x-ratelimit-reset-requests")).isEqualTo("59.988s");
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.json().path("error").path("type").asText()).isEqualTo("requests");
      assertThat(refused.json().path("error").path("message").asText()).contains("on requests per min (RPM): Limit 2,"
          + " Used 2, Requested 1. Please try again in 59.988s.");
      assertThat(refused.header("x-ratelimit-remaining-tokens")).isEqualTo("998"); // a refusal is not charged
      assertThat(server.stats().embeddings().rateLimitedRequests()).isEqualTo(1);
    }
  }

  @Test
  void aShorterWindowAdmitsTheLimitsScaledToItAndStillStatesThePerMinuteFigure() throws Exception {
    // Given: 6,000 TPM counted in 1 s windows = 100 tokens a window
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().tokensPerMinute(6_000)
        .window(Duration.ofSeconds(1))), clock); SimTestClient client = new SimTestClient(server)) {
      var admitted = embedTokens(client, 100);
      var refused = embedTokens(client, 1);
      clock.advance(Duration.ofSeconds(1));
      var next = embedTokens(client, 1);

      assertThat(admitted.status()).isEqualTo(200);
      assertThat(admitted.header("x-ratelimit-limit-tokens")).isEqualTo("6000");
      assertThat(admitted.header("x-ratelimit-remaining-tokens")).isEqualTo("0");
      assertThat(admitted.header("x-ratelimit-reset-tokens")).isEqualTo("1s");
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.json().path("error").path("message").asText()).contains("Limit 100, Used 100, Requested 1.");
      assertThat(next.status()).isEqualTo(200);
    }
  }

  @Test
  void aRequestLargerThanAWholeWindowIsTooLargeForEver() throws Exception {
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().tokensPerMinute(10)), clock);
        SimTestClient client = new SimTestClient(server)) {
      var refused = embedTokens(client, 11);

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.json().path("error").path("message").asText()).isEqualTo("Request too large for m in"
          + " organization org-ferry-simulator on tokens per min (TPM): Limit 10, Requested 11. The input or output"
          + " tokens must be reduced in order to run successfully.");
      assertThat(refused.header("x-ratelimit-reset-tokens")).isEqualTo("0s");
    }
  }

  @Test
  void aSpentQuotaRefusesEveryLaterRequestWithInsufficientQuota() throws Exception {
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().quotaTokens(100)), clock);
        SimTestClient client = new SimTestClient(server)) {
      var spent = embedTokens(client, 80);
      var over = embedTokens(client, 40);
      clock.advance(Duration.ofHours(1));
      var small = embedTokens(client, 1);

      assertThat(spent.status()).isEqualTo(200);
      assertThat(over.status()).isEqualTo(429);
      JsonNode error = over.json().path("error");
      assertThat(error.path("code").asText()).isEqualTo("insufficient_quota");
      assertThat(error.path("type").asText()).isEqualTo("insufficient_quota");
      assertThat(error.path("message").asText()).startsWith("You exceeded your current quota");
      assertThat(small.status()).isEqualTo(429);
      assertThat(small.json().path("error").path("code").asText()).isEqualTo("insufficient_quota");
      assertThat(server.stats().embeddings().insufficientQuota()).isEqualTo(2);
      assertThat(server.stats().embeddings().tokens()).isEqualTo(80);
    }
  }

  @Test
  void aZeroQuotaIsOutOfCreditFromTheStart() throws Exception {
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().quotaTokens(0)));
        SimTestClient client = new SimTestClient(server)) {
      assertThat(embedTokens(client, 1).json().path("error").path("code").asText()).isEqualTo("insufficient_quota");
    }
  }

  @Test
  void aResetRestoresTheWindowsAndTheQuota() throws Exception {
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().tokensPerMinute(10).quotaTokens(10)),
        clock); SimTestClient client = new SimTestClient(server)) {
      assertThat(embedTokens(client, 10).status()).isEqualTo(200);
      assertThat(embedTokens(client, 1).status()).isEqualTo(429);

      server.reset();

      assertThat(embedTokens(client, 10).status()).isEqualTo(200);
      assertThat(server.stats().embeddings().tokens()).isEqualTo(10);
    }
  }

  @Test
  void concurrentRequestsNeverTakeMoreThanTheWindow() throws Exception {
    // Given: 100 tokens a window, time standing still, 40 requests of 10 tokens at once
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(limits(EmbeddingsSettings.builder().tokensPerMinute(100)), clock);
        SimTestClient client = new SimTestClient(server)) {
      java.util.List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
      try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 40; i++) statuses.add(threads.submit(() -> embedTokens(client, 10).status()));
      }

      // Then
      int admitted = 0;
      for (var status : statuses) admitted += status.get() == 200 ? 1 : 0;
      assertThat(admitted).isEqualTo(10);
      assertThat(server.stats().embeddings().tokens()).isEqualTo(100);
      assertThat(server.stats().embeddings().rateLimitedTokens()).isEqualTo(30);
    }
  }

  @Test
  void durationsAreWrittenAsOpenAiDoes() {
    assertThat(OpenAiDuration.format(0)).isEqualTo("0s");
    assertThat(OpenAiDuration.format(1)).isEqualTo("1ms"); // rounded up: never early
    assertThat(OpenAiDuration.format(12_000_000)).isEqualTo("12ms");
    assertThat(OpenAiDuration.format(1_200_000_000)).isEqualTo("1.2s");
    assertThat(OpenAiDuration.format(1_000_000_000)).isEqualTo("1s");
    assertThat(OpenAiDuration.format(360_000_000_000L)).isEqualTo("6m0s");
    assertThat(OpenAiDuration.format(3_723_450_000_000L)).isEqualTo("1h2m3.45s");
  }
}
