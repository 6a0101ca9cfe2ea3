package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Weighed limits (requests per window + tokens per window, like OpenAI's RPM + TPM), in virtual time. */
class WeightedLimitsTest {
  private static final long SECOND = 1_000_000_000L;
  private final FakeTicker time = new FakeTicker();

  @Test
  void aSmoothRequestsRuleSpacesRequestsEvenlyWhereABudgetSpendsItsWindowAtOnce() {
    // Given 10 requests per second as a budget and as a smooth rule (--rate-limit 10), all of the headroom used
    RateLimiter budget = TargetLimiters.of("t", TargetLimits.of(List.of(new LimitRule("requests", 10,
        Duration.ofSeconds(1)))), 1.0, time, null).requests();
    RateLimiter smooth = TargetLimiters.of("t", TargetLimits.of(List.of(new LimitRule("requests", 10,
        Duration.ofSeconds(1), true))), 1.0, time, null).requests();
    // When 10 requests are asked for at once
    List<Long> budgetWaits = new ArrayList<>();
    List<Long> smoothWaits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      budgetWaits.add(budget.reserveNanos());
      smoothWaits.add(smooth.reserveNanos());
    }
    // Then the budget grants them all now; the smooth rule one every 100 ms
    assertThat(budgetWaits).containsOnly(0L);
    for (int i = 0; i < 10; i++) assertThat(smoothWaits.get(i)).isEqualTo(i * SECOND / 10);
    assertThat(new LimitRule("requests", 10, Duration.ofSeconds(1), true).describe())
        .isEqualTo("10 requests per 1s, smooth");
  }

  @Test
  void aStatedBudgetThatTheTargetRefusesTurnsIntoEvenPacingAtTheFirst429AsImportUsersDoes() {
    // Given a stated budget of 10 per second
    TargetLimiters limiters = TargetLimiters.of("t", TargetLimits.of(List.of(new LimitRule("requests", 10,
        Duration.ofSeconds(1)))), 1.0, time, null);
    RateLimiter requests = limiters.requests();
    dev.ferry.http.AttemptListener listener = limiters.listener(new dev.ferry.http.CallMetrics());
    // When the target refuses a request anyway
    time.advance(Duration.ofSeconds(1));
    listener.onAttempt(new dev.ferry.http.AttemptListener.Attempt("POST", time.read(), time.read(),
        time.read() + 1_000_000, 429, -1));
    // Then the limiter paces evenly, a little below the stated rate: no burst of the window any more
    long first = requests.reserveNanos();
    long second = requests.reserveNanos();
    assertThat(second - first).isGreaterThan(SECOND / 10);
  }

  @Test
  void aWeightBudgetSpendsAWindowAtOnceThenWaitsForTheOldestGrantToLeaveTheWindow() {
    // Given 1,000 tokens per minute
    WeightBudgetLimiter tokens = new WeightBudgetLimiter(1000, Duration.ofMinutes(1), time);
    // When / Then: 600 + 400 fit the first window
    assertThat(tokens.reserveNanos(600)).isZero();
    time.advance(Duration.ofSeconds(10));
    assertThat(tokens.reserveNanos(400)).isZero();
    // the next 300 wait until the 600 granted at t=0 leave the window (t=60s)
    assertThat(tokens.reserveNanos(300)).isEqualTo(50 * SECOND);
    // the next 500 wait until the 400 granted at t=10s leave it too (t=70s): 300 + 500 <= 1000 from then
    assertThat(tokens.reserveNanos(500)).isEqualTo(60 * SECOND);
  }

  @Test
  void noWindowEverHoldsMoreThanTheBudget() {
    // Given a budget and calls of uneven weights, all asked for at once
    WeightBudgetLimiter tokens = new WeightBudgetLimiter(10_000, Duration.ofSeconds(60), time);
    long[] weights = {2500, 4000, 100, 9000, 3000, 7000, 50, 10_000, 1, 6000, 3999, 2};
    List<long[]> grants = new ArrayList<>();
    for (long w : weights) grants.add(new long[] {time.read() + tokens.reserveNanos(w), w});
    // Then in every window starting at a grant, the weights granted sum to at most the budget
    for (long[] start : grants) {
      long sum = grants.stream().filter(g -> g[0] >= start[0] && g[0] < start[0] + 60 * SECOND).mapToLong(g -> g[1])
          .sum();
      assertThat(sum).isLessThanOrEqualTo(10_000);
    }
  }

  @Test
  void aWeightAboveTheBudgetGoesAloneIntoAnEmptyWindow() {
    WeightBudgetLimiter tokens = new WeightBudgetLimiter(1000, Duration.ofSeconds(60), time);
    assertThat(tokens.reserveNanos(10)).isZero();
    assertThat(tokens.reserveNanos(5000)).isEqualTo(60 * SECOND);
    assertThat(tokens.reserveNanos(1)).isEqualTo(120 * SECOND);
  }

  @Test
  void aWeightOfZeroWaitsOnlyForAPause() throws InterruptedException {
    // Given a tokens budget that was never paused, on a clock far from its origin (as System.nanoTime is)
    WeightBudgetLimiter tokens = new WeightBudgetLimiter(1000, Duration.ofSeconds(60), time);
    time.advance(Duration.ofSeconds(1_000));
    // When a batch of empty texts charges 0 tokens
    long wait = tokens.reserveNanos(0);
    tokens.acquire(0, time);
    // Then it goes now (before, "no pause" minus now overflowed into a sleep of ~292 years: the run hung for good)
    assertThat(wait).isZero();
    assertThat(time.sleeps()).allMatch(s -> s == 0L);
    // And a pause still holds it back, for the pause alone
    tokens.pauseFor(Duration.ofSeconds(3));
    assertThat(tokens.reserveNanos(0)).isEqualTo(3 * SECOND);
  }

  @Test
  void aPauseHoldsBackWeightsToo() {
    WeightBudgetLimiter tokens = new WeightBudgetLimiter(1000, Duration.ofSeconds(60), time);
    tokens.pauseFor(Duration.ofSeconds(3));
    assertThat(tokens.reserveNanos(1)).isEqualTo(3 * SECOND);
    assertThat(tokens.pauses()).isEqualTo(1);
  }

  @Test
  void splittingBetweenProcessesSetsTheBudgetFromTheRate() {
    WeightBudgetLimiter tokens = new WeightBudgetLimiter(1200, Duration.ofSeconds(60), time);
    assertThat(tokens.rate()).isEqualTo(20.0);
    tokens.setRate(10);
    assertThat(tokens.budget()).isEqualTo(600);
  }

  @Test
  void aTargetWithRequestsAndTokensPerMinuteChargesBoth() throws InterruptedException {
    // Given 2 requests and 1,000 tokens per minute, no headroom
    TargetLimits limits = TargetLimits.of(List.of(new LimitRule("requests", 2, Duration.ofMinutes(1)),
        new LimitRule("tokens", 1000, Duration.ofMinutes(1))));
    TargetLimiters l = TargetLimiters.of("embeddings", limits, 1.0, time, time);
    RateLimiter requests = l.requests();
    // When a call of 800 tokens goes, then one of 300
    l.charge(Map.of("tokens", 800L, "unknown_unit", 5L));
    requests.acquire(time);
    long afterFirst = time.read();
    l.charge(Map.of("tokens", 300L));
    requests.acquire(time);
    // Then the second waited a minute for its tokens, not for a request permit
    assertThat(time.read() - afterFirst).isEqualTo(60 * SECOND);
    // and of two more requests the second waits for the request budget (2 per minute: one was granted at t=60s)
    assertThat(requests.reserveNanos()).isZero();
    assertThat(requests.reserveNanos()).isEqualTo(60 * SECOND);
    assertThat(l.shared()).extracting(SharedRate::unit).containsExactly("requests", "tokens");
  }

  @Test
  void severalRequestLimitsCombineAndHeadroomWidensTheWindow() {
    // Given 2 per second and 3 per 10 seconds, 50 % headroom: 2 per 2 s and 3 per 20 s
    TargetLimits limits = TargetLimits.of(List.of(new LimitRule("requests", 2, Duration.ofSeconds(1)),
        new LimitRule("requests", 3, Duration.ofSeconds(10))));
    RateLimiter requests = TargetLimiters.of("crm", limits, 0.5, time, time).requests();
    assertThat(requests.reserveNanos()).isZero();
    assertThat(requests.reserveNanos()).isZero();
    assertThat(requests.reserveNanos()).isEqualTo(2 * SECOND);
    assertThat(requests.reserveNanos()).isEqualTo(20 * SECOND);
  }
}
