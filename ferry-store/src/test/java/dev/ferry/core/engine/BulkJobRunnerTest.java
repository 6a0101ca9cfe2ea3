package dev.ferry.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.FakeScheduler;
import dev.ferry.testing.FakeTicker;
import dev.ferry.testing.RecordingMetrics;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's three ways to run rows, against the real SQLite store and an in-memory source. */
class BulkJobRunnerTest {
  private static final int CHUNK = 100;
  @TempDir
  Path dir;
  private JobStore store;

  @BeforeEach
  void open() {
    store = SqliteJobStore.open(dir.resolve("ferry.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** A job of {@code rows} rows in chunks of 100; every 10th row is "bad". */
  private void plan(String id, int rows) {
    store.createJob(new JobRecord(id, "test", "/in.csv", 0, "", 0, CHUNK, "{}", JobStatus.PLANNING, "", 0, 0));
    List<ChunkSpec> chunks = new ArrayList<>();
    for (int c = 0; c * CHUNK < rows; c++) {
      chunks.add(new ChunkSpec(c, c * 1000L, 2 + (long) c * CHUNK, 1 + (long) c * CHUNK, Math.min(CHUNK, rows - c * CHUNK)));
    }
    store.completePlan(id, chunks, rows, 1, "00", 0);
  }

  /** Rows "r0", "r1", … of each chunk (shared with the other runner tests of this package). */
  static final ChunkSource SOURCE = chunk -> new ChunkSource.RowCursor() {
    long next = chunk.firstRow();

    @Override
    public RowInput next() {
      if (next >= chunk.endRow()) return null;
      long row = next++;
      return new RowInput(row, chunk.index(), row + 1, new String[] {"r" + row}, null);
    }

    @Override
    public void close() {}
  };

  /** Every 10th row invalid, the others done. */
  static RowOutcome outcomeOf(RowInput in) {
    return in.row() % 10 == 0
        ? RowOutcome.invalid(in.row(), in.chunk(), in.line(), in.field(0), "bad", "bad row")
        : RowOutcome.done(in.row(), in.chunk(), in.line(), in.field(0), "ok");
  }

  private BulkJobRunner.RunResult run(String id, RowProcessor processor, RunOptions options) throws Exception {
    return new BulkJobRunner(store, id, SOURCE, processor, options, WallClock.system()).run();
  }

  /**
   * Row 1 answers at once; row 2 hangs until interrupted; row 3 hangs too but still ends done when interrupted
   * (its call had gone through); row 4 ends failed for good when interrupted (not the target's verdict).
   */
  private static RowProcessor hanging(CountDownLatch hung, AtomicInteger interrupted) {
    return row -> {
      if (row.row() == 1) return outcomeOf(row);
      hung.countDown();
      try {
        new CountDownLatch(1).await();
        throw new AssertionError("unreachable");
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
        if (row.row() == 2) throw e;
        if (row.row() == 3) return RowOutcome.done(row.row(), row.chunk(), row.line(), "", "created");
        return new RowOutcome(row.row(), row.chunk(), row.line(), dev.ferry.core.spi.Outcome.FAILED, false, "", "x",
            422, "bad", "cut short", "", "");
      }
    };
  }

  @Test
  void aRowStillRunningAtItsTimeoutIsInterruptedAndRecordedFailedRetryable() throws Exception {
    // Given 4 rows, three of which hang, and a row timeout of 10 s in virtual time
    plan("slow", 4);
    FakeScheduler scheduler = new FakeScheduler(new FakeTicker());
    CountDownLatch hung = new CountDownLatch(3);
    AtomicInteger interrupted = new AtomicInteger();
    RunOptions options = RunOptions.of(1, 4, "t").withRowTimeout(Duration.ofSeconds(10));
    BulkJobRunner runner = new BulkJobRunner(store, "slow", SOURCE, hanging(hung, interrupted), options,
        WallClock.system(), scheduler);
    AtomicReference<BulkJobRunner.RunResult> result = new AtomicReference<>();
    Thread run = Thread.ofVirtual().start(() -> {
      try {
        result.set(runner.run());
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(hung.await(30, TimeUnit.SECONDS)).isTrue();
    // When 9.9 s pass, nothing is interrupted; at 10 s the three hanging rows are
    scheduler.advance(Duration.ofMillis(9_900));
    assertThat(interrupted.get()).isZero();
    scheduler.advance(Duration.ofMillis(100));
    run.join();
    // Then the run finished (a timeout does not stop the job): row 3 is done (its outcome came back), rows 2 and 4
    // failed retryable with row_timeout, and no deadline is left behind
    assertThat(result.get().stopped()).isFalse();
    assertThat(interrupted.get()).isEqualTo(3);
    assertThat(store.counts("slow")).isEqualTo(new OutcomeCounts(2, 2, 0, 2));
    List<RowOutcome> problems = new ArrayList<>();
    store.forEachProblem("slow", problems::add);
    assertThat(problems).extracting(RowOutcome::row, RowOutcome::code, RowOutcome::retryable, RowOutcome::step)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(2L, "row_timeout", true, "row"),
            org.assertj.core.groups.Tuple.tuple(4L, "row_timeout", true, "row"));
    assertThat(problems.get(0).message()).contains("row timeout of 10s").contains("same idempotency keys");
    assertThat(scheduler.pending()).isZero();
    // And resume sends the timed-out rows again
    assertThat(store.reopenRetryable("slow")).isEqualTo(2);
    run("slow", BulkJobRunnerTest::outcomeOf, options);
    assertThat(store.counts("slow")).isEqualTo(new OutcomeCounts(4, 0, 0, 0));
  }

  @Test
  void aRowThatEndsBeforeItsTimeoutIsNeverInterrupted() throws Exception {
    // Given rows that all answer at once, under a row timeout in virtual time
    plan("fast", 250);
    FakeScheduler scheduler = new FakeScheduler(new FakeTicker());
    RunOptions options = RunOptions.of(2, 8, "t").withRowTimeout(Duration.ofSeconds(1));
    // When they run
    new BulkJobRunner(store, "fast", SOURCE, BulkJobRunnerTest::outcomeOf, options, WallClock.system(), scheduler)
        .run();
    // Then every deadline was called off and every row has its own outcome
    assertThat(scheduler.pending()).isZero();
    assertThat(store.counts("fast")).isEqualTo(new OutcomeCounts(225, 0, 25, 0));
  }

  @Test
  void aSideEffectFreeProcessorRunsInlineAndItsChunksAreSealed() throws Exception {
    // Given a job of 1,050 rows and a dry-run-like processor
    plan("dry", 1_050);
    RowProcessor dry = new RowProcessor() {
      @Override
      public RowOutcome process(RowInput row) {
        return outcomeOf(row);
      }

      @Override
      public boolean sideEffectFree() {
        return true;
      }
    };
    // When it runs with 3 workers
    BulkJobRunner.RunResult result = run("dry", dry, RunOptions.of(3, 1, "t"));
    // Then every row has its outcome: 105 invalid rows in the ledger, the rest DONE by their sealed chunks
    assertThat(result.stopped()).isFalse();
    assertThat(result.rowsSettled()).isEqualTo(1_050);
    assertThat(store.counts("dry")).isEqualTo(new OutcomeCounts(945, 0, 105, 0));
    assertThat(store.chunks("dry")).extracting(c -> c.state()).containsOnly(ChunkState.DONE);
    List<RowOutcome> problems = new ArrayList<>();
    store.forEachProblem("dry", problems::add);
    assertThat(problems).hasSize(105);
  }

  @Test
  void rowsAlreadySettledAreNotProcessedAgainInline() throws Exception {
    // Given row 5 recorded invalid at planning (a duplicate)
    plan("dup", 100);
    store.recordOutcomes("dup", List.of(RowOutcome.invalid(5, 0, 6, "r5", "duplicate_email", "dup")));
    AtomicInteger processed = new AtomicInteger();
    RowProcessor dry = new RowProcessor() {
      @Override
      public RowOutcome process(RowInput row) {
        processed.incrementAndGet();
        return RowOutcome.done(row.row(), row.chunk(), row.line(), "", "");
      }

      @Override
      public boolean sideEffectFree() {
        return true;
      }
    };
    // When
    run("dup", dry, RunOptions.of(1, 1, "t"));
    // Then
    assertThat(processed.get()).isEqualTo(99);
    assertThat(store.counts("dup")).isEqualTo(new OutcomeCounts(99, 0, 1, 0));
  }

  @Test
  void aSharedRowLimiterBoundsTheRowsInFlightOfAllWorkers() throws Exception {
    // Given a limit fixed at 7 shared by 4 workers of 50 per chunk
    plan("auto", 2_000);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(7).maxLimit(7).build());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    RowProcessor slow = row -> {
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        Thread.sleep(1);
      } finally {
        inFlight.decrementAndGet();
      }
      return outcomeOf(row);
    };
    // When
    BulkJobRunner.RunResult result = run("auto", slow, RunOptions.of(4, 50, "t").withRowLimiter(limiter));
    // Then all rows are done, never more than 7 at once, and every permit came back
    assertThat(result.rowsSettled()).isEqualTo(2_000);
    assertThat(store.counts("auto")).isEqualTo(new OutcomeCounts(1_800, 0, 200, 0));
    assertThat(peak.get()).isLessThanOrEqualTo(7);
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void fixedConcurrencyStillBoundsEachChunk() throws Exception {
    // Given 2 workers with 3 rows in flight each
    plan("fixed", 600);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    RowProcessor slow = row -> {
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        Thread.sleep(1);
      } finally {
        inFlight.decrementAndGet();
      }
      return outcomeOf(row);
    };
    // When
    run("fixed", slow, RunOptions.of(2, 3, "t"));
    // Then at most workers x concurrency rows were in flight
    assertThat(peak.get()).isLessThanOrEqualTo(6);
    assertThat(store.counts("fixed")).isEqualTo(new OutcomeCounts(540, 0, 60, 0));
  }

  /** Waits for a latch that the code under test must open; the timeout only turns a hang into a failure. */
  private static boolean opened(CountDownLatch latch) throws InterruptedException {
    return latch.await(30, TimeUnit.SECONDS);
  }

  /**
   * One worker, 3 rows in flight, chunks of 100 rows: the last row of chunk 0 (row 100) returns only once two
   * rows of chunk 1 are in flight, and those wait for it. With a chunk barrier, chunk 1 would never start.
   */
  private void theNextChunkStartsWhileTheLastRowOfTheFormerIsInFlight(RunOptions options) throws Exception {
    // Given
    plan("overlap", 300);
    CountDownLatch nextChunkInFlight = new CountDownLatch(2);
    CountDownLatch stragglerDone = new CountDownLatch(1);
    AtomicBoolean overlapped = new AtomicBoolean();
    AtomicBoolean waitedInVain = new AtomicBoolean();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    RowProcessor processor = row -> {
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        if (row.row() == 100) {
          overlapped.set(opened(nextChunkInFlight));
          stragglerDone.countDown();
        } else if (row.chunk() == 1 && nextChunkInFlight.getCount() > 0) {
          nextChunkInFlight.countDown();
          if (!opened(stragglerDone)) waitedInVain.set(true);
        }
        return outcomeOf(row);
      } finally {
        inFlight.decrementAndGet();
      }
    };
    // When
    BulkJobRunner.RunResult result = run("overlap", processor, options);
    // Then chunk 1 ran while chunk 0 drained, and still never more than 3 rows were in flight
    assertThat(overlapped).isTrue();
    assertThat(waitedInVain).isFalse();
    assertThat(peak.get()).isEqualTo(3);
    assertThat(result.stopped()).isFalse();
    assertThat(store.counts("overlap")).isEqualTo(new OutcomeCounts(270, 0, 30, 0));
    assertThat(store.chunks("overlap")).extracting(c -> c.state()).containsOnly(ChunkState.DONE);
  }

  @Test
  void aWorkerStartsItsNextChunkWhileItsLastOneDrains() throws Exception {
    theNextChunkStartsWhileTheLastRowOfTheFormerIsInFlight(RunOptions.of(1, 3, "t"));
  }

  @Test
  void aWorkerStartsItsNextChunkWhileItsLastOneDrainsUnderASharedRowLimiter() throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(3).maxLimit(3).build());
    theNextChunkStartsWhileTheLastRowOfTheFormerIsInFlight(RunOptions.of(1, 1, "t").withRowLimiter(limiter));
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void overlappingChunksKeepWorkersTimesConcurrencyRowsInFlightAtMost() throws Exception {
    // Given 2 workers x 3, chunks of 100; the last rows of chunks 0 and 1 wait until 4 rows of later chunks are
    // in flight, and those wait for both: only the permits stop more rows from starting
    plan("bound", 600);
    CountDownLatch laterRowsInFlight = new CountDownLatch(4);
    CountDownLatch stragglersDone = new CountDownLatch(2);
    AtomicBoolean waitedInVain = new AtomicBoolean();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    RowProcessor processor = row -> {
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        if (row.row() == 100 || row.row() == 200) {
          if (!opened(laterRowsInFlight)) waitedInVain.set(true);
          stragglersDone.countDown();
        } else if (row.chunk() >= 2) {
          laterRowsInFlight.countDown();
          if (!opened(stragglersDone)) waitedInVain.set(true);
        }
        return outcomeOf(row);
      } finally {
        inFlight.decrementAndGet();
      }
    };
    // When
    BulkJobRunner.RunResult result = run("bound", processor, RunOptions.of(2, 3, "t"));
    // Then 2 stragglers + 4 later rows were in flight together, and never more
    assertThat(waitedInVain).isFalse();
    assertThat(peak.get()).isEqualTo(6);
    assertThat(result.rowsSettled()).isEqualTo(600);
    assertThat(store.chunks("bound")).extracting(c -> c.state()).containsOnly(ChunkState.DONE);
  }

  @Test
  void aStopWhileAChunkDrainsReleasesEveryChunkWhoseRowsDidNotAllSettle() throws Exception {
    // Given 1 worker x 3: the last row of chunk 0 stops the job (as a 401 does) once two rows of chunk 1 are in
    // flight, and those return only after the stop was requested
    plan("stop", 300);
    CountDownLatch nextChunkInFlight = new CountDownLatch(2);
    CountDownLatch stopRequested = new CountDownLatch(1);
    AtomicReference<BulkJobRunner> runner = new AtomicReference<>();
    RowProcessor processor = row -> {
      if (row.row() == 100) {
        opened(nextChunkInFlight);
        runner.get().requestStop("the API refused the key (401)");
        stopRequested.countDown();
        throw new StopJobException("the API refused the key (401)");
      }
      if (row.chunk() >= 1) {
        nextChunkInFlight.countDown();
        opened(stopRequested);
      }
      return outcomeOf(row);
    };
    runner.set(new BulkJobRunner(store, "stop", SOURCE, processor, RunOptions.of(1, 3, "t"), WallClock.system()));
    // When
    BulkJobRunner.RunResult result = runner.get().run();
    // Then chunk 0 (row 100 has no outcome) and chunk 1 (2 of its rows ran) are released, chunk 2 never started
    assertThat(result.stopReason()).isEqualTo("the API refused the key (401)");
    assertThat(store.chunks("stop")).extracting(c -> c.state()).containsOnly(ChunkState.PENDING);
    assertThat(store.settledRows("stop", store.chunks("stop").get(0).spec()).cardinality()).isEqualTo(99);
    assertThat(store.settledRows("stop", store.chunks("stop").get(1).spec()).cardinality()).isEqualTo(2);
    assertThat(store.counts("stop").total()).isEqualTo(101).isEqualTo(result.rowsSettled());
  }

  @Test
  void everyRowAndChunkIsReportedThroughTheMetricsSpi() throws Exception {
    // Given a job of 250 rows (25 invalid) and a recorder given in the options
    plan("spi", 250);
    RecordingMetrics recorder = new RecordingMetrics();
    BulkJobRunner runner = new BulkJobRunner(store, "spi", SOURCE, BulkJobRunnerTest::outcomeOf,
        RunOptions.of(2, 3, "t").withMetrics(recorder), WallClock.system());
    // When it runs
    runner.run();
    // Then the recorder and the runner's own progress saw the same rows and chunks, the rows in flight told by the
    // executor
    assertThat(recorder.count("rowSettled DONE")).isEqualTo(225).isEqualTo(runner.progress().done());
    assertThat(recorder.count("rowSettled INVALID")).isEqualTo(25).isEqualTo(runner.progress().invalid());
    assertThat(recorder.count("taskAdmitted rows")).isEqualTo(250).isEqualTo(recorder.count("taskEnded rows"));
    assertThat(recorder.count("chunkDone")).isEqualTo(3).isEqualTo(runner.progress().chunksDone());
    assertThat(runner.progress().rowsInFlight()).isZero();
    assertThat(recorder.gauge(Gauge.CONCURRENCY_LIMIT, "spi")).isEqualTo(6);
  }

  @Test
  void aSealedChunkReportsItsRowsAtOnce() throws Exception {
    // Given a dry-run-like processor over 150 rows
    plan("sealed", 150);
    RecordingMetrics recorder = new RecordingMetrics();
    RowProcessor dry = new RowProcessor() {
      @Override
      public RowOutcome process(RowInput row) {
        return outcomeOf(row);
      }

      @Override
      public boolean sideEffectFree() {
        return true;
      }
    };
    // When it runs inline
    run("sealed", dry, RunOptions.of(1, 1, "t").withMetrics(recorder));
    // Then each sealed chunk reported its outcomes as counts, and no limit (nothing is in flight inline)
    assertThat(recorder.events()).containsExactly("rowsSettled DONE 90", "rowsSettled FAILED 0",
        "rowsSettled INVALID 10", "chunkDone", "rowsSettled DONE 45", "rowsSettled FAILED 0", "rowsSettled INVALID 5",
        "chunkDone");
    assertThat(recorder.gauges()).isEmpty();
  }
}
