package dev.ferry.core.engine;

import dev.ferry.core.exec.Admission;
import dev.ferry.core.exec.Deadline;
import dev.ferry.core.exec.TaskExecutor;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OpenChunks;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.Scheduler;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a planned bulk job: a source of chunks plus the ledger that feeds the executor. {@code workers} workers
 * claim chunks and submit each row to a {@link TaskExecutor} (the same executor the live pool runs on: admission,
 * a virtual thread per row); outcomes go to the ledger through a {@link OutcomeBatcher}. Three ways to run a
 * chunk's rows:
 * <ul>
 *   <li><b>fixed concurrency</b> (the seed's semantics): each worker's executor admits at most
 *       {@code concurrency} rows in flight ({@link Admission#fixed}, shared by every chunk it has open), so at most
 *       workers × concurrency in all, every row on its own virtual thread;</li>
 *   <li><b>adaptive concurrency</b> ({@link RunOptions#rowLimiter()} set): one executor whose admission is the
 *       {@link dev.ferry.core.limit.ConcurrencyLimiter} shared by all workers bounds the rows in flight of the
 *       whole run, and its limit follows the target. {@code workers} is then how many chunks are being started at
 *       once;</li>
 *   <li><b>inline</b> (a {@linkplain RowProcessor#sideEffectFree() side-effect-free} processor, i.e. a dry
 *       run): each worker runs its chunk's rows itself, one after the other, and records the chunk in one
 *       transaction when it completes ({@link JobStore#sealChunk}: problems row by row, DONE rows as a
 *       count). Workers run in parallel, so more workers are never slower than one.</li>
 * </ul>
 * In the first two, a worker that has started every row of its chunk claims the next one at once, while the
 * rows of the previous one drain (no chunk barrier: a worker never idles on the slowest row of a chunk); the
 * permits above, not the chunks, bound the rows in flight. A chunk's own finisher thread settles it when its
 * last row ended.
 *
 * <p>With a {@linkplain RunOptions#rowTimeout() row timeout}, each row runs against a {@link Deadline} (the
 * executor's {@code TimedRun}, the live pool's task timeout): a row still running then is interrupted and recorded
 * failed, retryable, {@code row_timeout}, unless its own outcome came back done; {@code resume} sends it again. The
 * executor tells the metrics SPI about every row it admits and ends ({@link MetricsRecorder#ROWS}); the runner adds
 * the outcomes and the chunks done.
 *
 * <p>Concurrency: each worker thread owns the chunks it claimed (held in {@code heldChunks}, whose leases the
 * heartbeat renews, until their finisher settles them); rows share only the processor (threadsafe), the ledger
 * writer, the executors' admissions and the metrics recorders (all threadsafe). A row's permit is given back before
 * its pass counts it ended ({@link TaskExecutor#execute(Runnable, Runnable)}), so once a chunk's finisher saw every
 * row end, their permits are back too. A chunk is marked DONE only
 * after (1) every one of its rows without an outcome settled in this pass and (2) the ledger flushed them (or,
 * inline, they are written in the same transaction), so a DONE chunk never hides a row without an outcome; a
 * chunk whose rows did not all settle is released. A worker returns only after the finishers of its chunks
 * returned, so {@link #run()} returns with every chunk it claimed settled or released.
 * {@code stopReason} is set once (first reason wins); after it is set, no new row starts and no chunk is
 * claimed.
 *
 * <p>Waiting for chunks other processes hold ({@link RunOptions#waitForHeldChunks()}, distributed mode): a worker
 * that finds nothing to claim returns only once {@link JobStore#openChunks} shows no chunk PENDING and none LEASED by
 * another process (or on a stop): every chunk is then DONE or this process's own, which its finishers settle or
 * release before {@link #run()} returns. Until then it sleeps until just after the earliest of those leases runs out
 * (at most {@value #MAX_POLL_MILLIS} ms or a third of the lease, at least {@value #MIN_POLL_MILLIS} ms) and claims
 * again, so a chunk whose process died is taken over as its lease expires, and one another process released is taken
 * at the next poll. Claims are
 * atomic in the store: of several waiting workers (of any processes) racing for one expired chunk, one gets it and the
 * others see it held again under the winner's new lease. A waiting worker starts no row; the finishers of its chunks
 * still draining and the lease heartbeat go on beside it; a stop wakes it at once ({@code stopSignal}).
 * {@code waitingWorkers} counts the workers in such a wait; the one that raises it from 0 tells
 * {@link RunOptions#chunkWaits()}, so a wait is told once, not per poll. Once every worker waits and no row is in
 * flight the listener is told the run is idle (once, {@code idle} under {@code idleLock}), and before the first row of a
 * chunk claimed after that, busy again: that call runs under {@code idleLock}, so no other worker's row starts first.
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
  /** Fires the rows' deadlines ({@link RunOptions#rowTimeout()}). */
  private final Scheduler scheduler;
  private final JobProgress progress = new JobProgress();
  /** The run's progress and the recorder of {@link RunOptions#metrics()}: every row and chunk event goes here. */
  private final MetricsRecorder metrics;
  private final AtomicReference<String> stopReason = new AtomicReference<>();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final Map<Integer, String> heldChunks = new ConcurrentHashMap<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Opened by the first {@link #requestStop}: wakes the workers waiting for chunks other processes hold. */
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  /** Sleeps of the workers waiting for chunks held by other processes; the default wakes on a stop. */
  private final Sleeper heldChunkWaits;
  /** The prefix of this run's worker ids ({@code workerId + "/w" + n}): its own leases, not waited for. */
  private final String ownLeasePrefix;
  /** Workers waiting for chunks held by other processes now (see the class comment). */
  private final AtomicInteger waitingWorkers = new AtomicInteger();
  /** When the current wait of this process began (wall-clock millis); valid while waitingWorkers > 0. */
  private final AtomicLong waitStartedMillis = new AtomicLong();
  /** Wall-clock millis this process spent with at least one worker waiting, over the ended waits. */
  private final AtomicLong waitedMillis = new AtomicLong();
  /**
   * Chunks claimed after a wait, before the next empty claim: taken over after their lease ran out, or released by a
   * process that stopped.
   */
  private final AtomicInteger chunksAfterWait = new AtomicInteger();
  /**
   * True from when every worker waits with no row in flight ({@link ChunkWaitListener#idle}) until a worker claims a
   * chunk and {@link ChunkWaitListener#busyAgain} returned; read and written under {@code idleLock}, so a worker
   * that claims while another runs busyAgain waits for it before its rows start.
   */
  private boolean idle;
  private final Object idleLock = new Object();
  /** Virtual threads of the rows in flight, so a stop whose grace period ran out can interrupt them. */
  private final Set<Thread> rowThreads = ConcurrentHashMap.newKeySet();
  /** Makes a row's thread and registers it in {@code rowThreads} before it starts. */
  private final java.util.concurrent.ThreadFactory rowThreadFactory = r -> {
    Thread t = Thread.ofVirtual().unstarted(r);
    rowThreads.add(t);
    return t;
  };
  /** Adaptive concurrency: the one executor of every worker's rows; null with fixed concurrency. */
  private final TaskExecutor sharedRows;

  public BulkJobRunner(JobStore store, String jobId, ChunkSource source, RowProcessor processor,
      RunOptions options, WallClock clock) {
    this(store, jobId, source, processor, options, clock, dev.ferry.core.pool.Scheduler.system());
  }

  /** @param scheduler fires the rows' deadlines ({@link RunOptions#rowTimeout()}; tests: virtual time) */
  public BulkJobRunner(JobStore store, String jobId, ChunkSource source, RowProcessor processor,
      RunOptions options, WallClock clock, Scheduler scheduler) {
    this(store, jobId, source, processor, options, clock, scheduler, null);
  }

  /**
   * The seam tests use for the waits for chunks held by other processes: {@code heldChunkWaits} sleeps them (virtual
   * time: advancing {@code clock} too); null for real sleeps that a stop cuts short.
   */
  BulkJobRunner(JobStore store, String jobId, ChunkSource source, RowProcessor processor, RunOptions options,
      WallClock clock, Scheduler scheduler, Sleeper heldChunkWaits) {
    this.heldChunkWaits = heldChunkWaits != null ? heldChunkWaits
        : nanos -> stopSignal.await(nanos, TimeUnit.NANOSECONDS);
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler cannot be null");
    this.store = Objects.requireNonNull(store, "store cannot be null");
    this.jobId = Objects.requireNonNull(jobId, "jobId cannot be null");
    this.source = Objects.requireNonNull(source, "source cannot be null");
    this.processor = Objects.requireNonNull(processor, "processor cannot be null");
    this.options = Objects.requireNonNull(options, "options cannot be null");
    this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    this.metrics = MetricsRecorder.composite(progress, options.metrics());
    this.ownLeasePrefix = options.workerId() + "/";
    this.sharedRows = options.rowLimiter() == null ? null
        : new TaskExecutor(Admission.adaptive(options.rowLimiter()), rowThreadFactory)
            .reporting(MetricsRecorder.ROWS, metrics);
  }

  /** This run's counters (fed through the metrics SPI, like the recorder of {@link RunOptions#metrics()}). */
  public JobProgress progress() {
    return progress;
  }

  /** Asks the run to stop: no new rows start; rows in flight finish and are recorded. First reason wins. */
  public void requestStop(String reason) {
    if (stopReason.compareAndSet(null, reason)) {
      LOG.debug("stop requested: {}", reason);
      stopSignal.countDown();
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
   * Processes chunks until every chunk is DONE or held by this run, or the run is stopped. When nothing is left to
   * claim but other processes hold chunks, it waits for them and takes over those whose lease runs out (unless
   * {@link RunOptions#waitForHeldChunks()} is off: then it returns).
   *
   * @return how the run ended
   * @throws InterruptedException if the calling thread is interrupted
   */
  public RunResult run() throws InterruptedException {
    if (!processor.sideEffectFree()) {
      options.metrics().gauge(Gauge.CONCURRENCY_LIMIT, jobId, options::maxRowsInFlight);
    }
    try (OutcomeBatcher ledger = new OutcomeBatcher(store, jobId, options.flushBatch(),
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
    return new RunResult(stopReason.get(), progress.settled(), waitedMillis.get(), chunksAfterWait.get());
  }

  private static String storeMessage(StoreException e) {
    return "the state store failed: " + e.getMessage();
  }

  private void workerLoop(String workerId, OutcomeBatcher ledger) {
    // Fixed concurrency: this worker's rows in flight, over every chunk it has open (one being started, the
    // ones before it draining), so workers x concurrency bounds the whole run.
    TaskExecutor rows = sharedRows != null ? sharedRows
        : new TaskExecutor(Admission.fixed(options.concurrency()), rowThreadFactory)
            .reporting(MetricsRecorder.ROWS, metrics);
    List<Thread> finishers = new ArrayList<>();
    boolean waiting = false;
    boolean afterWait = false; // claims since a wait ended, until the next empty claim: chunks that were not pending
    try {
      while (!stopping()) {
        Optional<ChunkRecord> claimed = store.claimChunk(jobId, workerId, options.lease(), clock.millis());
        if (claimed.isEmpty()) {
          afterWait = false;
          OpenChunks open = options.waitForHeldChunks() ? store.openChunks(jobId, ownLeasePrefix) : OpenChunks.NONE;
          if (open.none()) return; // every chunk DONE or this process's own: nothing to wait for
          if (!waiting && open.heldByOthers() > 0) { // a pending one only: another worker was taking it, poll soon
            waiting = true;
            beginWait(open);
          }
          if (waiting) noteIdle();
          heldChunkWaits.sleepNanos(pollMillis(open, options.lease().toMillis(), clock.millis()) * 1_000_000L);
          continue;
        }
        if (waiting) {
          waiting = false;
          afterWait = true;
          endWait();
        }
        if (afterWait) chunksAfterWait.incrementAndGet();
        busyAgain();
        ChunkSpec chunk = claimed.get().spec();
        heldChunks.put(chunk.index(), workerId);
        if (processor.sideEffectFree()) {
          try {
            runInline(chunk, workerId);
          } finally {
            heldChunks.remove(chunk.index());
          }
          continue;
        }
        ChunkPass pass = null;
        try {
          BitSet settled = store.settledRows(jobId, chunk);
          pass = new ChunkPass(chunk, chunk.rowCount() - settled.cardinality());
          startRows(pass, settled, ledger, rows);
        } finally {
          if (pass == null) {
            heldChunks.remove(chunk.index());
          } else {
            // Whether or not every row started, the chunk is settled by its finisher once its rows ended, while
            // this worker claims its next chunk: no worker waits for the slowest row of its last chunk.
            ChunkPass started = pass;
            finishers.removeIf(t -> !t.isAlive());
            finishers.add(Thread.ofVirtual().name("ferry-chunk-" + chunk.index())
                .start(() -> finishChunk(started, workerId, ledger)));
          }
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
    } finally {
      if (waiting) endWait();
      for (Thread t : finishers) joinUninterruptibly(t);
    }
  }

  /** The shortest pause between two claims of a worker waiting for chunks other processes hold. */
  static final long MIN_POLL_MILLIS = 100;
  /**
   * The longest such pause (the period of the processes' heartbeats): a waiting process leaves within it once the last
   * holder finished, and takes a released chunk that soon. One aggregate query per waiting worker per poll.
   */
  static final long MAX_POLL_MILLIS = 2_000;

  /**
   * How long a worker that found nothing to claim sleeps before it claims again: until just after the earliest lease
   * of another process runs out (a claim takes a lease strictly after its expiry), at most a third of the lease and
   * at most {@value #MAX_POLL_MILLIS} ms (a released chunk, or chunks their live owner completed, are seen that soon),
   * at least {@value #MIN_POLL_MILLIS} ms;
   * that least when a chunk is still pending (another worker was taking it as this one looked). Pure.
   */
  static long pollMillis(OpenChunks open, long leaseMillis, long nowMillis) {
    if (open.pending() > 0 || open.heldByOthers() == 0) return MIN_POLL_MILLIS;
    long cap = Math.max(MIN_POLL_MILLIS, Math.min(MAX_POLL_MILLIS, leaseMillis / 3));
    return Math.clamp(open.firstLeaseEndMillis() + 1 - nowMillis, MIN_POLL_MILLIS, cap);
  }

  /** A worker starts waiting for chunks other processes hold: the first of this run's waiting workers tells it. */
  private void beginWait(OpenChunks open) {
    if (waitingWorkers.getAndIncrement() != 0) return;
    waitStartedMillis.set(clock.millis());
    LOG.debug("waiting for {} chunks held by other processes (leases end {}..{})", open.heldByOthers(),
        open.firstLeaseEndMillis(), open.lastLeaseEndMillis());
    try {
      options.chunkWaits().waiting(open);
    } catch (Throwable t) {
      LOG.warn("the chunk wait listener failed: {}", t.toString());
    }
  }

  /** Tells the listener once when every worker waits and no row is in flight (see {@code idle}). */
  private void noteIdle() {
    synchronized (idleLock) {
      if (idle || waitingWorkers.get() < options.workers() || progress.rowsInFlight() > 0) return;
      idle = true;
    }
    try {
      options.chunkWaits().idle();
    } catch (Throwable t) {
      LOG.warn("the chunk wait listener failed: {}", t.toString());
    }
  }

  /** Before a claimed chunk's rows: after an idle stretch, the listener's busyAgain, once, the other workers held. */
  private void busyAgain() throws InterruptedException {
    synchronized (idleLock) {
      if (!idle) return;
      try {
        options.chunkWaits().busyAgain();
      } catch (InterruptedException e) {
        throw e;
      } catch (Throwable t) {
        LOG.warn("the chunk wait listener failed: {}", t.toString());
      }
      idle = false;
    }
  }

  /** A worker's wait ended (it claimed a chunk, or it returns): the last one out adds the wait's length. */
  private void endWait() {
    if (waitingWorkers.decrementAndGet() == 0) {
      waitedMillis.addAndGet(Math.max(0, clock.millis() - waitStartedMillis.get()));
    }
  }

  /**
   * Settles a chunk once every row its pass started ended: flushes the ledger, then marks the chunk DONE when
   * every row without an outcome settled in this pass (so a DONE chunk never hides a row without an outcome),
   * else releases it for a later pass.
   */
  private void finishChunk(ChunkPass pass, String workerId, OutcomeBatcher ledger) {
    int index = pass.chunk().index();
    try {
      pass.awaitDrained();
      ledger.flush();
      heldChunks.remove(index); // the heartbeat stops renewing it before the store settles it
      if (pass.complete()) {
        if (store.completeChunk(jobId, index, workerId)) {
          metrics.chunkDone();
        } else {
          LOG.warn("chunk {} was taken over by another worker after its lease expired", index);
        }
      } else {
        store.releaseChunk(jobId, index, workerId);
      }
    } catch (StoreException e) {
      requestStop(storeMessage(e));
    } catch (Throwable t) {
      LOG.error("settling chunk {} failed", index, t);
      requestStop("internal error while settling a chunk: " + t);
    } finally {
      heldChunks.remove(index);
    }
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
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
      metrics.rowsSettled(Outcome.DONE, done);
      metrics.rowsSettled(Outcome.FAILED, failed);
      metrics.rowsSettled(Outcome.INVALID, invalid);
      metrics.chunkDone();
    } else {
      LOG.warn("chunk {} was taken over by another worker after its lease expired", chunk.index());
    }
  }

  /**
   * Submits each row of the pass's chunk that has no outcome yet to {@code rows} (which waits for admission, then
   * runs it on its own virtual thread), and returns when every such row started or the run is stopping. Rows in
   * flight keep running after it returned.
   */
  private void startRows(ChunkPass pass, BitSet settled, OutcomeBatcher ledger, TaskExecutor rows)
      throws IOException, InterruptedException {
    ChunkSpec chunk = pass.chunk();
    if (pass.toDo() == 0) {
      pass.allStarted(); // every row already has an outcome: nothing to read
      return;
    }
    long seen = 0;
    boolean reachedEnd = false;
    try (ChunkSource.RowCursor cursor = source.open(chunk)) {
      // A stop may come from the last row itself (a failure run ending on it) before this thread reads the end of
      // the chunk: whether every row was started depends on reaching the end, not on the stop, so the stop is
      // checked only before a row would start (rows that already have an outcome are read past).
      while (true) {
        RowInput row = cursor.next();
        if (row == null) {
          reachedEnd = true;
          break;
        }
        int offset = (int) (row.row() - chunk.firstRow());
        seen++;
        if (offset < 0 || offset >= chunk.rowCount()) {
          throw new IOException("input changed: row " + row.row() + " is outside chunk " + chunk.index());
        }
        if (settled.get(offset)) continue;
        if (stopping()) break;
        if (ledger.failure() != null) {
          requestStop(storeMessage(ledger.failure())); // stop sending rows whose outcome cannot be recorded
          return;
        }
        // Counted as started before its thread exists (the finisher waits for it to end); a row whose admission
        // came after a stop ends at once without an outcome (runRow), which leaves its chunk to be released.
        pass.rowStarted();
        RowInput input = row;
        try {
          rows.execute(() -> runRow(input, pass, ledger), pass.endRow);
        } catch (InterruptedException e) {
          pass.rowEnded(); // it never ran
          throw e;
        }
      }
    }
    if (!reachedEnd) return;
    if (seen < chunk.rowCount()) {
      throw new IOException("input changed: chunk " + chunk.index() + " ended after " + seen + " of "
          + chunk.rowCount() + " rows");
    }
    pass.allStarted();
  }

  /**
   * One row, on its own thread, holding an admission permit (given back after this returns, then the pass is told).
   * Under a row timeout the row runs against a {@link Deadline}: when it fires first the row is interrupted, and
   * unless it still ended {@code done} it is recorded as {@link #timedOut failed, retryable}.
   */
  private void runRow(RowInput input, ChunkPass pass, OutcomeBatcher ledger) {
    try {
      if (stopping()) return; // stopped while it waited for admission: no new row starts
      long timeoutNanos = options.rowTimeout().toNanos();
      Deadline deadline = timeoutNanos > 0 ? Deadline.start(scheduler, timeoutNanos) : null;
      RowOutcome outcome = null;
      Throwable thrown = null;
      try {
        outcome = processor.process(input);
      } catch (Throwable t) {
        thrown = t;
      } finally {
        if (deadline != null && deadline.end() && (outcome == null || outcome.outcome() != Outcome.DONE)) {
          outcome = timedOut(input, thrown);
          thrown = null;
        }
      }
      if (thrown == null) {
        settle(outcome, pass, ledger);
        countFailure(outcome);
      } else if (thrown instanceof StopJobException e) {
        requestStop(e.getMessage());
      } else if (thrown instanceof InterruptedException) {
        requestStop("interrupted");
      } else {
        LOG.error("row {} (line {}) failed unexpectedly", input.row(), input.line(), thrown);
        settle(new RowOutcome(input.row(), input.chunk(), input.line(), Outcome.FAILED, true, "", "internal", 0,
            "internal_error", thrown.getClass().getSimpleName(), "", ""), pass, ledger);
      }
    } finally {
      rowThreads.remove(Thread.currentThread());
    }
  }

  private void settle(RowOutcome outcome, ChunkPass pass, OutcomeBatcher ledger) {
    ledger.add(outcome);
    metrics.rowSettled(outcome.outcome());
    pass.rowSettled();
  }

  /**
   * The outcome of a row whose deadline fired before it ended done: failed and retryable (resume sends it again,
   * with the same idempotency keys, so a request that reached the API before the interrupt is not applied twice by an
   * API that honours them). A stop-the-job failure raised by the interrupted row is not the target's verdict, so it
   * is not kept either.
   */
  private RowOutcome timedOut(RowInput input, Throwable thrown) {
    LOG.debug("row {} (line {}) timed out after {}", input.row(), input.line(), options.rowTimeout(), thrown);
    return new RowOutcome(input.row(), input.chunk(), input.line(), Outcome.FAILED, true, "", "row", 0,
        "row_timeout", "no outcome within the row timeout of " + human(options.rowTimeout())
        + " (its requests may have reached the API; resume sends the row again with the same idempotency keys)",
        "", "");
  }

  private static String human(java.time.Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  private void countFailure(RowOutcome outcome) {
    if (outcome.outcome() == Outcome.DONE) {
      consecutiveFailures.set(0);
    } else if (outcome.outcome() == Outcome.FAILED) {
      int n = consecutiveFailures.incrementAndGet();
      int max = options.maxConsecutiveFailures();
      if (max > 0 && n >= max) {
        // Rows failed for good stay failed on resume: the line says so, and where they are.
        requestStop(n + " rows failed in a row (last: line " + outcome.line() + ", " + outcome.step() + ": "
            + outcome.message() + "); fix the cause and run 'ferry resume " + jobId + "'"
            + (outcome.retryable() ? "" : " for the rows not sent yet (rows failed for good are not sent again:"
                + " import them from the errors file once fixed)"));
      }
    }
  }

  private void heartbeatLoop() {
    // A third of the lease, so two renewals can fail or be late before it runs out (a waiting process of another
    // machine claims it just after): never the whole lease, as a floor of 1 s made a 1 s lease.
    long periodMillis = Math.max(100, options.lease().toMillis() / 3);
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
   * @param waitedMillis how long the run waited, nothing being left to claim, for chunks other processes held
   * @param chunksAfterWait chunks it claimed after such a wait (until nothing was claimable again): taken over when
   *     their lease ran out (their process died or stalled), or released by a process that stopped
   */
  public record RunResult(String stopReason, long rowsSettled, long waitedMillis, int chunksAfterWait) {
    public RunResult(String stopReason, long rowsSettled) {
      this(stopReason, rowsSettled, 0, 0);
    }

    public boolean stopped() {
      return stopReason != null;
    }
  }
}
