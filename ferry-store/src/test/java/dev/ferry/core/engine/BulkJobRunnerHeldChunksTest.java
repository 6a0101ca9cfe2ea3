package dev.ferry.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OpenChunks;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that finds nothing to claim while another process holds chunks of the job (distributed mode): it waits, in
 * virtual time, and takes those chunks over when their lease runs out, or ends when the other process completes them
 * or on a stop. The other process is played by the test, on the same store, as worker {@code other/w0}.
 */
class BulkJobRunnerHeldChunksTest {
  private static final int CHUNK = 100;
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String OTHER = "other/w0";

  @TempDir
  Path dir;
  private JobStore store;
  private final FakeTicker ticker = new FakeTicker();
  private final List<OpenChunks> told = new CopyOnWriteArrayList<>();
  private final AtomicInteger processedInChunk1 = new AtomicInteger();

  @BeforeEach
  void open() {
    store = SqliteJobStore.open(dir.resolve("ferry.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** A job of {@code chunks} chunks of 100 rows; every 10th row is invalid. */
  private void plan(String id, int chunks) {
    store.createJob(new JobRecord(id, "test", "/in.csv", 0, "", 0, CHUNK, "{}", JobStatus.PLANNING, "", 0, 0));
    List<ChunkSpec> specs = new ArrayList<>();
    for (int c = 0; c < chunks; c++) specs.add(new ChunkSpec(c, c * 1000L, 2 + (long) c * CHUNK, 1 + (long) c * CHUNK, CHUNK));
    store.completePlan(id, specs, (long) chunks * CHUNK, 1, "00", 0);
  }

  private RowProcessor processor() {
    return row -> {
      if (row.chunk() == 1) processedInChunk1.incrementAndGet();
      return BulkJobRunnerTest.outcomeOf(row);
    };
  }

  /** Opened as this run completes each of its chunks (metrics SPI). */
  private final CountDownLatch ownChunksDone = new CountDownLatch(1);

  private RunOptions options(int workers) {
    return RunOptions.of(workers, 4, "me").withLease(LEASE).withChunkWaits(true, told::add)
        .withMetrics(new dev.ferry.core.metrics.MetricsRecorder() {
          @Override
          public void chunkDone() {
            ownChunksDone.countDown();
          }
        });
  }

  /**
   * Virtual sleeps that let time pass only once {@code gates} are open. A wait may begin while the run's own chunk
   * still drains; in real time the heartbeat renews that chunk's lease, in virtual time nothing does, so the clock
   * must not pass its expiry before the chunk is DONE. The 30 s bound only turns a hang into a failure.
   */
  private Sleeper gated(CountDownLatch... gates) {
    return nanos -> {
      for (CountDownLatch gate : gates) {
        if (!gate.await(30, TimeUnit.SECONDS)) throw new AssertionError("a gate never opened");
      }
      ticker.sleepNanos(nanos);
    };
  }

  private BulkJobRunner runner(String id, RunOptions options, Sleeper waits) {
    return new BulkJobRunner(store, id, BulkJobRunnerTest.SOURCE, processor(), options, ticker,
        dev.ferry.core.pool.Scheduler.system(), waits);
  }

  /** The other process settles every row of chunk 1 and completes it, as a live process does. */
  private void otherCompletesChunk1(String id) {
    List<RowOutcome> rows = new ArrayList<>();
    for (long row = 101; row <= 200; row++) rows.add(RowOutcome.done(row, 1, row + 1, "r" + row, "ok"));
    store.recordOutcomes(id, rows);
    assertThat(store.completeChunk(id, 1, OTHER)).isTrue();
  }

  @Test
  void aChunkWhoseLeaseRunsOutUnrenewedIsTakenOverAndFinished() throws Exception {
    // Given 2 chunks, chunk 1 claimed by another process that then dies (its lease is never renewed)
    plan("dead", 2);
    store.claimChunk("dead", "x", LEASE, ticker.millis()); // chunk 0, given back once the other took chunk 1
    long expiry = store.claimChunk("dead", OTHER, LEASE, ticker.millis()).orElseThrow().leaseExpiresAtMillis();
    store.releaseChunk("dead", 0, "x");
    assertThat(store.chunks("dead").get(1).leaseOwner()).isEqualTo(OTHER);

    // When this run (one worker, a 30 s lease) runs in virtual time
    BulkJobRunner.RunResult result = runner("dead", options(1), gated(ownChunksDone)).run();

    // Then it finished chunk 0, waited 2 s at a time (the longest poll) until just after the other lease ran out, took
    // chunk 1 over and finished it: every row once, every chunk DONE
    assertThat(result.stopped()).isFalse();
    List<Long> polls = new ArrayList<>(Collections.nCopies(15, 2_000_000_000L));
    polls.add(100_000_000L);
    assertThat(ticker.sleeps()).containsExactlyElementsOf(polls);
    assertThat(processedInChunk1.get()).isEqualTo(CHUNK);
    assertThat(store.chunks("dead")).extracting(ChunkRecord::state).containsOnly(ChunkState.DONE);
    assertThat(store.counts("dead")).isEqualTo(new OutcomeCounts(180, 0, 20, 0));
    assertThat(result.rowsSettled()).isEqualTo(200);
    // and said so once, with the span of the lease it waited for
    assertThat(told).containsExactly(new OpenChunks(0, 1, expiry, expiry));
    assertThat(result.chunksAfterWait()).isEqualTo(1);
    assertThat(result.waitedMillis()).isEqualTo(30_100);
  }

  @Test
  void aRunWithNothingInFlightIsToldIdleAndBusyAgainBeforeTheTakenChunksRows() throws Exception {
    // Given the dead process's chunk as above, and a listener that records what it is told (and how many rows of the
    // taken chunk had run when it was told the run is busy again)
    plan("idle", 2);
    store.claimChunk("idle", "x", LEASE, ticker.millis());
    store.claimChunk("idle", OTHER, LEASE, ticker.millis());
    store.releaseChunk("idle", 0, "x");
    List<String> events = new CopyOnWriteArrayList<>();
    ChunkWaitListener listener = new ChunkWaitListener() {
      @Override
      public void waiting(OpenChunks open) {
        events.add("waiting");
      }

      @Override
      public void idle() {
        events.add("idle");
      }

      @Override
      public void busyAgain() {
        events.add("busy with " + processedInChunk1.get() + " rows of chunk 1 run");
      }
    };

    // When one worker runs its chunk, waits for the other's lease, and takes it over
    BulkJobRunner.RunResult result = runner("idle", options(1).withChunkWaits(true, listener),
        gated(ownChunksDone)).run();

    // Then it was told the wait, then idle (its rows all settled, every worker waiting) once over 15 polls, then busy
    // again before the taken chunk's first row
    assertThat(result.stopped()).isFalse();
    assertThat(events).containsExactly("waiting", "idle", "busy with 0 rows of chunk 1 run");
    assertThat(processedInChunk1.get()).isEqualTo(CHUNK);
  }

  @Test
  void twoWaitingWorkersTellTheWaitOnceAndTakeOverEveryDeadChunk() throws Exception {
    // Given 4 chunks, chunks 2 and 3 held by a process that died
    plan("two", 4);
    store.claimChunk("two", "x", LEASE, ticker.millis());
    store.claimChunk("two", "x", LEASE, ticker.millis());
    store.claimChunk("two", OTHER, LEASE, ticker.millis());
    store.claimChunk("two", "other/w1", LEASE, ticker.millis() + 5);
    store.releaseChunk("two", 0, "x");
    store.releaseChunk("two", 1, "x");

    // When two workers run, and both wait before time passes (and their chunks are done: as ownChunksDone for one)
    CountDownLatch bothChunksDone = new CountDownLatch(2);
    CountDownLatch bothWaiting = new CountDownLatch(2);
    java.util.Set<Thread> waiters = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Sleeper gate = gated(bothChunksDone, bothWaiting);
    Sleeper sleeps = nanos -> {
      if (waiters.add(Thread.currentThread())) bothWaiting.countDown();
      gate.sleepNanos(nanos);
    };
    RunOptions options = options(2).withMetrics(new dev.ferry.core.metrics.MetricsRecorder() {
      @Override
      public void chunkDone() {
        bothChunksDone.countDown();
      }
    });
    BulkJobRunner.RunResult result = runner("two", options, sleeps).run();

    // Then both dead chunks were taken over, and the wait was told once
    assertThat(result.stopped()).isFalse();
    assertThat(store.chunks("two")).extracting(ChunkRecord::state).containsOnly(ChunkState.DONE);
    assertThat(store.counts("two")).isEqualTo(new OutcomeCounts(360, 0, 40, 0));
    assertThat(told).hasSize(1);
    assertThat(told.get(0).heldByOthers()).isEqualTo(2);
    assertThat(result.chunksAfterWait()).isEqualTo(2);
  }

  @Test
  void aChunkAnotherProcessCompletesEndsTheWait() throws Exception {
    // Given chunk 1 held by a live process, which completes it during this run's first wait
    plan("live", 2);
    store.claimChunk("live", "x", LEASE, ticker.millis());
    store.claimChunk("live", OTHER, LEASE, ticker.millis());
    store.releaseChunk("live", 0, "x");
    AtomicInteger waits = new AtomicInteger();
    Sleeper sleeps = gated(ownChunksDone);
    Sleeper waitsThenOtherCompletes = nanos -> {
      if (waits.incrementAndGet() == 1) otherCompletesChunk1("live");
      sleeps.sleepNanos(nanos);
    };

    // When
    BulkJobRunner.RunResult result = runner("live", options(1), waitsThenOtherCompletes).run();

    // Then the run ended after that one wait, never sending a row of chunk 1
    assertThat(result.stopped()).isFalse();
    assertThat(waits.get()).isEqualTo(1);
    assertThat(processedInChunk1.get()).isZero();
    assertThat(result.rowsSettled()).isEqualTo(CHUNK);
    assertThat(result.chunksAfterWait()).isZero();
    assertThat(store.chunks("live")).extracting(ChunkRecord::state).containsOnly(ChunkState.DONE);
    assertThat(store.counts("live")).isEqualTo(new OutcomeCounts(190, 0, 10, 0));
  }

  @Test
  void aStopDuringTheWaitEndsTheRunAndLeavesTheOtherLeaseAlone() throws Exception {
    // Given chunk 1 held by another process, and a stop (a signal) during the first wait
    plan("stop", 2);
    store.claimChunk("stop", "x", LEASE, ticker.millis());
    store.claimChunk("stop", OTHER, LEASE, ticker.millis());
    store.releaseChunk("stop", 0, "x");
    AtomicReference<BulkJobRunner> runner = new AtomicReference<>();
    AtomicInteger waits = new AtomicInteger();
    Sleeper stopWhileWaiting = nanos -> {
      waits.incrementAndGet();
      runner.get().requestStop("interrupted (SIGTERM)");
      ticker.sleepNanos(nanos);
    };
    runner.set(runner("stop", options(1), stopWhileWaiting));

    // When
    BulkJobRunner.RunResult result = runner.get().run();

    // Then it returned after that wait, with the stop's reason (chunk 0 done, or released if its rows were still
    // starting); chunk 1 is still the other process's
    assertThat(result.stopReason()).isEqualTo("interrupted (SIGTERM)");
    assertThat(waits.get()).isEqualTo(1);
    assertThat(store.chunks("stop").get(0).state()).isIn(ChunkState.DONE, ChunkState.PENDING);
    assertThat(store.chunks("stop").get(1)).extracting(ChunkRecord::state, ChunkRecord::leaseOwner)
        .containsExactly(ChunkState.LEASED, OTHER);
  }

  @Test
  void aStopWakesARealWaitAtOnce() throws Exception {
    // Given chunk 1 held by another process under a 30-minute lease, and the real sleeper (a third of it: 10 min)
    plan("real", 2);
    Duration longLease = Duration.ofMinutes(30);
    store.claimChunk("real", "x", longLease, System.currentTimeMillis());
    store.claimChunk("real", OTHER, longLease, System.currentTimeMillis());
    store.releaseChunk("real", 0, "x");
    CountDownLatch waiting = new CountDownLatch(1);
    BulkJobRunner runner = new BulkJobRunner(store, "real", BulkJobRunnerTest.SOURCE, processor(),
        RunOptions.of(1, 4, "me").withLease(longLease).withChunkWaits(true, open -> waiting.countDown()),
        WallClock.system());
    AtomicReference<BulkJobRunner.RunResult> result = new AtomicReference<>();
    Thread run = Thread.ofVirtual().start(() -> {
      try {
        result.set(runner.run());
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();

    // When a stop comes during the wait
    runner.requestStop("interrupted (SIGINT)");

    // Then the run returns without sleeping out its poll (the bound only turns a hang into a failure)
    assertThat(run.join(Duration.ofSeconds(60))).isTrue();
    assertThat(result.get().stopReason()).isEqualTo("interrupted (SIGINT)");
  }

  @Test
  void withoutWaitingTheRunReturnsWhenNothingIsLeftToClaim() throws Exception {
    // Given chunk 1 held by another process, and a run that does not wait for held chunks
    plan("leave", 2);
    store.claimChunk("leave", "x", LEASE, ticker.millis());
    store.claimChunk("leave", OTHER, LEASE, ticker.millis());
    store.releaseChunk("leave", 0, "x");

    // When
    BulkJobRunner.RunResult result = runner("leave", options(1).withChunkWaits(false, told::add), ticker).run();

    // Then it did its chunk and left the other's alone, without a wait
    assertThat(result.stopped()).isFalse();
    assertThat(ticker.sleeps()).isEmpty();
    assertThat(told).isEmpty();
    assertThat(store.chunks("leave").get(1).leaseOwner()).isEqualTo(OTHER);
  }

  @Test
  void theChunksOfThisProcessAreNotWaitedFor() throws Exception {
    // Given chunk 1 leased under this process's own prefix (its other workers) and never completed by it
    plan("own", 2);
    store.claimChunk("own", "x", LEASE, ticker.millis());
    store.claimChunk("own", "me/w7", LEASE, ticker.millis());
    store.releaseChunk("own", 0, "x");

    // When
    BulkJobRunner.RunResult result = runner("own", options(1), ticker).run();

    // Then the worker returns when nothing is claimable: its own chunks are settled by their finishers, not waited for
    assertThat(result.stopped()).isFalse();
    assertThat(ticker.sleeps()).isEmpty();
    assertThat(told).isEmpty();
  }

  @Test
  void thePollRunsToJustAfterTheFirstLeaseEndWithinBounds() {
    long lease = 30_000;
    long now = 1_000_000;
    // a lease ending far off: the heartbeat period (a third of a short lease); soon: just after it; already over: the
    // least pause
    assertThat(BulkJobRunner.pollMillis(new OpenChunks(0, 2, now + 25_000, now + 29_000), lease, now)).isEqualTo(2_000);
    assertThat(BulkJobRunner.pollMillis(new OpenChunks(0, 2, now + 25_000, now + 29_000), 3_000, now)).isEqualTo(1_000);
    assertThat(BulkJobRunner.pollMillis(new OpenChunks(0, 1, now + 1_500, now + 1_500), lease, now)).isEqualTo(1_501);
    assertThat(BulkJobRunner.pollMillis(new OpenChunks(0, 1, now - 5, now - 5), lease, now)).isEqualTo(100);
    // a chunk still pending (another worker was taking it): the least pause; a short lease: never below it
    assertThat(BulkJobRunner.pollMillis(new OpenChunks(1, 1, now + 9_000, now + 9_000), lease, now)).isEqualTo(100);
    assertThat(BulkJobRunner.pollMillis(new OpenChunks(0, 1, now + 5_000, now + 5_000), 150, now)).isEqualTo(100);
  }
}
