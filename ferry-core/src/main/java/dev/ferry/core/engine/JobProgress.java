package dev.ferry.core.engine;

import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.Outcome;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one run, read by the progress bar, the report, {@code --timeline} and bench: the in-process
 * {@link MetricsRecorder} of the run's row events. {@link BulkJobRunner} reports its rows' outcomes and chunks to it
 * through the SPI, next to the recorder of {@link RunOptions#metrics()}, and its executor (the
 * {@link MetricsRecorder#ROWS} one) reports the tasks it admits and ends: the rows in flight. Threadsafe (lock-free
 * adders).
 */
public final class JobProgress implements MetricsRecorder {
  private final LongAdder done = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder chunksDone = new LongAdder();
  private final AtomicInteger rowsInFlight = new AtomicInteger();

  @Override
  public void rowSettled(Outcome outcome) {
    counter(outcome).increment();
  }

  @Override
  public void rowsSettled(Outcome outcome, long rows) {
    if (rows > 0) counter(outcome).add(rows);
  }

  private LongAdder counter(Outcome outcome) {
    return switch (outcome) {
      case DONE -> done;
      case FAILED -> failed;
      case INVALID -> invalid;
    };
  }

  @Override
  public void taskAdmitted(String executor, long waitNanos) {
    if (ROWS.equals(executor)) rowsInFlight.incrementAndGet();
  }

  @Override
  public void taskEnded(String executor, long runNanos) {
    if (ROWS.equals(executor)) rowsInFlight.decrementAndGet();
  }

  @Override
  public void chunkDone() {
    chunksDone.increment();
  }

  public long done() {
    return done.sum();
  }

  public long failed() {
    return failed.sum();
  }

  public long invalid() {
    return invalid.sum();
  }

  /** Rows settled by this run. */
  public long settled() {
    return done.sum() + failed.sum() + invalid.sum();
  }

  /** Rows admitted by the executor and not ended yet. */
  public int rowsInFlight() {
    return rowsInFlight.get();
  }

  /** Chunks this run marked DONE. */
  public long chunksDone() {
    return chunksDone.sum();
  }
}
