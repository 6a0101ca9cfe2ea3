package dev.ferry.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.metrics.Gauge;
import dev.ferry.testing.FakeScheduler;
import dev.ferry.testing.FakeTicker;
import dev.ferry.testing.RecordingMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a live pool reports through the metrics SPI, in virtual time. */
@Timeout(60)
class LivePoolMetricsTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingMetrics recorder = new RecordingMetrics();

  private LivePool pool() {
    return LivePool.builder().name("hooks").concurrency(1).queueCapacity(1).overflow(Overflow.REJECT).ticker(ticker)
        .sleeper(ticker).scheduler(new FakeScheduler(ticker)).metrics(recorder).build();
  }

  @Test
  void submitsQueueWaitsAndOutcomesAreReportedAndRunningAndQueuedAreGauges() throws Exception {
    // Given a pool of one slot and one queue place, its slot taken and a task queued
    LivePool pool = pool();
    Gate gate = Gate.occupying(pool, 1);
    CompletableFuture<String> queued = pool.submit(() -> "queued");
    assertThat(recorder.gauge(Gauge.POOL_TASKS_RUNNING, "hooks")).isEqualTo(1);
    assertThat(recorder.gauge(Gauge.POOL_TASKS_QUEUED, "hooks")).isEqualTo(1);

    // When a third is refused, and the queued one waits 5 ms before it runs
    assertThatThrownBy(() -> pool.submit(() -> "refused")).isInstanceOf(PoolRejectedException.class);
    ticker.advance(Duration.ofMillis(5));
    gate.open();
    assertThat(queued.get()).isEqualTo("queued");
    pool.close();

    // Then the recorder saw three submits, one rejection, one queue wait of 5 ms and two completions
    assertThat(recorder.count("taskSubmitted hooks")).isEqualTo(3);
    assertThat(recorder.count("taskSettled hooks REJECTED")).isEqualTo(1);
    assertThat(recorder.count("recordQueueWaitNanos hooks 5000000")).isEqualTo(1);
    assertThat(recorder.count("taskSettled hooks COMPLETED")).isEqualTo(2);
    assertThat(recorder.gauge(Gauge.POOL_TASKS_RUNNING, "hooks")).isZero();
    // And the executor told it each task it ran on a pool thread, under the pool's name
    assertThat(recorder.count("taskAdmitted hooks")).isEqualTo(2).isEqualTo(recorder.count("taskEnded hooks"));
    // And the pool's own snapshot (its TaskTally) agrees with what the recorder was told
    PoolMetrics m = pool.metrics();
    assertThat(m.settled()).isEqualTo(3).isEqualTo(m.submitted());
    assertThat(m.rejected()).isEqualTo(1);
    assertThat(m.completed()).isEqualTo(2);
    assertThat(m.queueWaitTotal()).isEqualTo(Duration.ofMillis(5)).isEqualTo(m.queueWaitMax());
  }

  @Test
  void tasksHandedBackAtShutdownAreReported() throws Exception {
    LivePool pool = pool();
    Gate gate = Gate.occupying(pool, 1);
    pool.submit(() -> "never runs");

    pool.shutdownNow();
    gate.open();

    assertThat(recorder.count("taskSettled hooks HANDED_BACK")).isEqualTo(1);
    assertThat(pool.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(recorder.count("taskSettled hooks FAILED")).isEqualTo(1); // the running one, interrupted
    assertThat(pool.metrics().handedBack()).isEqualTo(1);
    assertThat(pool.metrics().settled()).isEqualTo(pool.metrics().submitted()).isEqualTo(2);
  }
}
