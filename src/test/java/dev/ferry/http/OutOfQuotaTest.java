package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** OpenAI's 429 insufficient_quota is told apart from a rate limit's 429 (which is retried behind a pause). */
class OutOfQuotaTest {
  @Test
  void insufficientQuotaIsNotARateLimit() {
    assertThat(OutOfQuota.in("{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":"
        + "\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}")).isTrue();
    assertThat(OutOfQuota.in("{\"error\": {\"code\": \"insufficient_quota\"}}")).isTrue();
    assertThat(OutOfQuota.in("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\","
        + "\"code\":\"rate_limit_exceeded\"}}")).isFalse();
    assertThat(OutOfQuota.in("{\"message\":\"insufficient_quota mentioned in text only\"}")).isFalse();
    assertThat(OutOfQuota.in(null)).isFalse();
  }

  @Test
  void aRequestLargerThanTheWholeLimitIsToldApartFromAFullWindow() {
    String tooLarge = "{\"error\":{\"message\":\"Request too large for text-embedding-3-small in organization org-x on"
        + " tokens per min (TPM): Limit 16667, Requested 50000. The input or output tokens must be reduced in order to"
        + " run successfully.\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}";
    assertThat(OutOfQuota.tooLarge(tooLarge)).isTrue();
    assertThat(OutOfQuota.hopeless(tooLarge)).isTrue();
    assertThat(OutOfQuota.tooLarge("{\"error\":{\"message\":\"Rate limit reached for text-embedding-3-small on tokens"
        + " per min (TPM): Limit 16667, Used 16000, Requested 900. Please try again in 40ms.\"}}")).isFalse();
  }
}
