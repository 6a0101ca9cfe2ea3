package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Wakeup;
import dev.ferry.testing.FakeTicker;
import org.junit.jupiter.api.Test;

/** Bench's sum of the time its rows' callers spent asleep, in virtual time. */
class WaitCounterTest {
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void aWakeableSleepIsPassedOnAndCountsWhatItSlept() throws Exception {
    // Given: a sleeper whose wakeable sleep is cut short after 300 ms (the pace was raised)
    int[] wakeableSleeps = {0};
    Sleeper wakeable = new Sleeper() {
      @Override
      public void sleepNanos(long nanos) {
        ticker.sleepNanos(nanos);
      }

      @Override
      public boolean sleepNanos(long nanos, Wakeup wakeup) {
        wakeableSleeps[0]++;
        ticker.sleepNanos(300_000_000L);
        return true;
      }
    };
    WaitCounter waits = new WaitCounter(wakeable, ticker);
    // When: a caller asks for 2 s on a wakeup, then sleeps a plain 50 ms
    waits.sleepNanos(2_000_000_000L, new Wakeup());
    waits.sleepNanos(50_000_000L);
    // Then: one wakeable sleep reached the delegate, and the sum is what was slept (not what was asked)
    assertThat(wakeableSleeps[0]).isEqualTo(1);
    assertThat(waits.nanos()).isEqualTo(350_000_000L);
  }
}
