package dev.ferry.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executor both fronts share: admission bounds the tasks, a permit comes back before a task counts as ended. */
class TaskExecutorTest {

  @Test
  void aReportingExecutorTellsTheSpiEachTaskItAdmitsWithItsWaitAndRunTimes() throws Exception {
    // Given: an admission whose permit takes 3 ms (virtual) to come, tasks run in place that take 7 ms
    FakeTicker ticker = new FakeTicker();
    Admission slow = new Admission() {
      final Admission inner = Admission.fixed(1);

      @Override
      public void acquire() throws InterruptedException {
        ticker.advance(Duration.ofMillis(3));
        inner.acquire();
      }

      @Override
      public boolean tryAcquire() {
        return inner.tryAcquire();
      }

      @Override
      public void release() {
        inner.release();
      }

      @Override
      public int limit() {
        return 1;
      }
    };
    List<String> events = new CopyOnWriteArrayList<>();
    MetricsRecorder recorder = new MetricsRecorder() {
      @Override
      public void taskAdmitted(String executor, long waitNanos) {
        events.add("admitted " + executor + " " + waitNanos / 1_000_000);
      }

      @Override
      public void taskEnded(String executor, long runNanos) {
        events.add("ended " + executor + " " + runNanos / 1_000_000 + " permit free: " + slow.tryAcquire());
        slow.release();
      }
    };
    TaskExecutor executor = TaskExecutor.launching(slow, Runnable::run).reporting("rows", recorder, ticker);
    // When: one task through execute (waits for its permit), one through tryExecute (a free one)
    executor.execute(() -> ticker.advance(Duration.ofMillis(7)));
    executor.tryExecute(() -> ticker.advance(Duration.ofMillis(7)));
    // Then: each is told admitted (with its wait) and ended (with its run time, its permit already back)
    assertThat(events).containsExactly("admitted rows 3", "ended rows 7 permit free: true", "admitted rows 0",
        "ended rows 7 permit free: true");
    // And the executor it was made from tells nobody
    TaskExecutor.launching(slow, Runnable::run).execute(() -> { });
    assertThat(events).hasSize(4);
  }

  @Test
  void theAdmissionBoundsTheTasksRunningAndEveryPermitComesBackBeforeTheTaskEnds() throws Exception {
    // Given: 3 permits and 50 tasks
    Admission admission = Admission.fixed(3);
    TaskExecutor executor = TaskExecutor.virtual("test-", admission);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch ended = new CountDownLatch(50);
    // When
    for (int i = 0; i < 50; i++) {
      executor.execute(() -> {
        peak.accumulateAndGet(now.incrementAndGet(), Math::max);
        Thread.yield();
        now.decrementAndGet();
      }, ended::countDown); // runs once the task's permit is back
    }
    // Then: once every task ended, all three permits are free
    assertThat(ended.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(peak.get()).isBetween(1, 3);
    for (int i = 0; i < 3; i++) assertThat(admission.tryAcquire()).isTrue();
    assertThat(admission.tryAcquire()).isFalse();
  }

  @Test
  void tryExecuteStartsNothingWithoutAFreePermit() throws Exception {
    // Given
    Admission admission = Admission.fixed(1);
    TaskExecutor executor = TaskExecutor.virtual("test-", admission);
    CountDownLatch release = new CountDownLatch(1);
    Thread first = executor.tryExecute(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    // When / Then
    assertThat(first).isNotNull();
    assertThat(executor.tryExecute(() -> { })).isNull();
    release.countDown();
    first.join();
    assertThat(admission.tryAcquire()).isTrue();
  }

  @Test
  void aLauncherRunsAdmittedTasksAndARefusalGivesThePermitBack() throws Exception {
    // Given: one permit, a launcher that runs in place
    Admission admission = Admission.fixed(1);
    AtomicInteger ran = new AtomicInteger();
    TaskExecutor inPlace = TaskExecutor.launching(admission, Runnable::run);
    // When
    inPlace.execute(ran::incrementAndGet);
    // Then it ran on this thread, and its permit is back
    assertThat(ran).hasValue(1);
    assertThat(admission.tryAcquire()).isTrue();
    admission.release();
    // When a launcher refuses the task
    TaskExecutor refusing = TaskExecutor.launching(admission, r -> {
      throw new java.util.concurrent.RejectedExecutionException("full");
    });
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> refusing.execute(ran::incrementAndGet))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    // Then the permit it took is back and nothing ran
    assertThat(ran).hasValue(1);
    assertThat(admission.tryAcquire()).isTrue();
  }
}
