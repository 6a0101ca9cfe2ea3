package dev.ferry.testing;

import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.metrics.TaskOutcome;
import dev.ferry.core.spi.Outcome;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.DoubleSupplier;

/**
 * A {@link MetricsRecorder} that writes down every event as a short string ("rowSettled DONE",
 * "recordCallNanos host:port step 201") and keeps the registered gauges, for tests of what a component reports.
 * Threadsafe.
 */
public final class RecordingMetrics implements MetricsRecorder {
  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();

  /** Every event so far, in the order recorded. */
  public List<String> events() {
    return List.copyOf(events);
  }

  /** How many events equal {@code event}. */
  public long count(String event) {
    return events.stream().filter(event::equals).count();
  }

  /** The value of a registered gauge now. @throws IllegalStateException when none was registered */
  public double gauge(Gauge gauge, String scope) {
    DoubleSupplier s = gauges.get(gauge + " " + scope);
    if (s == null) throw new IllegalStateException("no gauge " + gauge + " " + scope + " in " + gauges.keySet());
    return s.getAsDouble();
  }

  /** The registered gauges, as "GAUGE scope". */
  public Set<String> gauges() {
    return Set.copyOf(gauges.keySet());
  }

  @Override
  public void taskAdmitted(String executor, long waitNanos) {
    events.add("taskAdmitted " + executor);
  }

  @Override
  public void taskEnded(String executor, long runNanos) {
    events.add("taskEnded " + executor);
  }

  @Override
  public void rowSettled(Outcome outcome) {
    events.add("rowSettled " + outcome);
  }

  @Override
  public void rowsSettled(Outcome outcome, long rows) {
    events.add("rowsSettled " + outcome + " " + rows);
  }

  @Override
  public void chunkDone() {
    events.add("chunkDone");
  }

  @Override
  public void requestStarted(String target) {
    events.add("requestStarted " + target);
  }

  /** Recorded without its duration: "rateWaitNanos target". */
  @Override
  public void rateWaitNanos(String target, long nanos) {
    events.add("rateWaitNanos " + target);
  }

  @Override
  public void recordCallNanos(String target, String step, int status, long nanos) {
    events.add("recordCallNanos " + target + " " + step + " " + status);
  }

  @Override
  public void throttled(String target) {
    events.add("throttled " + target);
  }

  @Override
  public void retry(String target) {
    events.add("retry " + target);
  }

  @Override
  public void timeout(String target) {
    events.add("timeout " + target);
  }

  @Override
  public void connectionError(String target) {
    events.add("connectionError " + target);
  }

  @Override
  public void taskSubmitted(String pool) {
    events.add("taskSubmitted " + pool);
  }

  @Override
  public void recordQueueWaitNanos(String pool, long nanos) {
    events.add("recordQueueWaitNanos " + pool + " " + nanos);
  }

  @Override
  public void taskSettled(String pool, TaskOutcome outcome) {
    events.add("taskSettled " + pool + " " + outcome);
  }

  @Override
  public void gauge(Gauge gauge, String scope, DoubleSupplier value) {
    gauges.put(gauge + " " + scope, value);
  }
}
