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
}
