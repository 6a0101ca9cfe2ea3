package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reads and writes paced apart under one shared pace, in virtual time. */
class ReadWriteLimiterTest {
  private static final long MS = 1_000_000L;
  private final FakeTicker time = new FakeTicker();
  private final ReadWriteLimiter limiter = new ReadWriteLimiter(time);

  /** Virtual nanos {@code n} permits of a kind take, from now. */
  private long timeFor(int n, boolean write) throws InterruptedException {
    long start = time.read();
    for (int i = 0; i < n; i++) limiter.acquire(time, write);
    return time.read() - start;
  }

  @Test
  void aPaceOnWritesHoldsBackWritesOnly() throws InterruptedException {
    // Given writes paced at 10 per second
    limiter.setRate(true, 10);
    // Then 11 writes take a second, while 100 reads go at once
    assertThat(timeFor(11, true)).isEqualTo(1_000 * MS);
    assertThat(timeFor(100, false)).isZero();
    assertThat(limiter.rate(true)).isEqualTo(10.0);
    assertThat(limiter.rate(false)).isInfinite();
    // and the limiter reports the lowest of its paces
    assertThat(limiter.rate()).isEqualTo(10.0);
  }

  @Test
  void theSharedPaceAndAPauseHoldBackBothKinds() throws InterruptedException {
    // Given the shared pace set (as rate-limit headers state it) to 20 per second
    limiter.setRate(20);
    // Then reads and writes take turns in it: 21 permits, of either kind, take a second
    long start = time.read();
    for (int i = 0; i < 21; i++) limiter.acquire(time, i % 2 == 0);
    assertThat(time.read() - start).isEqualTo(1_000 * MS);
    // and a pause (a 429's Retry-After) holds back a read as well as a write
    limiter.setRate(Double.POSITIVE_INFINITY);
    long pausesBefore = limiter.pauses();
    limiter.pauseFor(Duration.ofMillis(700));
    assertThat(limiter.pauses()).as("a pause changes what every caller of either kind checks").isGreaterThan(pausesBefore);
    assertThat(timeFor(1, false)).isEqualTo(700 * MS);
    assertThat(timeFor(1, true)).isZero();
  }

  @Test
  void aKindsPaceRaisedFarReSpacesItsQueueAndItsCallersSeeIt() {
    // Given ten writers queued at 2 per second
    limiter.setRate(true, 2);
    for (int i = 0; i < 10; i++) limiter.reserveNanos(true);
    long pausesBefore = limiter.pauses();
    // When the writes' pace is raised to 10 per second (a learner's estimate after a burst's refusal)
    limiter.setRate(true, 10);
    // Then the queued writers are told to reserve again (the acquire loop checks pauses()), and the next write goes
    // 100 ms after the slot due now, not after the old queue's 4.5 s
    assertThat(limiter.pauses()).isGreaterThan(pausesBefore);
    assertThat(limiter.reserveNanos(true)).isEqualTo(100 * MS);
  }

  @Test
  void afterAPauseTheCallersItHeldLeaveAtTheirKindsPaceNotAllAtOnce() {
    // Given writes paced at 10 per second, and a 429's pause of 700 ms
    limiter.setRate(true, 10);
    limiter.pauseFor(Duration.ofMillis(700));
    // When three writers reserve during the pause
    // Then they leave at its end and then 100 ms apart (a burst at the end would meet a window's refusal again)
    assertThat(limiter.reserveNanos(true)).isEqualTo(700 * MS);
    assertThat(limiter.reserveNanos(true)).isEqualTo(800 * MS);
    assertThat(limiter.reserveNanos(true)).isEqualTo(900 * MS);
    // and an unpaced read only waits for the pause
    assertThat(limiter.reserveNanos(false)).isEqualTo(700 * MS);
  }

  @Test
  void whenTheHeadersTakeOverTheSharedPaceGoesOnAfterTheSlotsTheKindsPromised() {
    // Given writes ramping at 50 per second, three of them promised slots at 0, 20 and 40 ms
    limiter.setRate(true, 50);
    assertThat(limiter.reserveNanos(true)).isZero();
    assertThat(limiter.reserveNanos(true)).isEqualTo(20 * MS);
    assertThat(limiter.reserveNanos(true)).isEqualTo(40 * MS);
    // When the target's headers take over at 100 per second
    limiter.paceByHeaders();
    limiter.setRate(100);
    // Then the kinds are unpaced, and the next permit comes after those promised, at the headers' pace
    assertThat(limiter.rate(true)).isInfinite();
    assertThat(limiter.reserveNanos(true)).isEqualTo(60 * MS);
    assertThat(limiter.reserveNanos(false)).isEqualTo(70 * MS);
  }

  @Test
  void aPermitWithoutAKindIsAWrite() throws InterruptedException {
    limiter.setRate(false, 1);
    limiter.setRate(true, 2);
    // a pool task's prepaid permit, say: the writes' pace applies, the stricter guess
    long start = time.read();
    for (int i = 0; i < 3; i++) limiter.acquire(time);
    assertThat(time.read() - start).isEqualTo(1_000 * MS);
  }
}
