package dev.ferry.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WakeupTest {
  @Test
  void aSleeperThatOnlyKnowsPlainSleepsSleeps100MsAtATimeAndThenLooksAtTheSignal() throws Exception {
    // Given a virtual-time sleeper that signals the wake-up during its second slice
    Wakeup wakeup = new Wakeup();
    List<Long> slept = new ArrayList<>();
    Sleeper sleeper = nanos -> {
      slept.add(nanos);
      if (slept.size() == 2) wakeup.signal();
    };
    // When it sleeps 1 s on the wake-up, twice / Then each time it slept a slice, and said whether it was signalled
    assertThat(sleeper.sleepNanos(1_000_000_000L, wakeup)).isFalse();
    assertThat(sleeper.sleepNanos(1_000_000_000L, wakeup)).isTrue();
    assertThat(slept).containsExactly(100_000_000L, 100_000_000L);
    // and a third sleep does not sleep at all
    assertThat(sleeper.sleepNanos(1_000_000_000L, wakeup)).isTrue();
    assertThat(slept).hasSize(2);
  }

  @Test
  void aShortSleepIsOneSliceOfItsLength() throws Exception {
    List<Long> slept = new ArrayList<>();
    Sleeper sleeper = slept::add;
    assertThat(sleeper.sleepNanos(50_000_000L, new Wakeup())).isFalse();
    assertThat(slept).containsExactly(50_000_000L);
  }

  @Test
  void theSystemSleeperDoesNotSleepOnAWakeupAlreadySignalled() throws Exception {
    Wakeup wakeup = new Wakeup();
    wakeup.signal();
    assertThat(Sleeper.system().sleepNanos(TimeUnit.HOURS.toNanos(1), wakeup)).isTrue();
  }

  @Test
  @Timeout(60) // a guard only: the sleep below is an hour unless the signal cuts it short
  void theSystemSleeperIsWokenByTheSignalFromAnotherThread() throws Exception {
    Wakeup wakeup = new Wakeup();
    AtomicBoolean woken = new AtomicBoolean();
    Thread sleeping = Thread.ofVirtual().start(() -> {
      try {
        woken.set(Sleeper.system().sleepNanos(TimeUnit.HOURS.toNanos(1), wakeup));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    wakeup.signal();
    sleeping.join();
    assertThat(woken).isTrue();
    assertThat(wakeup.signalled()).isTrue();
  }

  @Test
  @Timeout(60) // a guard only, as above
  void theSystemSleeperAnswersAnInterruptAsThreadSleepDoes() throws Exception {
    Wakeup wakeup = new Wakeup();
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread sleeping = Thread.ofVirtual().unstarted(() -> {
      try {
        Sleeper.system().sleepNanos(TimeUnit.HOURS.toNanos(1), wakeup);
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
    });
    sleeping.start();
    sleeping.interrupt();
    sleeping.join();
    assertThat(interrupted).isTrue();
    assertThat(wakeup.signalled()).isFalse();
  }
}
