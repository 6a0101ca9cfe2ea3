package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.Quota;
import dev.ferry.http.AttemptListener;
import dev.ferry.http.AttemptListener.Attempt;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.ResponseClass;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Token limits of an embeddings target, in virtual time: the tokens per minute learned from OpenAI's
 * {@code x-ratelimit-*-tokens} headers when the spec says {@code limits: auto}, honoured as stated otherwise; batches
 * charged by their tokens and trued up to the answer's {@code usage}; a 429 for tokens waits for the token window
 * ({@code x-ratelimit-reset-tokens}), not a back-off.
 */
class TokenLimitsTest {
  private static final long SECOND = 1_000_000_000L;
  private final FakeTicker time = new FakeTicker();
  private final long start = time.read();

  /** Virtual time since the test began. */
  private long elapsed() {
    return time.read() - start;
  }

  /** OpenAI's headers: per-minute limits, what the window has left, and when it is whole again. */
  private static List<String> openAi(long rpm, long requestsLeft, String requestsReset, long tpm, long tokensLeft,
      String tokensReset) {
    return List.of("x-ratelimit-limit-requests", Long.toString(rpm), "x-ratelimit-remaining-requests",
        Long.toString(requestsLeft), "x-ratelimit-reset-requests", requestsReset, "x-ratelimit-limit-tokens",
        Long.toString(tpm), "x-ratelimit-remaining-tokens", Long.toString(tokensLeft), "x-ratelimit-reset-tokens",
        tokensReset);
  }

  private Attempt answer(int status, List<String> headers, long requestsLeft) {
    long now = time.read();
    return new Attempt("POST", now, now, now, status, -1, ResponseClass.of(status, false),
        new Quota(3000, requestsLeft, SECOND, -1), 0, headers);
  }

  @Test
  void autoLearnsTheTokensPerMinuteFromTheHeadersAndPacesBatchesByTheirTokens() throws InterruptedException {
    // Given an auto target (no limit stated) and a 95 % headroom
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.AUTO, 0.95, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    // Then before any answer one call goes (a probe)
    l.charge(Map.of("tokens", 50_000L));
    assertThat(elapsed()).isZero();
    // When its answer states 60,000 tokens per minute (1,000 per second)
    listener.onAttempt(answer(200, openAi(3000, 2999, "20ms", 60_000, 59_000, "1s"), 2999));
    // Then the pace is 950 tokens per second, and a batch of 1,900 tokens makes the next one wait 2 s
    assertThat(l.learnedTokens().rate()).isEqualTo(950.0);
    l.charge(Map.of("tokens", 1_900L));
    long before = time.read();
    l.charge(Map.of("tokens", 10L));
    assertThat(time.read() - before).isEqualTo(2 * SECOND);
    // and a limit that changes is followed
    listener.onAttempt(answer(200, openAi(3000, 2999, "20ms", 120_000, 100_000, "1s"), 2999));
    assertThat(l.learnedTokens().rate()).isEqualTo(1900.0);
    assertThat(l.shared()).extracting(SharedRate::unit).containsExactly("tokens");
  }

  @Test
  void inADistributedJobEachProcessPacesItsShareOfTheLearnedRequestsAndTokens() {
    // Given an auto target in one of the two processes of a distributed job (the share's count, read at each answer)
    int[] processes = {2};
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.AUTO, 0.95, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    l.shareLearnedBy(() -> processes[0]);
    // When an answer states 3,000 requests per second and 60,000 tokens per minute for the whole job
    listener.onAttempt(answer(200, openAi(3000, 2999, "20ms", 60_000, 59_000, "1s"), 2999));
    // Then this process paces half of each: 475 tokens/s, and half of 3,000/s at the ring's headroom
    assertThat(l.learnedTokens().rate()).isEqualTo(475.0);
    double alone = 3000 * (1 - 0.05 / 3);
    assertThat(l.requests().rate()).isCloseTo(alone / 2, org.assertj.core.data.Offset.offset(1e-6));
    // When the other process left, the next answer gives it the whole
    processes[0] = 1;
    listener.onAttempt(answer(200, openAi(3000, 2990, "20ms", 60_000, 58_000, "1s"), 2990));
    assertThat(l.learnedTokens().rate()).isEqualTo(950.0);
    assertThat(l.requests().rate()).isCloseTo(alone, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void untilTheFirstAnswerOneCallProbesAndAnAnswerWithoutTokenHeadersLeavesTokensUnlimited()
      throws InterruptedException {
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.AUTO, 0.95, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    // Given a probe sent and not answered
    l.charge(Map.of("tokens", 500L));
    // Then another call waits for its answer (at most 10 s, then it probes in turn)
    l.charge(Map.of("tokens", 500L));
    assertThat(elapsed()).isEqualTo(WeightPace.PROBE_NANOS);
    // When an answer comes without token headers (a server that states no limit)
    listener.onAttempt(answer(200, List.of(), 2999));
    // Then tokens are not limited any more
    long before = time.read();
    for (int i = 0; i < 5; i++) l.charge(Map.of("tokens", 1_000_000L));
    assertThat(time.read()).isEqualTo(before);
  }

  @Test
  void statedTokenLimitsAreHonouredAsWrittenWhateverTheHeadersSay() throws InterruptedException {
    // Given a spec stating 1,000 tokens per minute
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.of(List.of(new LimitRule("tokens", 1000,
        Duration.ofMinutes(1)))), 1.0, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    // When the target says it allows a million
    listener.onAttempt(answer(200, openAi(3000, 2999, "20ms", 1_000_000, 999_000, "1s"), 2999));
    // Then nothing is learned: 1,000 tokens pass, the next wait for the minute
    assertThat(l.learnedTokens()).isNull();
    l.charge(Map.of("tokens", 1000L));
    l.charge(Map.of("tokens", 1L));
    assertThat(elapsed()).isEqualTo(60 * SECOND);
  }

  @Test
  void a429ForTokensPausesTheTargetUntilTheTokenWindowComesBack() throws InterruptedException {
    // Given an auto target paced at 60,000 tokens per minute
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.AUTO, 1.0, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    listener.onAttempt(answer(200, openAi(3000, 2999, "20ms", 60_000, 59_000, "1s"), 2999));
    // When a call of 5,000 tokens is refused with 429 while requests are left: 1,200 tokens left, back in 7.5 s
    TokenFeedback.sending(5_000);
    try {
      listener.onAttempt(answer(429, openAi(3000, 2990, "20ms", 60_000, 1_200, "7.5s"), 2990));
    } finally {
      TokenFeedback.sent();
    }
    // Then requests (HttpTarget's retry of the call) and tokens wait for the token window: 7.5 s, not a back-off
    assertThat(l.requests().reserveNanos()).isEqualTo(7_500_000_000L);
    l.charge(Map.of("tokens", 10L));
    assertThat(elapsed()).isEqualTo(7_500_000_000L);
  }

  @Test
  void a429ForRequestsLeavesTheTokensAlone() {
    // Given a stated tokens limit
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.of(List.of(new LimitRule("tokens", 100_000,
        Duration.ofMinutes(1)))), 1.0, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    // When a 429 comes with no request left and tokens to spare
    TokenFeedback.sending(500);
    try {
      listener.onAttempt(answer(429, openAi(3000, 0, "2s", 100_000, 90_000, "40s"), 0));
    } finally {
      TokenFeedback.sent();
    }
    // Then the token window is not waited for (the request limiter's pause is HttpTarget's, from Retry-After)
    assertThat(l.requests().reserveNanos()).isZero();
  }

  @Test
  void aBatchIsTruedUpToTheTokensTheTargetCounted() throws InterruptedException {
    // Given a learned pace of 1,000 tokens per second
    TargetLimiters l = TargetLimiters.of("embeddings", TargetLimits.AUTO, 1.0, time, time);
    l.listener(new CallMetrics(time)).onAttempt(answer(200, openAi(3000, 2999, "20ms", 60_000, 59_000, "1s"),
        2999));
    // When a batch charged 1,000 tokens was counted 1,500 by the target
    l.charge(Map.of("tokens", 1_000L));
    l.settle("tokens", 1_000, 1_500);
    // Then the next batch waits for 1,500 tokens' time
    l.charge(Map.of("tokens", 1L));
    assertThat(elapsed()).isEqualTo(1_500_000_000L);
    // and a batch counted less is credited against the wait of the next (never below now)
    l.settle("tokens", 1, 0);
    l.charge(Map.of("tokens", 800L));
    l.settle("tokens", 800, 300);
    long before = time.read();
    l.charge(Map.of("tokens", 1L));
    assertThat(time.read() - before).isEqualTo(300_000_000L);
  }

  @Test
  void theUsageOfAnOpenAiAnswerIsReadWithoutParsingTheVectors() {
    assertThat(Usage.tokens("{\"object\":\"list\",\"data\":[{\"embedding\":[0.1,0.2],\"index\":0}],"
        + "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":13}}")).isEqualTo(13);
    assertThat(Usage.tokens("{\"usage\": {\"prompt_tokens\" : 7}}")).isEqualTo(7);
    assertThat(Usage.tokens("{\"data\":[]}")).isEqualTo(-1);
    assertThat(Usage.tokens("")).isEqualTo(-1);
  }

  @Test
  void openAisTokenHeadersAreAPerMinuteQuota() {
    Quota q = dev.ferry.http.RateLimitHeaders.tokens(openAi(3000, 2999, "20ms", 1_000_000, 400_000, "6m0s"))
        .orElseThrow();
    assertThat(q).isEqualTo(new Quota(1_000_000, 400_000, 360 * SECOND, 60 * SECOND));
    assertThat(dev.ferry.http.RateLimitHeaders.tokens(List.of("x-ratelimit-remaining-requests", "5"))).isEmpty();
  }

  @Test
  void weightsPaceEvenlyWithNoBurst() {
    // Given 100 units per second
    WeightPace pace = new WeightPace(time);
    assertThat(pace.reserveNanos(1_000_000)).as("unlimited until a rate is known").isZero();
    pace.setRate(100);
    // Then calls of uneven weights leave one after the other at the rate: never more than rate x T + one call
    long[] weights = {50, 200, 10, 300, 40};
    long at = 0;
    for (long w : weights) {
      assertThat(pace.reserveNanos(w)).isEqualTo(at);
      at += w * SECOND / 100;
    }
    pace.pauseFor(Duration.ofSeconds(100));
    assertThat(pace.reserveNanos(1)).isEqualTo(100 * SECOND);
  }
}
