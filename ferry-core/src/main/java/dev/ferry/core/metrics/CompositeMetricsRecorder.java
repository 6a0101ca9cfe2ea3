package dev.ferry.core.metrics;

import dev.ferry.core.spi.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Passes every event and gauge to each of its recorders, in order. Immutable, and threadsafe when its recorders
 * are (the SPI asks them to be).
 */
final class CompositeMetricsRecorder implements MetricsRecorder {
  private final MetricsRecorder[] recorders;

  private CompositeMetricsRecorder(MetricsRecorder[] recorders) {
    this.recorders = recorders;
  }

  /** Flattens nested composites and drops no-op recorders. @throws NullPointerException for a null recorder */
  static MetricsRecorder of(List<MetricsRecorder> recorders) {
    List<MetricsRecorder> flat = new ArrayList<>();
    for (MetricsRecorder r : recorders) {
      Objects.requireNonNull(r, "recorder cannot be null");
      if (r instanceof CompositeMetricsRecorder c) flat.addAll(List.of(c.recorders));
      else if (r != NoMetrics.INSTANCE) flat.add(r);
    }
    if (flat.isEmpty()) return MetricsRecorder.none();
    if (flat.size() == 1) return flat.get(0);
    return new CompositeMetricsRecorder(flat.toArray(MetricsRecorder[]::new));
  }

  @Override
  public void taskAdmitted(String executor, long waitNanos) {
    for (MetricsRecorder r : recorders) r.taskAdmitted(executor, waitNanos);
  }

  @Override
  public void taskEnded(String executor, long runNanos) {
    for (MetricsRecorder r : recorders) r.taskEnded(executor, runNanos);
  }

  @Override
  public void rowSettled(Outcome outcome) {
    for (MetricsRecorder r : recorders) r.rowSettled(outcome);
  }

  @Override
  public void rowsSettled(Outcome outcome, long rows) {
    for (MetricsRecorder r : recorders) r.rowsSettled(outcome, rows);
  }

  @Override
  public void chunkDone() {
    for (MetricsRecorder r : recorders) r.chunkDone();
  }

  @Override
  public void requestStarted(String target) {
    for (MetricsRecorder r : recorders) r.requestStarted(target);
  }

  @Override
  public void recordCallNanos(String target, String step, int status, long nanos) {
    for (MetricsRecorder r : recorders) r.recordCallNanos(target, step, status, nanos);
  }

  @Override
  public void rateWaitNanos(String target, long nanos) {
    for (MetricsRecorder r : recorders) r.rateWaitNanos(target, nanos);
  }

  @Override
  public void throttled(String target) {
    for (MetricsRecorder r : recorders) r.throttled(target);
  }

  @Override
  public void retry(String target) {
    for (MetricsRecorder r : recorders) r.retry(target);
  }

  @Override
  public void timeout(String target) {
    for (MetricsRecorder r : recorders) r.timeout(target);
  }

  @Override
  public void connectionError(String target) {
    for (MetricsRecorder r : recorders) r.connectionError(target);
  }

  @Override
  public void taskSubmitted(String pool) {
    for (MetricsRecorder r : recorders) r.taskSubmitted(pool);
  }

  @Override
  public void recordQueueWaitNanos(String pool, long nanos) {
    for (MetricsRecorder r : recorders) r.recordQueueWaitNanos(pool, nanos);
  }

  @Override
  public void taskSettled(String pool, TaskOutcome outcome) {
    for (MetricsRecorder r : recorders) r.taskSettled(pool, outcome);
  }

  @Override
  public void gauge(Gauge gauge, String scope, DoubleSupplier value) {
    for (MetricsRecorder r : recorders) r.gauge(gauge, scope, value);
  }

  @Override
  public void gauge(Gauge gauge, String scope, String name, DoubleSupplier value) {
    for (MetricsRecorder r : recorders) r.gauge(gauge, scope, name, value);
  }
}
