package dev.ferry.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.FakeScheduler;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executor's per-call timeout, in virtual time: an interrupt reaches the run it was meant for, and no other. */
class TimedRunTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);

  @Test
  void aTimeoutThatWinsInterruptsTheRunAndTheInterruptIsClearedAtItsEnd() {
    // Given a run with a 100 ms timeout
    TimedRun run = new TimedRun();
    run.begin();
    run.startTimer(scheduler, Duration.ofMillis(100).toNanos(), () -> true);
    // When the timeout fires during the run (the fake runs it on this thread)
    scheduler.advance(Duration.ofMillis(100));
    // Then the run is interrupted, and the interrupt does not outlive it
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
    run.end();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aTimerThatFiresAfterTheEndInterruptsNobody() {
    // Given a run that ended before its timeout
    AtomicInteger fired = new AtomicInteger();
    TimedRun run = new TimedRun();
    run.begin();
    run.startTimer(scheduler, Duration.ofMillis(100).toNanos(), () -> fired.incrementAndGet() > 0);
    run.end();
    // When the timeout's moment passes
    scheduler.advance(Duration.ofSeconds(1));
    // Then the timer was called off
    assertThat(fired).hasValue(0);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    // and a late interrupt (a shutdown) reaches nobody either
    run.interrupt();
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void aTimeoutThatLostDoesNotInterrupt() {
    // Given: the task settled itself first, so the timeout loses
    TimedRun run = new TimedRun();
    run.begin();
    run.startTimer(scheduler, Duration.ofMillis(100).toNanos(), () -> false);
    // When
    scheduler.advance(Duration.ofMillis(100));
    // Then
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    run.end();
  }
}
