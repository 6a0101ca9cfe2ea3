package dev.ferry.core.pool;

import dev.ferry.testing.FakeScheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LivePoolTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);

  private LivePool.Builder pool(int concurrency, int queueCapacity, Overflow overflow) {
    return LivePool.builder().name("test").concurrency(concurrency).queueCapacity(queueCapacity).overflow(overflow)
        .ticker(ticker).sleeper(ticker).scheduler(scheduler);
  }

  @Test
  void runsAtMostConcurrencyTasksAndQueuesTheRest() throws Exception {
    // Given
    LivePool pool = pool(2, 10, Overflow.REJECT).build();
    Gate gate = new Gate(2);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    Callable<Integer> counted = () -> {
      peak.accumulateAndGet(now.incrementAndGet(), Math::max);
      try {
        return gate.task(1).call();
      } finally {
        now.decrementAndGet();
      }
    };

    // When
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) futures.add(pool.submit(counted));
    gate.awaitStarted();

    // Then
    PoolMetrics during = pool.metrics();
    assertThat(during.running()).isEqualTo(2);
    assertThat(during.queued()).isEqualTo(3);
    assertThat(during.peakQueued()).isEqualTo(3);
    gate.open();
    for (CompletableFuture<Integer> f : futures) assertThat(f.get()).isEqualTo(1);
    pool.close();
    assertThat(peak).hasValue(2);
    PoolMetrics after = pool.metrics();
    assertThat(after.submitted()).isEqualTo(5);
    assertThat(after.completed()).isEqualTo(5);
    assertThat(after.settled()).isEqualTo(after.submitted());
    assertThat(after.running()).isZero();
    assertThat(after.queued()).isZero();
  }

  @Test
  void rejectThrowsAClearExceptionWhenTheQueueIsFull() throws Exception {
    // Given: one running, one queued
    LivePool pool = pool(1, 1, Overflow.REJECT).build();
    Gate gate = new Gate(1);
    CompletableFuture<String> running = pool.submit(gate.task("a"));
    CompletableFuture<String> queued = pool.submit(gate.task("b"));
    gate.awaitStarted();

    // When / Then
    assertThatThrownBy(() -> pool.submit(gate.task("c")))
        .isInstanceOf(PoolRejectedException.class)
        .hasMessageContaining("pool 'test'")
        .hasMessageContaining("queue is full")
        .hasMessageContaining("queue capacity 1")
        .hasMessageContaining("queued 1")
        .satisfies(e -> assertThat(((PoolRejectedException) e).queued()).isEqualTo(1));
    gate.open();
    assertThat(running.get() + queued.get()).isEqualTo("ab");
    pool.close();
    PoolMetrics m = pool.metrics();
    assertThat(m.rejected()).isEqualTo(1);
    assertThat(m.completed()).isEqualTo(2);
    assertThat(m.settled()).isEqualTo(m.submitted()).isEqualTo(3);
  }

  @Test
  void blockMakesTheSubmitterWaitForRoom() throws Exception {
    // Given: one running, one queued
    LivePool pool = pool(1, 1, Overflow.BLOCK).build();
    Gate gate = new Gate(1);
    pool.submit(gate.task("a"));
    pool.submit(gate.task("b"));
    gate.awaitStarted();

    // When: a third submit from another thread
    CompletableFuture<CompletableFuture<String>> third = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> third.complete(pool.submit(() -> "c")));
    Gate.until(() -> pool.blockedSubmitters() == 1);

    // Then: it waits until a task ends, then gets in
    assertThat(third).isNotDone();
    gate.open();
    assertThat(third.get().get()).isEqualTo("c");
    pool.close();
    assertThat(pool.metrics().completed()).isEqualTo(3);
    assertThat(pool.metrics().rejected()).isZero();
  }

  @Test
  void shutdownReleasesBlockedSubmittersWithARejection() throws Exception {
    // Given: a submitter blocked for room
    LivePool pool = pool(1, 0, Overflow.BLOCK).build();
    Gate gate = Gate.occupying(pool, 1);
    CompletableFuture<Object> blocked = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        blocked.complete(pool.submit(() -> "b"));
      } catch (RuntimeException e) {
        blocked.completeExceptionally(e);
      }
    });
    Gate.until(() -> pool.blockedSubmitters() == 1);

    // When
    pool.shutdown();

    // Then
    assertThatThrownBy(blocked::get).hasCauseInstanceOf(PoolRejectedException.class)
        .hasMessageContaining("shut down");
    gate.open();
    assertThat(pool.awaitTermination(Duration.ofSeconds(20))).isTrue();
  }

  @Test
  void callerRunsRunsTheTaskInTheSubmittingThread() throws Exception {
    // Given: the only slot is busy and there is no queue
    LivePool pool = pool(1, 0, Overflow.CALLER_RUNS).build();
    Gate gate = Gate.occupying(pool, 1);

    // When
    CompletableFuture<Thread> ranOn = pool.submit(Thread::currentThread);

    // Then
    assertThat(ranOn).isCompletedWithValue(Thread.currentThread());
    gate.open();
    pool.close();
    assertThat(pool.metrics().completed()).isEqualTo(2);
  }

  @Test
  void aTaskOverItsTimeoutFailsWithTaskTimeoutExceptionAndIsInterrupted() throws Exception {
    // Given
    LivePool pool = pool(1, 0, Overflow.REJECT).taskTimeout(Duration.ofSeconds(5)).build();
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Throwable> seenByTask = new CompletableFuture<>();
    CompletableFuture<String> f = pool.submit(() -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
        return "never";
      } catch (InterruptedException e) {
        seenByTask.complete(e);
        throw e;
      }
    });
    started.await();

    // When: just before, then at the timeout (virtual time)
    scheduler.advance(Duration.ofMillis(4_999));
    boolean doneEarly = f.isDone();
    scheduler.advance(Duration.ofMillis(1));

    // Then
    assertThat(doneEarly).isFalse();
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(TaskTimeoutException.class).hasMessageContaining("pool 'test'").hasMessageContaining("PT5S");
    assertThat(seenByTask.get()).isInstanceOf(InterruptedException.class);
    pool.close();
    PoolMetrics m = pool.metrics();
    assertThat(m.timedOut()).isEqualTo(1);
    assertThat(m.failed()).isZero();
    assertThat(m.settled()).isEqualTo(1);
  }

  @Test
  void aTimeoutGivenAtSubmitOverridesThePoolDefault() throws Exception {
    // Given
    LivePool pool = pool(1, 0, Overflow.REJECT).taskTimeout(Duration.ofSeconds(60)).build();
    Gate gate = new Gate(1);
    CompletableFuture<String> f = pool.submit(gate.task("x"), Duration.ofSeconds(1));
    gate.awaitStarted();

    // When
    scheduler.advance(Duration.ofSeconds(1));

    // Then
    assertThatThrownBy(f::get).cause().isInstanceOf(TaskTimeoutException.class)
        .satisfies(e -> assertThat(((TaskTimeoutException) e).timeout()).isEqualTo(Duration.ofSeconds(1)));
    pool.close();
  }

  @Test
  void aTaskThatEndsInTimeCancelsItsTimerAndKeepsTheCallerUninterrupted() throws Exception {
    // Given: a caller-run task with a timeout
    LivePool pool = pool(1, 0, Overflow.CALLER_RUNS).taskTimeout(Duration.ofSeconds(5)).build();
    Gate gate = Gate.occupying(pool, 1);

    // When
    CompletableFuture<String> f = pool.submit(() -> "quick");
    scheduler.advance(Duration.ofSeconds(10));

    // Then: only the blocked pool task timed out; the caller's thread carries no interrupt
    assertThat(f).isCompletedWithValue("quick");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(scheduler.pending()).isZero();
    pool.close();
    assertThat(pool.metrics().completed()).isEqualTo(1);
    assertThat(pool.metrics().timedOut()).isEqualTo(1);
  }

  @Test
  void everyTaskPassesTheRateLimiterBeforeItStarts() throws Exception {
    // Given: a limiter at 2 per second in virtual time
    RateLimiter limiter = RateLimiter.smooth(2, ticker);
    LivePool pool = pool(1, 10, Overflow.REJECT).rateLimiter(limiter).build();
    List<Long> startedAt = new java.util.concurrent.CopyOnWriteArrayList<>();

    // When
    List<CompletableFuture<Boolean>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) futures.add(pool.submit(() -> startedAt.add(ticker.read())));
    for (CompletableFuture<Boolean> f : futures) f.get();

    // Then: starts are 500 ms apart
    assertThat(startedAt).hasSize(3);
    assertThat(startedAt.get(1) - startedAt.get(0)).isEqualTo(500_000_000L);
    assertThat(startedAt.get(2) - startedAt.get(1)).isEqualTo(500_000_000L);
    pool.close();
  }

  @Test
  void shutdownRunsEverythingQueuedAndRefusesNewTasks() throws Exception {
    // Given
    LivePool pool = pool(1, 5, Overflow.REJECT).build();
    Gate gate = new Gate(1);
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) futures.add(pool.submit(gate.task(i)));
    gate.awaitStarted();

    // When
    pool.shutdown();

    // Then
    assertThatThrownBy(() -> pool.submit(() -> 9)).isInstanceOf(PoolRejectedException.class)
        .hasMessageContaining("shut down");
    assertThat(pool.isTerminated()).isFalse();
    gate.open();
    assertThat(pool.awaitTermination(Duration.ofSeconds(20))).isTrue();
    for (int i = 0; i < 4; i++) assertThat(futures.get(i)).isCompletedWithValue(i);
    PoolMetrics m = pool.metrics();
    assertThat(m.completed()).isEqualTo(4);
    assertThat(m.rejected()).isEqualTo(1);
    assertThat(m.settled()).isEqualTo(m.submitted());
  }

  @Test
  void shutdownNowHandsBackQueuedTasksAndInterruptsRunningOnes() throws Exception {
    // Given: one running, three queued
    LivePool pool = pool(1, 5, Overflow.REJECT).build();
    Gate gate = new Gate(1);
    CompletableFuture<String> running = pool.submit(gate.task("running"));
    List<Callable<String>> queued = List.of(() -> "q1", () -> "q2", () -> "q3");
    List<CompletableFuture<String>> queuedFutures = new ArrayList<>();
    for (Callable<String> c : queued) queuedFutures.add(pool.submit(c));
    gate.awaitStarted();

    // When
    List<Callable<?>> back = pool.shutdownNow();

    // Then: the very tasks, in queue order; their futures cancelled; the running one interrupted
    assertThat(back).containsExactlyElementsOf(queued);
    for (CompletableFuture<String> f : queuedFutures) assertThat(f).isCancelled();
    assertThatThrownBy(running::get).cause().isInstanceOf(InterruptedException.class);
    assertThat(pool.awaitTermination(Duration.ofSeconds(20))).isTrue();
    PoolMetrics m = pool.metrics();
    assertThat(m.handedBack()).isEqualTo(3);
    assertThat(m.failed()).isEqualTo(1);
    assertThat(m.completed()).isZero();
    assertThat(m.settled()).isEqualTo(m.submitted()).isEqualTo(4);
  }

  @Test
  void everySubmittedTaskEndsOneWayOrAnotherWhenShutdownNowInterruptsABusyPool() throws Exception {
    // Given: many producers racing shutdownNow
    LivePool pool = pool(4, 50, Overflow.BLOCK).build();
    List<CompletableFuture<Integer>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger refused = new AtomicInteger();
    AtomicReference<List<Callable<?>>> back = new AtomicReference<>();
    List<Thread> producers = new ArrayList<>();
    CountDownLatch halfway = new CountDownLatch(200);
    for (int p = 0; p < 4; p++) {
      producers.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 100; i++) {
          try {
            futures.add(pool.submit(() -> {
              Thread.yield();
              return 1;
            }));
          } catch (PoolRejectedException e) {
            refused.incrementAndGet();
          }
          halfway.countDown();
        }
      }));
    }

    // When
    halfway.await();
    back.set(pool.shutdownNow());
    for (Thread t : producers) t.join();

    // Then: every future is done, and the counts add up
    assertThat(pool.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(futures).allSatisfy(f -> assertThat(f).isDone());
    long cancelled = futures.stream().filter(CompletableFuture::isCancelled).count();
    PoolMetrics m = pool.metrics();
    assertThat(m.submitted()).isEqualTo(400);
    assertThat(m.settled()).isEqualTo(400);
    assertThat(m.rejected()).isEqualTo(refused.get());
    assertThat(m.handedBack()).isEqualTo(back.get().size()).isEqualTo(cancelled);
    assertThat(m.completed() + m.failed()).isEqualTo(futures.size() - cancelled);
  }

  @Test
  void aThrowingTaskFailsItsFutureAndIsCountedAsFailed() throws Exception {
    // Given
    LivePool pool = pool(2, 2, Overflow.REJECT).build();

    // When
    CompletableFuture<Object> f = pool.submit(() -> {
      throw new IllegalArgumentException("bad row");
    });

    // Then
    assertThatThrownBy(f::get).cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad row");
    pool.close();
    assertThat(pool.metrics().failed()).isEqualTo(1);
  }

  @Test
  void anErrorThrownByATaskFailsItsFutureAndTheNextTaskStillRuns() throws Exception {
    // Given a pool of one slot (docs/POOL.md: "A task's exception is its future's, and only its future's")
    LivePool pool = pool(1, 2, Overflow.REJECT).build();

    // When a task throws an Error and the next one is submitted behind it
    CompletableFuture<Object> f = pool.submit(() -> {
      throw new StackOverflowError("deep");
    });
    CompletableFuture<String> next = pool.submit(() -> "after");

    // Then the Error is the failed future's cause, the slot was given back, and it counts as failed
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(StackOverflowError.class).hasMessage("deep");
    assertThat(next.get()).isEqualTo("after");
    pool.close();
    assertThat(pool.metrics().failed()).isEqualTo(1);
    assertThat(pool.metrics().completed()).isEqualTo(1);
  }

  @Test
  void aQueuedTaskWhoseFutureWasCancelledNeverRuns() throws Exception {
    // Given
    LivePool pool = pool(1, 2, Overflow.REJECT).build();
    Gate gate = new Gate(1);
    pool.submit(gate.task("a"));
    AtomicInteger ran = new AtomicInteger();
    CompletableFuture<Integer> f = pool.submit(ran::incrementAndGet);
    gate.awaitStarted();

    // When
    f.cancel(false);
    gate.open();
    pool.close();

    // Then
    assertThat(ran).hasValue(0);
    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
    PoolMetrics m = pool.metrics();
    assertThat(m.cancelled()).isEqualTo(1);
    assertThat(m.settled()).isEqualTo(2);
  }

  @Test
  void queueWaitIsMeasuredOnTheTicker() throws Exception {
    // Given: one task holds the slot, another waits in the queue
    LivePool pool = pool(1, 2, Overflow.REJECT).build();
    Gate gate = Gate.occupying(pool, 1);
    CompletableFuture<String> waiting = pool.submit(() -> "b");

    // When: 3 s of virtual time pass before the slot frees
    ticker.advance(Duration.ofSeconds(3));
    gate.open();
    waiting.get();
    pool.close();

    // Then
    PoolMetrics m = pool.metrics();
    assertThat(m.queueWaitTotal()).isEqualTo(Duration.ofSeconds(3));
    assertThat(m.queueWaitMax()).isEqualTo(Duration.ofSeconds(3));
  }
}
