package dev.ferry.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.Outcome;
import dev.ferry.testing.RecordingMetrics;
import org.junit.jupiter.api.Test;

class CompositeMetricsRecorderTest {

  @Test
  void everyEventAndGaugeReachesEveryRecorderInOrder() {
    // Given two recorders behind one composite
    RecordingMetrics a = new RecordingMetrics();
    RecordingMetrics b = new RecordingMetrics();
    MetricsRecorder both = MetricsRecorder.composite(a, b);

    // When each kind of event is reported once
    both.taskAdmitted(MetricsRecorder.ROWS, 2);
    both.rowSettled(Outcome.FAILED);
    both.rowsSettled(Outcome.DONE, 7);
    both.taskEnded(MetricsRecorder.ROWS, 9);
    both.chunkDone();
    both.requestStarted("t:1");
    both.recordCallNanos("t:1", "create_user", 201, 5);
    both.throttled("t:1");
    both.retry("t:1");
    both.timeout("t:1");
    both.connectionError("t:1");
    both.taskSubmitted("p");
    both.recordQueueWaitNanos("p", 3);
    both.taskSettled("p", TaskOutcome.TIMED_OUT);
    both.gauge(Gauge.PACE_PERMITS_PER_SECOND, "t:1", () -> 12.5);

    // Then both saw all of them, in order
    assertThat(a.events()).hasSize(14).isEqualTo(b.events());
    assertThat(a.events()).startsWith("taskAdmitted rows", "rowSettled FAILED", "rowsSettled DONE 7", "taskEnded rows",
        "chunkDone")
        .endsWith("taskSettled p TIMED_OUT");
    assertThat(b.gauge(Gauge.PACE_PERMITS_PER_SECOND, "t:1")).isEqualTo(12.5);
  }

  @Test
  void noOpRecordersAreLeftOutAndNestedCompositesFlattened() {
    RecordingMetrics a = new RecordingMetrics();
    assertThat(MetricsRecorder.composite()).isSameAs(MetricsRecorder.none());
    assertThat(MetricsRecorder.composite(MetricsRecorder.none(), a)).isSameAs(a);
    MetricsRecorder nested = MetricsRecorder.composite(MetricsRecorder.composite(a, new RecordingMetrics()), a);
    nested.chunkDone();
    assertThat(a.count("chunkDone")).isEqualTo(2);
  }

  @Test
  void theNoOpRecorderIgnoresEverythingAndANullRecorderIsRefused() {
    MetricsRecorder none = MetricsRecorder.none();
    none.rowSettled(Outcome.DONE);
    none.gauge(Gauge.JOB_ROWS, "j", () -> { throw new AssertionError("a no-op recorder never reads a gauge"); });
    assertThatThrownBy(() -> MetricsRecorder.composite(new RecordingMetrics(), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("recorder cannot be null");
  }
}
