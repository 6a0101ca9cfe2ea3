package dev.ferry.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executor both fronts share: admission bounds the tasks, a permit comes back before a task counts as ended. */
class TaskExecutorTest {

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
