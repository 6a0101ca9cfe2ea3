package dev.ferry.core.engine;

import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * Writes row outcomes to the store in batches: at most {@code flushBatch} per transaction and at most
 * {@code flushInterval} after an outcome was added. This bounds the rows in doubt after {@code kill -9} to
 * the rows in flight plus one interval's worth of settled rows (DESIGN: those are re-sent with the same
 * idempotency key and counted once).
 *
 * <p>Concurrency: {@code buffer} is guarded by {@code bufferLock}; writing to the store is serialised by
 * {@code flushLock}, taken before the buffer is swapped, so a {@link #flush()} that returns has written every
 * outcome added before it was called (either itself, or a concurrent flush it waited for).
 */
final class OutcomeBatcher implements AutoCloseable {
  private static final Logger LOG = org.slf4j.LoggerFactory.getLogger(OutcomeBatcher.class);
  private final JobStore store;
  private final String jobId;
  private final int flushBatch;
  private final long flushIntervalNanos;
  private final ReentrantLock bufferLock = new ReentrantLock();
  private final Condition full = bufferLock.newCondition();
  private final ReentrantLock flushLock = new ReentrantLock();
  /** @GuardedBy("bufferLock") */
  private List<RowOutcome> buffer = new ArrayList<>();
  private volatile boolean closed;
  private volatile StoreException failure;
  private final Thread flusher;

  OutcomeBatcher(JobStore store, String jobId, int flushBatch, long flushIntervalNanos) {
    this.store = store;
    this.jobId = jobId;
    this.flushBatch = flushBatch;
    this.flushIntervalNanos = flushIntervalNanos;
    this.flusher = Thread.ofVirtual().name("ferry-ledger-" + jobId).start(this::flushLoop);
  }

  /** Queues an outcome; blocks only while a full batch is being handed to the flusher. */
  void add(RowOutcome outcome) {
    bufferLock.lock();
    try {
      buffer.add(outcome);
      if (buffer.size() >= flushBatch) full.signal();
    } finally {
      bufferLock.unlock();
    }
  }

  /** Writes everything added so far. @throws StoreException if this or an earlier write failed */
  void flush() {
    flushLock.lock();
    try {
      List<RowOutcome> batch;
      bufferLock.lock();
      try {
        batch = buffer;
        buffer = new ArrayList<>();
      } finally {
        bufferLock.unlock();
      }
      if (failure != null) throw failure;
      for (int from = 0; from < batch.size(); from += flushBatch) {
        try {
          store.recordOutcomes(jobId, batch.subList(from, Math.min(batch.size(), from + flushBatch)));
        } catch (StoreException e) {
          failure = e;
          throw e;
        }
      }
    } finally {
      flushLock.unlock();
    }
  }

  /** The first store failure, or null. */
  StoreException failure() {
    return failure;
  }

  private void flushLoop() {
    while (!closed) {
      try {
        bufferLock.lock();
        try {
          if (buffer.size() < flushBatch) {
            full.awaitNanos(flushIntervalNanos);
          }
        } finally {
          bufferLock.unlock();
        }
        if (failure == null) flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (StoreException e) {
        LOG.debug("ledger write failed", e);
        // remembered in 'failure'; the runner stops the job
      } catch (Throwable t) {
        LOG.error("ledger flusher failed", t);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    flusher.interrupt();
    try {
      flusher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure == null) flush();
  }
}
