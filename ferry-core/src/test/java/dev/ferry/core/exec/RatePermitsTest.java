package dev.ferry.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Wakeup;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one place a rate permit is charged: a prepaid permit is used by the first charge of the same limiter. */
class RatePermitsTest {
  private final FakeTicker ticker = new FakeTicker();
  /** Sleeps in virtual time. */
  private final Sleeper sleeper = ticker;

  @AfterEach
  void clear() {
    RatePermits.forgetAll();
  }

  @Test
  void aPrepaidPermitIsUsedByTheFirstChargeOfTheSameLimiterOnly() throws Exception {
    // Given: 10 permits a second, one prepaid at t=0
    RateLimiter limiter = RateLimiter.smooth(10, ticker);
    RatePermits.prepay(limiter, sleeper, ticker);
    long t0 = ticker.read();
    // When: two attempts charge it
    RatePermits.charge(limiter, sleeper);
    long afterFirst = ticker.read();
    RatePermits.charge(limiter, sleeper);
    // Then: the first used the prepaid permit (no wait), the second waited for the next one (100 ms)
    assertThat(afterFirst - t0).isZero();
    assertThat(ticker.read() - afterFirst).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(RatePermits.holdsCredit()).isFalse();
  }

  @Test
  void anotherLimiterDoesNotUseTheCredit() throws Exception {
    // Given
    RateLimiter pool = RateLimiter.smooth(10, ticker);
    RateLimiter other = RateLimiter.smooth(10, ticker);
    RatePermits.prepay(pool, sleeper, ticker);
    // When
    RatePermits.charge(other, sleeper);
    // Then: the credit is still there, for an attempt through the pool's limiter
    assertThat(RatePermits.holdsCredit()).isTrue();
  }

  @Test
  void aPauseSinceThePrepaymentMakesTheAttemptWaitBehindIt() throws Exception {
    // Given: a permit prepaid, then a 429 pauses the limiter for 2 s
    RateLimiter limiter = RateLimiter.smooth(10, ticker);
    RatePermits.prepay(limiter, sleeper, ticker);
    long t0 = ticker.read();
    limiter.pauseFor(Duration.ofSeconds(2));
    // When
    RatePermits.charge(limiter, sleeper);
    // Then: the stale permit was given up and a fresh one taken behind the pause
    assertThat(ticker.read() - t0).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void aForfeitedPermitMakesTheAttemptTakeAFreshOne() throws Exception {
    // Given: 10 permits a second, one prepaid at t=0, then the call waited 50 ms for another limit
    RateLimiter limiter = RateLimiter.smooth(10, ticker);
    Object token = RatePermits.prepay(limiter, sleeper, ticker);
    ticker.advance(Duration.ofMillis(50));
    // When: it forfeits the permit and its attempt charges
    RatePermits.forfeit(limiter);
    long t0 = ticker.read();
    RatePermits.charge(limiter, sleeper);
    // Then: the attempt waited for the next permit (at 100 ms), and nothing is left to clear
    assertThat(ticker.read() - t0).isEqualTo(Duration.ofMillis(50).toNanos());
    RatePermits.clear(token);
    assertThat(RatePermits.holdsCredit()).isFalse();
  }

  @Test
  void aCreditIsForgottenWhenTheTaskEnds() throws Exception {
    // Given
    RateLimiter limiter = RateLimiter.smooth(10, ticker);
    Object token = RatePermits.prepay(limiter, sleeper, ticker);
    // When
    RatePermits.clear(token);
    // Then
    assertThat(RatePermits.holdsCredit()).isFalse();
  }

  @Test
  void theAttemptLearnsHowLongTheTaskWaitedForItsPrepaidPermit() throws Exception {
    // Given: the limiter's first permit gone, so the task's prepayment waits 100 ms for the pace
    RateLimiter limiter = RateLimiter.smooth(10, ticker);
    limiter.acquire(sleeper);
    RatePermits.prepay(limiter, sleeper, ticker);
    // When / Then: its attempt is told that wait (the pace was the bottleneck), and a fresh charge says -1
    assertThat(RatePermits.charge(limiter, sleeper)).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(RatePermits.charge(limiter, sleeper)).isEqualTo(-1);
  }

  @Test
  void aTaskRunInPlaceInsideAnotherLeavesTheOuterTasksPermitInPlace() throws Exception {
    // Given: an outer task's prepaid permit, and an inner task run in place on the same thread (CALLER_RUNS)
    RateLimiter limiter = RateLimiter.smooth(1_000, ticker);
    Object outer = RatePermits.prepay(limiter, sleeper, ticker);
    Object inner = RatePermits.prepay(limiter, sleeper, ticker);
    // When the inner task ends without a call
    RatePermits.clear(inner);
    // Then the outer task's first attempt still uses its own prepaid permit
    assertThat(RatePermits.charge(limiter, sleeper)).isGreaterThanOrEqualTo(0);
    assertThat(RatePermits.holdsCredit()).isFalse();
    RatePermits.clear(outer);
  }

  @Test
  void aPrepaymentTowardsAFarSlotSleepsOnTheLimitersWakeupInOneSleep() throws Exception {
    // Given: 0.5 permits a second, the first gone, so a prepayment waits 2 s; a sleeper that can be woken
    RateLimiter limiter = RateLimiter.smooth(0.5, ticker);
    limiter.acquire(sleeper);
    int[] sleeps = {0, 0};
    Sleeper wakeable = new Sleeper() {
      @Override
      public void sleepNanos(long nanos) {
        sleeps[0]++;
        ticker.sleepNanos(nanos);
      }

      @Override
      public boolean sleepNanos(long nanos, Wakeup wakeup) {
        sleeps[1]++;
        ticker.sleepNanos(nanos);
        return false;
      }
    };
    // When
    RatePermits.prepay(limiter, wakeable, ticker);
    // Then: the wait is one sleep on the wakeup (it was twenty slices of 100 ms), and its length is told to the attempt
    assertThat(sleeps[1]).isEqualTo(1);
    assertThat(sleeps[0]).isLessThanOrEqualTo(1);
    assertThat(RatePermits.charge(limiter, sleeper)).isEqualTo(Duration.ofSeconds(2).toNanos());
  }
}
