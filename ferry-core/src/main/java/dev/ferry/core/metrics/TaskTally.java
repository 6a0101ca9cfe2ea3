package dev.ferry.core.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The recording implementation of the SPI's task events for one pool: submits, how each task ended, the time tasks
 * waited in the queue, and the executor's admitted and ended tasks. {@code LivePool.metrics()} is built from one
 * (the pool tells it under its own lock, so its snapshot is consistent); a library user can attach one to any
 * pool's recorder to count the same. The scope arguments are ignored: give a tally the events of one pool.
 *
 * <p>Threadsafe: lock-free adders, and a compare-and-set for the longest queue wait.
 */
public final class TaskTally implements MetricsRecorder {
  private final LongAdder submitted = new LongAdder();
  private final Map<TaskOutcome, LongAdder> settled = new EnumMap<>(TaskOutcome.class);
  private final LongAdder queueWaitNanos = new LongAdder();
  private final AtomicLong queueWaitMaxNanos = new AtomicLong();
  private final LongAdder admitted = new LongAdder();
  private final LongAdder ended = new LongAdder();
  private final LongAdder runNanos = new LongAdder();

  public TaskTally() {
    for (TaskOutcome o : TaskOutcome.values()) settled.put(o, new LongAdder()); // filled once: read-only after
  }

  @Override
  public void taskSubmitted(String pool) {
    submitted.increment();
  }

  @Override
  public void recordQueueWaitNanos(String pool, long nanos) {
    queueWaitNanos.add(nanos);
    queueWaitMaxNanos.accumulateAndGet(nanos, Math::max);
  }

  @Override
  public void taskSettled(String pool, TaskOutcome outcome) {
    settled.get(outcome).increment();
  }

  @Override
  public void taskAdmitted(String executor, long waitNanos) {
    admitted.increment();
  }

  @Override
  public void taskEnded(String executor, long nanos) {
    ended.increment();
    runNanos.add(nanos);
  }

  /** Tasks submitted (rejected ones included). */
  public long submitted() {
    return submitted.sum();
  }

  /** Tasks that ended in {@code outcome}. */
  public long settled(TaskOutcome outcome) {
    return settled.get(outcome).sum();
  }

  /** Time tasks spent in the queue, summed over those that left it to run. */
  public long queueWaitNanos() {
    return queueWaitNanos.sum();
  }

  /** The longest time one task spent in the queue. */
  public long queueWaitMaxNanos() {
    return queueWaitMaxNanos.get();
  }

  /** Tasks the executor admitted and that have not ended yet (caller-run tasks are not the executor's). */
  public long inFlight() {
    long e = ended.sum(); // first: a task counted ended was admitted before, so the difference is never negative
    return admitted.sum() - e;
  }

  /** Time the executor's tasks that ended ran, summed. */
  public long runNanos() {
    return runNanos.sum();
  }
}
