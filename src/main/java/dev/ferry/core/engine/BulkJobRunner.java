package dev.ferry.core.engine;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.WallClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a planned bulk job: {@code workers} chunks at once; outcomes go to the ledger through a
 * {@link LedgerWriter}. Three ways to run a chunk's rows:
 * <ul>
 *   <li><b>fixed concurrency</b> (the seed's semantics): each chunk has at most {@code concurrency} rows in
 *       flight, so at most workers × concurrency in all, every row on its own virtual thread;</li>
 *   <li><b>adaptive concurrency</b> ({@link RunOptions#rowLimiter()} set): one {@link ConcurrencyLimiter}
 *       shared by all workers bounds the rows in flight of the whole run, and its limit follows the
 *       target. {@code workers} is then how many chunks are open at once: rows are taken from any open
 *       chunk, so at least two keep the limit filled while one chunk waits for its last rows; more only
 *       add chunks in progress (leased, in doubt after a crash);</li>
 *   <li><b>inline</b> (a {@linkplain RowProcessor#sideEffectFree() side-effect-free} processor, i.e. a dry
 *       run): each worker runs its chunk's rows itself, one after the other, and records the chunk in one
 *       transaction when it completes ({@link JobStore#sealChunk}: problems row by row, DONE rows as a
 *       count). Workers run in parallel, so more workers are never slower than one.</li>
 * </ul>
 *
 * <p>Concurrency: each worker thread owns the chunk it claimed; rows share only the processor (threadsafe),
 * the ledger writer, the row limiter and the progress counters (all threadsafe). A chunk is marked DONE only
 * after (1) every one of its rows settled in this pass and (2) the ledger flushed them (or, inline, they
 * are written in the same transaction), so a DONE chunk never hides a row without an outcome.
 * {@code stopReason} is set once (first reason wins); after it is set, no new row starts and no chunk is
 * claimed.
 *
 * <p>Use once: {@link #run()} may be called a single time. {@link #requestStop} is threadsafe.
 */
public final class BulkJobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BulkJobRunner.class);

  private final JobStore store;
  private final String jobId;
  private final ChunkSource source;
  private final RowProcessor processor;
  private final RunOptions options;
  private final WallClock clock;
  private final JobProgress progress = new JobProgress();
  private final AtomicReference<String> stopReason = new AtomicReference<>();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final Map<Integer, String> heldChunks = new ConcurrentHashMap<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Virtual threads of the rows in flight, so a stop whose grace period ran out can interrupt them. */
  private final Set<Thread> rowThreads = ConcurrentHashMap.newKeySet();

  public BulkJobRunner(JobStore store, String jobId, ChunkSource source, RowProcessor processor,
      RunOptions options, WallClock clock) {
    this.store = Objects.requireNonNull(store, "store cannot be null");
    this.jobId = Objects.requireNonNull(jobId, "jobId cannot be null");
    this.source = Objects.requireNonNull(source, "source cannot be null");
    this.processor = Objects.requireNonNull(processor, "processor cannot be null");
    this.options = Objects.requireNonNull(options, "options cannot be null");
    this.clock = Objects.requireNonNull(clock, "clock cannot be null");
  }

  public JobProgress progress() {
    return progress;
  }

  /** Asks the run to stop: no new rows start; rows in flight finish and are recorded. First reason wins. */
  public void requestStop(String reason) {
    if (stopReason.compareAndSet(null, reason)) {
      LOG.debug("stop requested: {}", reason);
    }
  }

  /**
   * Interrupts the rows still in flight (a stop whose grace period ran out). An interrupted row gets no
   * outcome: it stays pending and {@code resume} sends it again with the same idempotency key. Threadsafe.
   */
  public void abortInFlight() {
    requestStop("interrupted");
    for (Thread t : rowThreads) t.interrupt();
  }

  public boolean stopping() {
    return stopReason.get() != null;
  }

  /** Waits until {@link #run()} has returned (used by a shutdown hook). */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return finished.await(timeout, unit);
  }

  /**
   * Processes chunks until none is left to claim or the run is stopped.
   *
   * @return how the run ended
   * @throws InterruptedException if the calling thread is interrupted
   */
  public RunResult run() throws InterruptedException {
    try (LedgerWriter ledger = new LedgerWriter(store, jobId, options.flushBatch(),
        options.flushInterval().toNanos())) {
      Thread heartbeat = Thread.ofVirtual().name("ferry-heartbeat").start(this::heartbeatLoop);
      Thread[] workers = new Thread[options.workers()];
      for (int w = 0; w < workers.length; w++) {
        String workerId = options.workerId() + "/w" + w;
        workers[w] = Thread.ofVirtual().name("ferry-worker-" + w).start(() -> workerLoop(workerId, ledger));
      }
      try {
        for (Thread t : workers) t.join();
      } catch (InterruptedException e) {
        requestStop("interrupted");
        for (Thread t : workers) t.join();
        throw e;
      } finally {
        heartbeat.interrupt();
      }
      try {
        ledger.flush();
      } catch (StoreException e) {
        requestStop(storeMessage(e));
      }
    } catch (StoreException e) {
      requestStop(storeMessage(e));
    } finally {
      finished.countDown();
    }
    return new RunResult(stopReason.get(), progress.settled());
  }

  private static String storeMessage(StoreException e) {
    return "the state store failed: " + e.getMessage();
  }

  private void workerLoop(String workerId, LedgerWriter ledger) {
    try {
      while (!stopping()) {
        Optional<ChunkRecord> claimed = store.claimChunk(jobId, workerId, options.lease(), clock.millis());
        if (claimed.isEmpty()) return;
        ChunkSpec chunk = claimed.get().spec();
        heldChunks.put(chunk.index(), workerId);
        try {
          if (processor.sideEffectFree()) {
            runInline(chunk, workerId);
            continue;
          }
          boolean complete = processChunk(chunk, ledger);
          if (complete) {
            ledger.flush();
            heldChunks.remove(chunk.index()); // the heartbeat stops renewing it before the store settles it
            if (!store.completeChunk(jobId, chunk.index(), workerId)) {
              LOG.warn("chunk {} was taken over by another worker after its lease expired", chunk.index());
            }
          } else {
            ledger.flush();
            heldChunks.remove(chunk.index());
            store.releaseChunk(jobId, chunk.index(), workerId);
          }
        } finally {
          heldChunks.remove(chunk.index());
        }
      }
    } catch (StoreException e) {
      requestStop(storeMessage(e));
    } catch (InterruptedException e) {
      requestStop("interrupted");
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      requestStop("cannot read the input: " + e.getMessage());
    } catch (Throwable t) {
      LOG.error("worker {} failed", workerId, t);
      requestStop("internal error in a worker: " + t);
    }
  }

  /**
   * Runs a side-effect-free chunk on this thread and seals it: problems are written row by row and DONE
   * rows as a count, with the chunk, in one transaction. Stopped early, nothing of this pass is written
   * (redoing it is free) and the chunk is released.
   */
  private void runInline(ChunkSpec chunk, String workerId) throws IOException, InterruptedException {
    BitSet settled = store.settledRows(jobId, chunk);
    List<RowOutcome> problems = new ArrayList<>();
    long done = 0;
    long failed = 0;
    long invalid = 0;
    long seen = 0;
    try (ChunkSource.RowCursor cursor = source.open(chunk)) {
      RowInput row;
      while ((row = cursor.next()) != null) {
        int offset = (int) (row.row() - chunk.firstRow());
        seen++;
        if (offset < 0 || offset >= chunk.rowCount()) {
          throw new IOException("input changed: row " + row.row() + " is outside chunk " + chunk.index());
        }
        if (settled.get(offset)) continue;
        RowOutcome outcome;
        try {
          outcome = processor.process(row);
        } catch (StopJobException e) {
          requestStop(e.getMessage());
          break;
        }
        switch (outcome.outcome()) {
          case DONE -> done++;
          case FAILED -> {
            failed++;
            problems.add(outcome);
          }
          case INVALID -> {
            invalid++;
            problems.add(outcome);
          }
        }
        if ((seen & 255) == 0 && stopping()) break;
      }
    }
    if (stopping()) {
      store.releaseChunk(jobId, chunk.index(), workerId);
      return;
    }
    if (seen < chunk.rowCount()) {
      throw new IOException("input changed: chunk " + chunk.index() + " ended after " + seen + " of "
          + chunk.rowCount() + " rows");
    }
    if (store.sealChunk(jobId, chunk.index(), workerId, problems)) {
      progress.settledMany(done, failed, invalid);
    } else {
      LOG.warn("chunk {} was taken over by another worker after its lease expired", chunk.index());
    }
  }

  /** Returns true when every row of the chunk is settled. */
  private boolean processChunk(ChunkSpec chunk, LedgerWriter ledger) throws IOException, InterruptedException {
    BitSet settled = store.settledRows(jobId, chunk);
    int toDo = chunk.rowCount() - settled.cardinality();
    if (toDo == 0) return true;
    ConcurrencyLimiter shared = options.rowLimiter();
    Semaphore perChunk = shared == null ? new Semaphore(options.concurrency()) : null;
    Semaphore ended = new Semaphore(0); // one permit per row that ended
    AtomicInteger settledNow = new AtomicInteger();
    int started = 0;
    long seen = 0;
    try (ChunkSource.RowCursor cursor = source.open(chunk)) {
      RowInput row;
      while (!stopping() && (row = cursor.next()) != null) {
        int offset = (int) (row.row() - chunk.firstRow());
        seen++;
        if (offset < 0 || offset >= chunk.rowCount()) {
          throw new IOException("input changed: row " + row.row() + " is outside chunk " + chunk.index());
        }
        if (settled.get(offset)) continue;
        if (ledger.failure() != null) {
          requestStop(storeMessage(ledger.failure())); // stop sending rows whose outcome cannot be recorded
          break;
        }
        if (shared != null) shared.acquire();
        else perChunk.acquire();
        if (stopping()) {
          if (shared != null) shared.release();
          else perChunk.release();
          break;
        }
        started++;
        RowInput input = row;
        progress.rowStarted();
        Thread rowThread = Thread.ofVirtual().unstarted(() -> {
          try {
            RowOutcome outcome = processor.process(input);
            ledger.add(outcome);
            progress.settled(outcome);
            settledNow.incrementAndGet();
            countFailure(outcome);
          } catch (StopJobException e) {
            requestStop(e.getMessage());
          } catch (InterruptedException e) {
            requestStop("interrupted");
          } catch (Throwable t) {
            LOG.error("row {} (line {}) failed unexpectedly", input.row(), input.line(), t);
            RowOutcome outcome = new RowOutcome(input.row(), input.chunk(), input.line(), Outcome.FAILED, true,
                "", "internal", 0, "internal_error", t.getClass().getSimpleName(), "", "");
            ledger.add(outcome);
            progress.settled(outcome);
            settledNow.incrementAndGet();
          } finally {
            rowThreads.remove(Thread.currentThread());
            progress.rowEnded();
            if (shared != null) shared.release();
            else perChunk.release();
            ended.release();
          }
        });
        rowThreads.add(rowThread);
        rowThread.start();
      }
    } finally {
      ended.acquireUninterruptibly(started);
    }
    if (!stopping() && seen < chunk.rowCount()) {
      throw new IOException("input changed: chunk " + chunk.index() + " ended after " + seen + " of "
          + chunk.rowCount() + " rows");
    }
    return settledNow.get() == toDo && started == toDo;
  }

  private void countFailure(RowOutcome outcome) {
    if (outcome.outcome() == Outcome.DONE) {
      consecutiveFailures.set(0);
    } else if (outcome.outcome() == Outcome.FAILED) {
      int n = consecutiveFailures.incrementAndGet();
      int max = options.maxConsecutiveFailures();
      if (max > 0 && n >= max) {
        requestStop(n + " rows failed in a row (last: line " + outcome.line() + ", " + outcome.step() + ": "
            + outcome.message() + "); fix the cause and run 'ferry resume " + jobId + "'");
      }
    }
  }

  private void heartbeatLoop() {
    long periodMillis = Math.max(1000, options.lease().toMillis() / 3);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Sleeper.system().sleepNanos(periodMillis * 1_000_000L);
        for (Map.Entry<Integer, String> e : heldChunks.entrySet()) {
          if (!store.renewLease(jobId, e.getKey(), e.getValue(), options.lease(), clock.millis())
              && heldChunks.containsKey(e.getKey())) { // not a chunk its worker completed meanwhile
            LOG.warn("lost the lease on chunk {}", e.getKey());
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable t) {
        LOG.warn("lease heartbeat failed: {}", t.toString());
      }
    }
  }

  /**
   * How a run ended. Immutable.
   *
   * @param stopReason null when the run processed every claimable chunk; else why it stopped
   * @param rowsSettled rows that got an outcome in this run
   */
  public record RunResult(String stopReason, long rowsSettled) {
    public boolean stopped() {
      return stopReason != null;
    }
  }
}
