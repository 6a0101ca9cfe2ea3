package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowBudgetLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final FakeTicker time = new FakeTicker();

  @Test
  void aWholeBudgetGoesAtOnceAndTheNextWaitsForTheWindow() {
    // Given a target that admits 5 requests in any second
    RateLimiter limiter = new WindowBudgetLimiter(5, Duration.ofSeconds(1), time);
    // When 12 callers reserve at the same instant
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 12; i++) waits.add(limiter.reserveNanos());
    // Then five go now, five a window later and the last two a window after that: the job ends at 2 s,
    // where pacing at 5/s would end at 2.2 s
    assertThat(waits).containsExactly(0L, 0L, 0L, 0L, 0L, SECOND, SECOND, SECOND, SECOND, SECOND,
        2 * SECOND, 2 * SECOND);
  }

  @Test
  void noIntervalShorterThanTheWindowHoldsMoreThanTheBudget() {
    // Given callers that arrive unevenly, sleep their wait and send at once
    RateLimiter limiter = new WindowBudgetLimiter(50, Duration.ofSeconds(10), time);
    List<Long> grants = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      long wait = limiter.reserveNanos();
      grants.add(time.read() + wait);
      if (i % 7 == 0) time.advance(Duration.ofMillis(37));
      if (i % 300 == 0) time.advance(Duration.ofSeconds(4)); // idle spells
    }
    // Then every window (t, t + 10 s) starting at a grant holds at most 50 grants
    for (int i = 0; i < grants.size(); i++) {
      long start = grants.get(i);
      long inWindow = grants.stream().filter(g -> g >= start && g < start + 10 * SECOND).count();
      assertThat(inWindow).as("grants in the window from grant %d", i).isLessThanOrEqualTo(50);
    }
    // And the long-run rate is the budget's: 2,000 grants need at least 39 more windows after the first
    assertThat(grants.get(grants.size() - 1) - grants.get(0)).isGreaterThanOrEqualTo(39 * 10 * SECOND);
  }

  @Test
  void theHeadroomWidensTheWindow() {
    // Given WorkOS's stated write limit with ferry's 1.5 % headroom
    RateLimiter limiter = RateLimiter.forLimit(RateLimitSpec.parse("500/10s"), 0.985, time);
    for (int i = 0; i < 500; i++) assertThat(limiter.reserveNanos()).isZero();
    // Then the 501st waits 10 s / 0.985 = 10.152 s, and the long-run rate is 49.25/s
    assertThat(limiter.reserveNanos()).isEqualTo(Math.round(10 * SECOND / 0.985));
    assertThat(limiter.rate()).isCloseTo(49.25, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void tryAcquireTakesOnlyWhatTheBudgetHoldsNow() {
    RateLimiter limiter = new WindowBudgetLimiter(2, Duration.ofSeconds(1), time);
    assertThat(limiter.tryAcquire()).isTrue();
    time.advance(Duration.ofMillis(300));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(Duration.ofMillis(700)); // the first grant leaves the window
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(Duration.ofMillis(300));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aPauseHoldsEveryPermitUntilItEnds() {
    RateLimiter limiter = new WindowBudgetLimiter(10, Duration.ofSeconds(1), time);
    limiter.pauseFor(Duration.ofSeconds(2));
    assertThat(limiter.pauses()).isEqualTo(1);
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.reserveNanos()).isEqualTo(2 * SECOND);
    // a shorter pause inside the longer one changes nothing
    limiter.pauseFor(Duration.ofSeconds(1));
    assertThat(limiter.pauses()).isEqualTo(1);
  }

  @Test
  void aRefusedBudgetTurnsIntoEvenPacingForGood() {
    // Given a budget of 5 a second spent at once
    RateLimiter limiter = new WindowBudgetLimiter(5, Duration.ofSeconds(1), time);
    for (int i = 0; i < 5; i++) limiter.reserveNanos();
    // When the target refuses (the trim sets a pace)
    limiter.setRate(4);
    // Then permits are spaced 250 ms from the last grant on, and idle time never buys a burst again
    assertThat(limiter.reserveNanos()).isEqualTo(250_000_000L);
    assertThat(limiter.reserveNanos()).isEqualTo(500_000_000L);
    time.advance(Duration.ofSeconds(30));
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(250_000_000L);
    assertThat(limiter.rate()).isEqualTo(4.0);
  }

  @Test
  void refusesBudgetsItCannotHold() {
    assertThatThrownBy(() -> new WindowBudgetLimiter(0, Duration.ofSeconds(1), time))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WindowBudgetLimiter(WindowBudgetLimiter.MAX_PERMITS + 1, Duration.ofSeconds(1), time))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WindowBudgetLimiter(5, Duration.ZERO, time))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
