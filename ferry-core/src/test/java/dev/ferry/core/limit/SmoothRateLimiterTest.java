package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Wakeup;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmoothRateLimiterTest {
  private final FakeTicker time = new FakeTicker();

  @Test
  void pacesPermitsEvenlyWithoutBurst() {
    // Given a 50/s limiter
    RateLimiter limiter = RateLimiter.smooth(50, time);
    // When 5 callers reserve at the same instant
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) waits.add(limiter.reserveNanos());
    // Then they are spaced 20 ms apart, the first going now
    assertThat(waits).containsExactly(0L, 20_000_000L, 40_000_000L, 60_000_000L, 80_000_000L);
  }

  @Test
  void neverExceedsTheRateInAnyWindowWhenCallersSleepTheirWait() {
    // Given 200 callers acquiring through the limiter in virtual time
    RateLimiter limiter = RateLimiter.smooth(50, time);
    List<Long> grants = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      long wait = limiter.reserveNanos();
      grants.add(time.read() + wait);
      if (i % 7 == 0) time.advance(Duration.ofMillis(3)); // callers arrive unevenly
    }
    // Then every 1-second sliding window holds at most 50 grants
    for (int i = 0; i < grants.size(); i++) {
      long start = grants.get(i);
      long inWindow = grants.stream().filter(g -> g >= start && g < start + 1_000_000_000L).count();
      assertThat(inWindow).isLessThanOrEqualTo(50);
    }
  }

  @Test
  void aWindowBudgetHoldsAGrantThePaceWouldLetGo() {
    // Given 10/s with a budget of 10 in any 1.05 s (a window widened by how late the target counted)
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.limitWindow(10, Duration.ofMillis(1050));
    // When 10 permits are granted at the pace (0 to 900 ms) and the 11th is asked for at 950 ms
    for (int i = 0; i < 10; i++) {
      time.advance(Duration.ofNanos(limiter.reserveNanos()));
    }
    time.advance(Duration.ofMillis(50));
    // Then it waits for the first grant plus the window (1,050 ms), not only for the pace (1,000 ms)
    assertThat(limiter.reserveNanos()).isEqualTo(100_000_000L);
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aCallerThatWokeLateWidensTheBudgetsWindow() throws InterruptedException {
    // Given a budget of 2 in any second, and callers whose sleep overruns by 30 ms (a stalled client: the send leaves
    // 30 ms after its slot, and the target counts it that late)
    long start = time.read();
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.limitWindow(2, Duration.ofSeconds(1));
    dev.ferry.core.time.Sleeper late = nanos -> time.advance(Duration.ofNanos(nanos + 30_000_000L));
    // When two permits are acquired (at 0 and at 100 ms, taken 30 ms late each)
    limiter.acquire(late);
    limiter.acquire(late);
    // Then the third waits for the first slot plus the window plus those 30 ms
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(1_030_000_000L);
  }

  @Test
  void aGrantCountedLateHoldsTheOneAWindowAfterItOnly() {
    // Given 10/s with a budget of 3 in any second, three grants at 0, 100 and 200 ms
    long start = time.read();
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.limitWindow(3, Duration.ofSeconds(1));
    for (int i = 0; i < 3; i++) time.advance(Duration.ofNanos(limiter.reserveNanos()));
    // When the target says it counted the second one (sent at 100 ms) 40 ms late
    limiter.countedLate(start + 100_000_000L, 40_000_000L);
    // Then the fourth waits for the first plus the window only, the fifth for the second plus the window and 40 ms
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(1_000_000_000L);
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(1_140_000_000L);
  }

  @Test
  void aGrantGivenUpToAPauseLeavesTheBudgetAsItWas() {
    // Given 10/s with a budget of 2 in any second: grants at 0 and 100 ms, and a third reserved for 1 s (the first
    // plus the window), which took the first one's place in the ring
    long start = time.read();
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.limitWindow(2, Duration.ofSeconds(1));
    limiter.reserveNanos();
    time.advance(Duration.ofNanos(limiter.reserveNanos()));
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(1_000_000_000L);
    // When a pause makes its holder give the third up, and it is reserved again after the pause
    limiter.pauseFor(Duration.ofMillis(50));
    time.advance(Duration.ofMillis(50));
    // Then it still waits for the first grant plus the window
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(1_000_000_000L);
  }

  @Test
  void aBudgetResizedKeepsItsLatestGrantsAndAPauseGivesThemUpWithoutInventingOthers() {
    // Given 100/s with a budget of 4 in any second, four grants 10 ms apart, then the budget cut to 3
    long start = time.read();
    RateLimiter limiter = RateLimiter.smooth(100, time);
    limiter.limitWindow(4, Duration.ofSeconds(1));
    for (int i = 0; i < 4; i++) limiter.reserveNanos();
    limiter.limitWindow(3, Duration.ofSeconds(1));
    // When a pause at 0 gives up the three kept grants that were still to come (10, 20 and 30 ms)
    limiter.pauseFor(Duration.ofMillis(50));
    time.advance(Duration.ofMillis(50));
    // Then the ring holds none of them, and nothing it never held: three permits at the pace from the pause's end, the
    // fourth a window after the first of those
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(50_000_000L);
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(60_000_000L);
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(70_000_000L);
    assertThat(time.read() + limiter.reserveNanos() - start).isEqualTo(1_050_000_000L);
  }

  @Test
  void aPauseGivesUpTheBudgetSlotsItTookBack() {
    // Given a budget of 3 in any second at a fast pace, and three permits reserved ahead
    RateLimiter limiter = RateLimiter.smooth(100, time);
    limiter.limitWindow(3, Duration.ofSeconds(1));
    limiter.reserveNanos();
    limiter.reserveNanos();
    limiter.reserveNanos();
    // When a pause makes their holders give them up (two of them were still to come)
    limiter.pauseFor(Duration.ofMillis(50));
    // Then after the pause two permits are free before the window of the one that went counts again
    time.advance(Duration.ofMillis(50));
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(10_000_000L);
    assertThat(limiter.reserveNanos()).isEqualTo(1_000_000_000L - 50_000_000L);
  }

  @Test
  void idleTimeDoesNotAccumulateABurst() {
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.reserveNanos();
    time.advance(Duration.ofSeconds(60));
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(100_000_000L);
  }

  @Test
  void burstAllowsThatManyPermitsAtOnce() {
    RateLimiter limiter = RateLimiter.smooth(10, 3, time);
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(100_000_000L);
  }

  @Test
  void pauseHoldsEveryCallerUntilItEnds() {
    // Given a limiter that was told a 429 said Retry-After: 2
    RateLimiter limiter = RateLimiter.smooth(50, time);
    limiter.reserveNanos();
    limiter.pauseFor(Duration.ofSeconds(2));
    // When others reserve
    long first = limiter.reserveNanos();
    long second = limiter.reserveNanos();
    // Then nobody goes before the pause ends, and permits restart at the pace
    assertThat(first).isEqualTo(2_000_000_000L);
    assertThat(second).isEqualTo(2_020_000_000L);
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void slotsReservedBeforeAPauseDoNotPushTheSlotsReservedAgainBehindIt() {
    // Given 25 callers waiting for their slots at 10/s (the last 2.4 s ahead)
    RateLimiter limiter = RateLimiter.smooth(10, time);
    for (int i = 0; i < 25; i++) limiter.reserveNanos();
    // When a 429 pauses it for 1 s, and all 25 give up their slots and reserve again behind the pause
    limiter.pauseFor(Duration.ofSeconds(1));
    long last = 0;
    for (int i = 0; i < 25; i++) last = limiter.reserveNanos();
    // Then they go out at the pace from the pause's end: the last 2.4 s after it, not 2.5 s later still
    assertThat(last).isEqualTo(3_400_000_000L);
    // and a pause that does not reach past the current one changes nothing
    limiter.pauseFor(Duration.ofMillis(500));
    assertThat(limiter.reserveNanos()).isEqualTo(3_500_000_000L);
  }

  @Test
  void pauseEndsAndTryAcquireWorksAgain() {
    RateLimiter limiter = RateLimiter.smooth(50, time);
    limiter.pauseFor(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void unlimitedNeverWaitsButHonoursPause() {
    RateLimiter limiter = RateLimiter.unlimited(time);
    for (int i = 0; i < 100; i++) assertThat(limiter.reserveNanos()).isZero();
    limiter.pauseFor(Duration.ofSeconds(1));
    assertThat(limiter.reserveNanos()).isEqualTo(1_000_000_000L);
    assertThat(limiter.rate()).isInfinite();
  }

  @Test
  void unlimitedWaitsNoMoreOnceThePauseEndsAndPacesWhenARateIsSet() {
    // Given an unlimited limiter that was paused
    RateLimiter limiter = RateLimiter.unlimited(time);
    limiter.pauseFor(Duration.ofMillis(500));
    assertThat(limiter.reserveNanos()).isEqualTo(500_000_000L);
    // When the pause has passed / Then no caller waits again
    time.sleepNanos(500_000_000L);
    for (int i = 0; i < 10; i++) assertThat(limiter.reserveNanos()).isZero();
    // When a rate is set / Then permits are paced again
    limiter.setRate(10);
    limiter.reserveNanos();
    assertThat(limiter.reserveNanos()).isEqualTo(100_000_000L);
  }

  @Test
  void setRateChangesThePace() {
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.setRate(100);
    limiter.reserveNanos();
    assertThat(limiter.reserveNanos()).isEqualTo(10_000_000L);
    assertThat(limiter.rate()).isEqualTo(100.0);
  }

  @Test
  void aPaceRaisedFarReSpacesTheCallersQueuedForTheSlowerPace() {
    // Given 10 callers queued at 2/s (slots 0 to 4.5 s ahead), 1.2 s of which have passed (3 slots due)
    RateLimiter limiter = RateLimiter.smooth(2, time);
    for (int i = 0; i < 10; i++) limiter.reserveNanos();
    time.advance(Duration.ofMillis(1200));
    // When the pace is raised to 10/s
    limiter.setRate(10);
    // Then the queued callers are told to reserve again, and the slots start afresh: the first one now (the last due
    // slot was at 1.0 s, more than an interval ago), then every 100 ms, not after the old queue's 4.5 s
    assertThat(limiter.pauses()).isEqualTo(1);
    assertThat(limiter.reserveNanos()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(100_000_000L);
  }

  @Test
  void theFirstSlotAfterAReSpacingKeepsTheNewIntervalFromTheLastOneDue() {
    // Given callers queued at 2/s whose last due slot was 10 ms ago
    RateLimiter limiter = RateLimiter.smooth(2, time);
    for (int i = 0; i < 10; i++) limiter.reserveNanos();
    time.advance(Duration.ofMillis(1010));
    // When the pace is raised to 10/s / Then the first new slot is 100 ms after the one due at 1.0 s, not now
    limiter.setRate(10);
    assertThat(limiter.reserveNanos()).isEqualTo(90_000_000L);
  }

  @Test
  void aSmallRiseOrAShortQueueKeepsTheSlotsAsTheyAre() {
    // Given 10 callers queued at 2/s
    RateLimiter limiter = RateLimiter.smooth(2, time);
    for (int i = 0; i < 10; i++) limiter.reserveNanos();
    // When the pace rises by a fifth (a ramp's step) / Then nobody is re-spaced: the next slot follows the queue
    limiter.setRate(2.4);
    assertThat(limiter.pauses()).isZero();
    assertThat(limiter.reserveNanos()).isEqualTo(5_000_000_000L);
    // Given a queue reaching only 200 ms ahead / When the pace rises tenfold / Then it stays
    RateLimiter short_ = RateLimiter.smooth(10, time);
    for (int i = 0; i < 2; i++) short_.reserveNanos();
    short_.setRate(100);
    assertThat(short_.pauses()).isZero();
  }

  @Test
  void aCallerQueuedForASlowerPacesSlotReservesAgainWhenThePaceIsRaisedFar() throws Exception {
    // Given a 1/s limiter with a caller already holding the slot 1 s ahead, and 2 more queued behind it
    RateLimiter limiter = RateLimiter.smooth(1, time);
    limiter.reserveNanos();
    limiter.reserveNanos();
    List<Long> slept = new ArrayList<>();
    boolean[] raised = {false};
    // When the pace is raised to 20/s while a third caller sleeps towards its slot 2 s ahead
    limiter.acquire(nanos -> {
      slept.add(nanos);
      if (!raised[0]) {
        raised[0] = true;
        time.advance(Duration.ofMillis(10));
        limiter.setRate(20);
      } else {
        time.advance(Duration.ofNanos(nanos));
      }
    });
    // Then it gave its slot up at the end of its first slice of sleep, and took the first of the new pace: 50 ms after
    // the slot due at the start
    assertThat(slept).containsExactly(100_000_000L, 40_000_000L);
  }

  @Test
  void aCallerAsleepTowardsAFarSlotIsWokenWhenThePaceIsRaisedFar() throws Exception {
    // Given a 10/s limiter holding 30 callers' slots (up to 2.9 s ahead): a lockout's tries' pace
    RateLimiter limiter = RateLimiter.smooth(10, time);
    long start = time.read();
    for (int i = 0; i < 30; i++) limiter.reserveNanos();
    List<Long> slept = new ArrayList<>();
    // When one more caller sleeps towards its slot 3 s ahead, and 200 ms in the pace is raised to 50/s
    limiter.acquire(nanos -> {
      slept.add(nanos);
      time.advance(Duration.ofNanos(nanos));
      if (time.read() - start == 200_000_000L) limiter.setRate(50);
    });
    // Then it wakes at the end of that slice and reserves again: sent at the new pace's slot after the one due at 200 ms
    // (220 ms), not at its old slot 3 s ahead
    assertThat(slept).containsExactly(100_000_000L, 100_000_000L, 20_000_000L);
    assertThat(time.read() - start).isEqualTo(220_000_000L);
  }

  @Test
  void aCallerAsleepOnTheWakeupReservesAgainTheMomentThePaceIsRaisedFar() throws Exception {
    // Given a 10/s limiter holding 30 callers' slots (up to 2.9 s ahead)
    RateLimiter limiter = RateLimiter.smooth(10, time);
    long start = time.read();
    for (int i = 0; i < 30; i++) limiter.reserveNanos();
    List<Long> slept = new ArrayList<>();
    // When one more caller sleeps on the wake-up towards its slot 3 s ahead (one sleep, as the system sleeper parks),
    // and 250 ms in the pace is raised to 50/s
    limiter.acquire(new Sleeper() {
      @Override
      public void sleepNanos(long nanos) {
        slept.add(nanos);
        time.advance(Duration.ofNanos(nanos));
      }

      @Override
      public boolean sleepNanos(long nanos, Wakeup wakeup) {
        slept.add(nanos);
        time.advance(Duration.ofMillis(250));
        limiter.setRate(50);
        return wakeup.signalled();
      }
    });
    // Then it woke then, not at the end of a slice: its new slot is due at once (the slot due at 200 ms + 20 ms is past)
    assertThat(slept).containsExactly(3_000_000_000L, 0L);
    assertThat(time.read() - start).isEqualTo(250_000_000L);
  }

  @Test
  void aSlotReservedAfterARespacingSleepsOnANewWakeup() throws Exception {
    // Given a 10/s limiter whose queue of 30 was re-spaced at 50/s, and 30 callers queued again
    SmoothRateLimiter limiter = new SmoothRateLimiter(10, 1, time);
    for (int i = 0; i < 30; i++) limiter.reserveNanos();
    limiter.setRate(50);
    assertThat(limiter.respaces()).isEqualTo(1);
    for (int i = 0; i < 30; i++) limiter.reserveNanos();
    List<Boolean> signalledAtStart = new ArrayList<>();
    // When one more caller sleeps towards its slot
    limiter.acquire(new Sleeper() {
      @Override
      public void sleepNanos(long nanos) {
        time.advance(Duration.ofNanos(nanos));
      }

      @Override
      public boolean sleepNanos(long nanos, Wakeup wakeup) {
        signalledAtStart.add(wakeup.signalled());
        time.advance(Duration.ofNanos(nanos));
        return wakeup.signalled();
      }
    });
    // Then it slept once, on a wake-up the earlier re-spacing did not signal
    assertThat(signalledAtStart).containsExactly(false);
  }

  @Test
  void aWaitOfASliceOrLessIsOneSleep() throws Exception {
    // Given a 10/s limiter with one slot taken / When a caller acquires / Then it sleeps once, 100 ms
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.reserveNanos();
    List<Long> slept = new ArrayList<>();
    limiter.acquire(nanos -> {
      slept.add(nanos);
      time.advance(Duration.ofNanos(nanos));
    });
    assertThat(slept).containsExactly(100_000_000L);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> RateLimiter.smooth(0, time)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimiter.smooth(5, 0, time)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimiter.smooth(5, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aPermitReservedBeforeAPauseIsReservedAgainBehindIt() throws Exception {
    // Given a 10/s limiter with one caller already holding the slot 100 ms ahead
    RateLimiter limiter = RateLimiter.smooth(10, time);
    limiter.reserveNanos();
    List<Long> slept = new ArrayList<>();
    boolean[] paused = {false};
    // When a 429 pauses the limiter for 2 s while that caller sleeps towards its slot
    limiter.acquire(nanos -> {
      slept.add(nanos);
      time.advance(Duration.ofNanos(nanos));
      if (!paused[0]) {
        paused[0] = true;
        limiter.pauseFor(Duration.ofSeconds(2));
      }
    });
    // Then it did not send at its old slot: it slept again until the pause ended (in slices of 100 ms)
    assertThat(slept).hasSize(21);
    assertThat(slept.get(0)).isEqualTo(100_000_000L);
    assertThat(slept.stream().skip(1).mapToLong(Long::longValue).sum()).isEqualTo(2_000_000_000L);
    assertThat(limiter.pauses()).isEqualTo(1);
  }
}
