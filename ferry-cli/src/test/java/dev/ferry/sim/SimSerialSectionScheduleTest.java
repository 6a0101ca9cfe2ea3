package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A saturated serialised section serves one call per hold even when every sleep overshoots. */
class SimSerialSectionScheduleTest {
  /** Virtual time in which every sleep lasts 0.7 ms longer than asked, like a busy host. */
  static final class LateClock implements SimClock {
    final AtomicLong nanos = new AtomicLong();

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    @Override
    public long epochMillis() {
      return nanos.get() / 1_000_000;
    }

    @Override
    public void sleep(Duration d) {
      if (d.isPositive()) nanos.addAndGet(d.toNanos() + 700_000);
    }
  }

  @Test
  void queuedCallersKeepTheScheduleDespiteLateWakeUps() throws Exception {
    // Given: 100 callers that all queued at time 0 behind a 2 ms section
    LateClock clock = new LateClock();
    SerialSection section = new SerialSection(Duration.ofMillis(2), clock);

    // When
    for (int i = 0; i < 100; i++) section.passArrivedAt(0);

    // Then: 200 ms of turns, plus the last sleep's overshoot; not 100 × 2.7 ms
    assertThat(clock.nanoTime()).isEqualTo(200_000_000L + 700_000);
  }

  @Test
  void aStallIsMadeUpForAtMostTwentyTurns() throws Exception {
    // Given: a section that ran on time, then a 100 ms stall while callers kept queueing
    LateClock clock = new LateClock();
    SerialSection section = new SerialSection(Duration.ofMillis(2), clock);
    section.passArrivedAt(0);
    clock.nanos.addAndGet(100_000_000);
    long stalled = clock.nanoTime();

    // When: 30 queued callers go through
    for (int i = 0; i < 30; i++) section.passArrivedAt(0);

    // Then: the first 20 turns (40 ms) are made up at once, the other 10 take 2 ms each (+ the last overshoot)
    assertThat(clock.nanoTime() - stalled).isEqualTo(20_000_000L + 700_000);
  }

  @Test
  void aCallerThatFindsTheSectionIdleHoldsItForTheWholeHold() throws Exception {
    // Given
    LateClock clock = new LateClock();
    SerialSection section = new SerialSection(Duration.ofMillis(2), clock);

    // When: two callers, the second arriving long after the first left
    section.passArrivedAt(clock.nanoTime());
    clock.nanos.addAndGet(50_000_000);
    long before = clock.nanoTime();
    section.passArrivedAt(clock.nanoTime());

    // Then
    assertThat(clock.nanoTime() - before).isEqualTo(2_700_000);
  }
}
