package dev.ferry.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.exec.Admission;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A pool fed through a shared {@link Admission}: its tasks and other work count against one limit. */
class LivePoolAdmissionTest {

  @Test
  void aQueuedTaskStartsWhenAPermitTakenOutsideThePoolComesBack() throws Exception {
    // Given: a limit of 2 shared with a bulk job that holds one permit, and a pool on it
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(2).maxLimit(2).build());
    limiter.acquire();
    LivePool pool = LivePool.builder().name("shared").admission(Admission.adaptive(limiter)).queueCapacity(10)
        .build();
    Gate gate = new Gate(1);
    CompletableFuture<String> first = pool.submit(gate.task("a"));
    gate.awaitStarted();
    // When: a second task finds no permit, queues, and the outside permit comes back
    CompletableFuture<String> second = pool.submit(() -> "b");
    assertThat(pool.metrics().queued()).isEqualTo(1);
    assertThat(second).isNotDone();
    limiter.release();
    // Then: it runs with that permit while the first still holds the other
    assertThat(second.get()).isEqualTo("b");
    assertThat(first).isNotDone();
    gate.open();
    assertThat(first.get()).isEqualTo("a");
    pool.close();
    assertThat(pool.concurrency()).isEqualTo(2);
    assertThat(limiter.inflight()).isZero();
    PoolMetrics m = pool.metrics();
    assertThat(m.completed()).isEqualTo(2);
    assertThat(m.settled()).isEqualTo(m.submitted());
  }

  @Test
  void aGrownLimitStartsQueuedTasks() throws Exception {
    // Given: an adaptive limit at 1 and a pool with one task running and one queued
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(1).maxLimit(4).build());
    LivePool pool = LivePool.builder().name("grows").admission(Admission.adaptive(limiter)).build();
    Gate gate = new Gate(2);
    CompletableFuture<String> first = pool.submit(gate.task("a"));
    CompletableFuture<String> second = pool.submit(gate.task("b"));
    // When: a fast, successful sample raises the limit
    while (limiter.limit() < 2) limiter.onSample(0, 1_000_000, 1, false);
    // Then: the queued task starts beside the first
    gate.awaitStarted();
    gate.open();
    assertThat(first.get() + second.get()).isEqualTo("ab");
    pool.close();
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void shutdownNowStopsAWaitingDispatcherAndHandsTheQueueBack() throws Exception {
    // Given: every permit taken outside the pool, two tasks queued
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(1).maxLimit(1).build());
    limiter.acquire();
    LivePool pool = LivePool.builder().name("stops").admission(Admission.adaptive(limiter)).build();
    CompletableFuture<String> a = pool.submit(() -> "a");
    CompletableFuture<String> b = pool.submit(() -> "b");
    // When
    var back = pool.shutdownNow();
    // Then
    assertThat(back).hasSize(2);
    assertThat(a).isCancelled();
    assertThat(b).isCancelled();
    assertThat(pool.awaitTermination(java.time.Duration.ofSeconds(20))).isTrue();
    limiter.release();
    assertThat(limiter.inflight()).isZero();
  }

  /** An admission that tells when a caller waits in {@link #acquire()} and counts the non-blocking tries. */
  static final class Watched implements Admission {
    final Admission inner;
    final java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();

    Watched(Admission inner) {
      this.inner = inner;
    }

    @Override
    public void acquire() throws InterruptedException {
      waiting.countDown();
      inner.acquire();
    }

    @Override
    public boolean tryAcquire() {
      tries.incrementAndGet();
      return inner.tryAcquire();
    }

    @Override
    public void release() {
      inner.release();
    }

    @Override
    public int limit() {
      return inner.limit();
    }
  }

  private static Thread submitter(LivePool pool, CompletableFuture<CompletableFuture<String>> submitted) {
    return Thread.ofVirtual().start(() -> {
      try {
        submitted.complete(pool.submit(() -> "handed off"));
      } catch (RuntimeException e) {
        submitted.completeExceptionally(e);
      }
    });
  }

  @Test
  void aHandOffSubmitterWaitsOnTheSharedAdmissionAndAPermitFreedOutsideThePoolWakesIt() throws Exception {
    // Given: one permit, shared and held by other work; a hand-off pool (no queue) blocking its submitters
    Watched admission = new Watched(Admission.fixed(1));
    assertThat(admission.tryAcquire()).isTrue();
    LivePool pool = LivePool.builder().name("handoff").admission(admission).queueCapacity(0)
        .overflow(Overflow.BLOCK).build();

    // When: a submitter finds no permit
    CompletableFuture<CompletableFuture<String>> submitted = new CompletableFuture<>();
    Thread t = submitter(pool, submitted);

    // Then: it waits in the admission itself (the bounded wait only guards a broken build), tried once, polls nothing
    assertThat(admission.waiting.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(admission.tries.get()).isEqualTo(2); // the test's own take, and the submitter's one try
    assertThat(submitted).isNotDone();

    // When: the other work gives its permit back, outside the pool
    admission.release();

    // Then: the submitter gets it and its task runs
    assertThat(submitted.get().get()).isEqualTo("handed off");
    t.join();
    assertThat(admission.tries.get()).isEqualTo(2);
    pool.close();
    assertThat(admission.tryAcquire()).as("every permit is back").isTrue();
    PoolMetrics m = pool.metrics();
    assertThat(m.completed()).isEqualTo(1);
    assertThat(m.settled()).isEqualTo(m.submitted());
  }

  @Test
  void aHandOffSubmitterWaitingForAPermitIsWokenByAGrownLimit() throws Exception {
    // Given: an adaptive limit of 1 held outside, a hand-off pool on it, a submitter waiting for a permit
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(1).maxLimit(4).build());
    limiter.acquire();
    Watched admission = new Watched(Admission.adaptive(limiter));
    LivePool pool = LivePool.builder().name("grows-handoff").admission(admission).queueCapacity(0).build();
    CompletableFuture<CompletableFuture<String>> submitted = new CompletableFuture<>();
    Thread t = submitter(pool, submitted);
    assertThat(admission.waiting.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    // When: fast, successful samples raise the limit (no permit comes back)
    while (limiter.limit() < 2) limiter.onSample(0, 1_000_000, 1, false);

    // Then: the submitter starts its task with the new permit
    assertThat(submitted.get().get()).isEqualTo("handed off");
    t.join();
    pool.close();
    assertThat(limiter.inflight()).isEqualTo(1); // the outside one
  }

  @Test
  void shutdownRejectsAHandOffSubmitterWaitingForAPermitAndLeavesNoPermitTaken() throws Exception {
    // Given: the only permit held outside, a submitter of a hand-off pool waiting for it
    Watched admission = new Watched(Admission.fixed(1));
    assertThat(admission.tryAcquire()).isTrue();
    LivePool pool = LivePool.builder().name("shut-handoff").admission(admission).queueCapacity(0).build();
    CompletableFuture<CompletableFuture<String>> submitted = new CompletableFuture<>();
    Thread t = submitter(pool, submitted);
    assertThat(admission.waiting.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    // When: the pool shuts down
    pool.shutdown();

    // Then: the submitter is rejected, and the permit count is whole
    t.join();
    assertThat(submitted).isCompletedExceptionally();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(submitted::join))
        .hasCauseInstanceOf(PoolRejectedException.class);
    assertThat(pool.awaitTermination(java.time.Duration.ofSeconds(20))).isTrue();
    admission.release();
    assertThat(admission.tryAcquire()).isTrue();
    assertThat(admission.tryAcquire()).isFalse();
  }
}
