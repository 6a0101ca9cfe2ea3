package dev.ferry.core.engine;

import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of one run, read by the progress bar. Threadsafe (lock-free adders). */
public final class JobProgress {
  private final LongAdder done = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final AtomicInteger rowsInFlight = new AtomicInteger();

  void settled(RowOutcome o) {
    if (o.outcome() == Outcome.DONE) done.increment();
    else if (o.outcome() == Outcome.FAILED) failed.increment();
    else invalid.increment();
  }

  void settledMany(long doneRows, long failedRows, long invalidRows) {
    if (doneRows > 0) done.add(doneRows);
    if (failedRows > 0) failed.add(failedRows);
    if (invalidRows > 0) invalid.add(invalidRows);
  }

  void rowStarted() {
    rowsInFlight.incrementAndGet();
  }

  void rowEnded() {
    rowsInFlight.decrementAndGet();
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

  public int rowsInFlight() {
    return rowsInFlight.get();
  }
}
