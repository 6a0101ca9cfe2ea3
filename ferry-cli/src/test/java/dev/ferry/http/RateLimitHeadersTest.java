package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.Quota;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each convention's parser, as pure functions of the headers and {@code now}. */
class RateLimitHeadersTest {
  private static final long S = 1_000_000_000L;
  /** 2015-10-21T07:28:00Z */
  private static final long NOW = Instant.parse("2015-10-21T07:28:00Z").toEpochMilli();

  private static Quota requests(String... namesAndValues) {
    return RateLimitHeaders.requests(List.of(namesAndValues), NOW).orElseThrow();
  }

  @Test
  void retryAfterInSecondsOrAsAnHttpDate() {
    assertThat(RateLimitHeaders.retryAfterNanos("3", NOW).getAsLong()).isEqualTo(3 * S);
    assertThat(RateLimitHeaders.retryAfterNanos("0.5", NOW).getAsLong()).isEqualTo(S / 2);
    assertThat(RateLimitHeaders.retryAfterNanos(null, NOW)).isEmpty();
    assertThat(RateLimitHeaders.retryAfterNanos("soon", NOW)).isEmpty();
    assertThat(RateLimitHeaders.retryAfterNanos("-1", NOW)).isEmpty();
    // a date 7 s after now is a wait of 7 s (it was treated as 1 s before)
    assertThat(RateLimitHeaders.retryAfterNanos("Wed, 21 Oct 2015 07:28:07 GMT", NOW).getAsLong()).isEqualTo(7 * S);
    // a date in the past: no wait; a day away: at most an hour
    assertThat(RateLimitHeaders.retryAfterNanos("Wed, 21 Oct 2015 07:27:00 GMT", NOW).getAsLong()).isZero();
    assertThat(RateLimitHeaders.retryAfterNanos("Thu, 22 Oct 2015 07:28:00 GMT", NOW).getAsLong())
        .isEqualTo(3600 * S);
  }

  @Test
  void xRateLimitWithAnEpochReset() {
    Quota q = requests("x-ratelimit-limit", "5000", "x-ratelimit-remaining", "4987",
        "x-ratelimit-reset", Long.toString(NOW / 1000 + 42));
    assertThat(q).isEqualTo(new Quota(5000, 4987, 42 * S, -1));
    // a small number is delta seconds; 13 digits are epoch milliseconds
    assertThat(requests("x-ratelimit-remaining", "3", "x-ratelimit-reset", "7").resetNanos()).isEqualTo(7 * S);
    assertThat(requests("x-ratelimit-remaining", "3", "x-ratelimit-reset", Long.toString(NOW + 1500)).resetNanos())
        .isEqualTo(1500_000_000L);
    // a reset in the past is now
    assertThat(requests("x-ratelimit-remaining", "3", "x-ratelimit-reset", Long.toString(NOW / 1000 - 5))
        .resetNanos()).isZero();
  }

  @Test
  void ietfStructuredFieldsMatchThePolicyByName() {
    Quota q = requests("ratelimit-policy", "\"burst\";q=100;w=10, \"daily\";q=1000;w=86400",
        "ratelimit", "\"burst\";r=42;t=7, \"daily\";r=900;t=3600");
    // the policy with the least left governs
    assertThat(q).isEqualTo(new Quota(100, 42, 7 * S, 10 * S));
    // without a policy: what is left and when it resets
    assertThat(requests("ratelimit", "\"p\";r=0;t=2")).isEqualTo(new Quota(-1, 0, 2 * S, -1));
  }

  @Test
  void ietfOlderFieldsWithDeltaSeconds() {
    assertThat(requests("ratelimit-limit", "100", "ratelimit-remaining", "10", "ratelimit-reset", "5"))
        .isEqualTo(new Quota(100, 10, 5 * S, -1));
    assertThat(requests("ratelimit-limit", "100, 100;w=60", "ratelimit-remaining", "10", "ratelimit-reset", "5"))
        .isEqualTo(new Quota(100, 10, 5 * S, 60 * S));
  }

  @Test
  void openAiRequestsWithDurationResets() {
    Quota q = requests("x-ratelimit-limit-requests", "60", "x-ratelimit-remaining-requests", "59",
        "x-ratelimit-reset-requests", "1s", "x-ratelimit-limit-tokens", "150000",
        "x-ratelimit-remaining-tokens", "149984", "x-ratelimit-reset-tokens", "6m0s");
    assertThat(q).isEqualTo(new Quota(60, 59, S, -1));
    assertThat(RateLimitHeaders.durationNanos("6m0s")).isEqualTo(360 * S);
    assertThat(RateLimitHeaders.durationNanos("12ms")).isEqualTo(12_000_000L);
    assertThat(RateLimitHeaders.durationNanos("2m3.5s")).isEqualTo(123_500_000_000L);
    assertThat(RateLimitHeaders.durationNanos("0.5s")).isEqualTo(S / 2);
    assertThat(RateLimitHeaders.durationNanos("fast")).isEqualTo(-1);
  }

  @Test
  void noHeadersOrUnreadableOnesAreNoQuota() {
    assertThat(RateLimitHeaders.requests(List.of(), NOW)).isEmpty();
    assertThat(RateLimitHeaders.requests(List.of("x-ratelimit-remaining", "many"), NOW)).isEmpty();
    assertThat(RateLimitHeaders.requests(List.of("ratelimit", "\"p\";t=3"), NOW)).isEmpty();
  }

  @Test
  void aSpentQuotaIsSeenInAnyConvention() {
    assertThat(RateLimitHeaders.exhausted(List.of("x-ratelimit-remaining", "0"))).isTrue();
    assertThat(RateLimitHeaders.exhausted(List.of("x-ratelimit-remaining", "3"))).isFalse();
    assertThat(RateLimitHeaders.exhausted(List.of("ratelimit", "\"p\";r=0;t=3"))).isTrue();
    assertThat(RateLimitHeaders.exhausted(List.of("x-ratelimit-remaining-tokens", "0"))).isTrue();
    assertThat(RateLimitHeaders.exhausted(List.of())).isFalse();
  }

  @Test
  void aForbiddenAnswerWithASpentQuotaIsARateLimit() {
    assertThat(ResponseClass.of(403, true)).isEqualTo(ResponseClass.THROTTLED);
    assertThat(ResponseClass.of(403, false)).isEqualTo(ResponseClass.AUTH);
    assertThat(ResponseClass.of(401, true)).isEqualTo(ResponseClass.AUTH);
    assertThat(ResponseClass.of(429, false)).isEqualTo(ResponseClass.THROTTLED);
    assertThat(ResponseClass.of(503, false)).isEqualTo(ResponseClass.OVERLOADED);
    assertThat(ResponseClass.of(503, false, true)).isEqualTo(ResponseClass.THROTTLED);
    assertThat(ResponseClass.of(504, false, true)).isEqualTo(ResponseClass.OVERLOADED);
    assertThat(ResponseClass.of(0, false)).isEqualTo(ResponseClass.OVERLOADED);
    assertThat(ResponseClass.of(500, false)).isEqualTo(ResponseClass.SERVER_ERROR);
    assertThat(ResponseClass.of(422, false)).isEqualTo(ResponseClass.FINAL);
    assertThat(ResponseClass.of(500, false).transientFailure()).isTrue();
    assertThat(ResponseClass.of(422, false).transientFailure()).isFalse();
  }

  @Test
  void a429BodySayingWhenToTryAgainIsReadWhereTheHeaderIsMissing() {
    String openAi = "{\"error\":{\"message\":\"Rate limit reached for gpt-4o on requests per min (RPM): Limit 3, Used 3,"
        + " Requested 1. Please try again in 1.2s. Visit https://platform.openai.com/account/rate-limits\","
        + "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
    assertThat(RateLimitHeaders.retryAfterInBody(openAi)).hasValue(1_200_000_000L);
    assertThat(RateLimitHeaders.retryAfterInBody("Please try again in 20ms.")).hasValue(20_000_000L);
    assertThat(RateLimitHeaders.retryAfterInBody("Try again in 6m0s")).hasValue(360_000_000_000L);
    assertThat(RateLimitHeaders.retryAfterInBody("try again in 2 seconds")).hasValue(2_000_000_000L);
    assertThat(RateLimitHeaders.retryAfterInBody("try again in 2 days")).isEmpty();
    assertThat(RateLimitHeaders.retryAfterInBody("try again later")).isEmpty();
    assertThat(RateLimitHeaders.retryAfterInBody("{\"error\":\"rate limited\"}")).isEmpty();
    assertThat(RateLimitHeaders.retryAfterInBody("")).isEmpty();
  }
}
