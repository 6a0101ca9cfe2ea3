package dev.ferry.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.FailingJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state store fails in the middle of a run (disk full, read-only directory): the run stops with "the state
 * store failed: ...", and the ledger never holds an outcome for a row that was not processed; a resume on a
 * healthy store processes exactly the rows without an outcome.
 */
class StoreFailureTest {
  private static final int CHUNKS = 5;
  private static final int ROWS_PER_CHUNK = 200;
  private static final int ROWS = CHUNKS * ROWS_PER_CHUNK;

  @TempDir
  Path dir;

  @Test
  void aStoreThatStopsWritingStopsTheRunAndRecordsNoRowThatWasNotProcessed() throws Exception {
    try (JobStore real = SqliteJobStore.open(dir.resolve("ferry.db"))) {
      // Given: a planned job, and a store that fails after 5 ledger writes
      plan(real);
      FailingJobStore.Switch sw = FailingJobStore.failAfterOutcomeWrites(5);
      JobStore failing = FailingJobStore.wrap(real, sw);
      Set<Long> processed = ConcurrentHashMap.newKeySet();
      AtomicLong processedAfterFailure = new AtomicLong();

      // When: the job runs
      BulkJobRunner runner = new BulkJobRunner(failing, "j", new CountingSource(), in -> {
        if (sw.failing()) processedAfterFailure.incrementAndGet();
        processed.add(in.row());
        Thread.sleep(1);
        return RowOutcome.done(in.row(), in.chunk(), in.line(), "k" + in.row(), "");
      }, options(), WallClock.system());
      BulkJobRunner.RunResult result = runner.run();

      // Then: it stopped and says why
      assertThat(result.stopped()).isTrue();
      assertThat(result.stopReason()).isEqualTo("the state store failed: " + FailingJobStore.FAILURE);
      assertThat(processed).hasSizeLessThan(ROWS);
      // once a ledger write has failed no new row starts (not even the rest of the chunks being worked on)
      assertThat(processedAfterFailure.get()).isLessThan(ROWS_PER_CHUNK / 2);

      // and every recorded row was processed; a DONE chunk has every row recorded
      Set<Long> recorded = recordedRows(real);
      assertThat(processed).containsAll(recorded);
      assertThat(real.counts("j").done()).isEqualTo(recorded.size());
      for (ChunkRecord c : real.chunks("j")) {
        if (c.state() == ChunkState.DONE) {
          assertThat(real.settledRows("j", c.spec()).cardinality()).as("chunk " + c.spec().index())
              .isEqualTo(c.spec().rowCount());
        }
      }

      // When: the job is resumed on a healthy store
      real.releaseAllLeases("j");
      Set<Long> again = ConcurrentHashMap.newKeySet();
      BulkJobRunner.RunResult resumed = new BulkJobRunner(real, "j", new CountingSource(), in -> {
        again.add(in.row());
        return RowOutcome.done(in.row(), in.chunk(), in.line(), "k" + in.row(), "");
      }, options(), WallClock.system()).run();

      // Then: exactly the rows without an outcome were processed, and the ledger is complete
      assertThat(resumed.stopped()).isFalse();
      Set<Long> missing = new TreeSet<>();
      for (long r = 1; r <= ROWS; r++) if (!recorded.contains(r)) missing.add(r);
      assertThat(new TreeSet<>(again)).isEqualTo(missing);
      assertThat(real.counts("j").done()).isEqualTo(ROWS);
    }
  }

  @Test
  void aStoreThatFailsBeforeTheFirstWriteRecordsNothing() throws Exception {
    try (JobStore real = SqliteJobStore.open(dir.resolve("ferry.db"))) {
      // Given: a store that refuses every write from the start (a read-only directory)
      plan(real);
      JobStore failing = FailingJobStore.wrap(real, FailingJobStore.failAfterOutcomeWrites(0));

      // When
      BulkJobRunner.RunResult result = new BulkJobRunner(failing, "j", new CountingSource(),
          in -> RowOutcome.done(in.row(), in.chunk(), in.line(), "", ""), options(), WallClock.system()).run();

      // Then: not one chunk could even be claimed
      assertThat(result.stopReason()).startsWith("the state store failed: ");
      assertThat(result.rowsSettled()).isZero();
      assertThat(real.counts("j").total()).isZero();
    }
  }

  private static RunOptions options() {
    return new RunOptions(3, 4, Duration.ofSeconds(30), 50, Duration.ofMillis(5), 10, "test", null);
  }

  private static void plan(JobStore store) {
    store.createJob(new JobRecord("j", "test", "/dev/null", 0, "", 0, ROWS_PER_CHUNK, "{}", JobStatus.PLANNING, "",
        0, 0));
    List<ChunkSpec> chunks = new ArrayList<>();
    for (int c = 0; c < CHUNKS; c++) {
      long first = 1L + (long) c * ROWS_PER_CHUNK;
      chunks.add(new ChunkSpec(c, first * 10, first + 1, first, ROWS_PER_CHUNK));
    }
    store.completePlan("j", chunks, ROWS, 0, "", 0);
  }

  private static Set<Long> recordedRows(JobStore store) {
    Set<Long> rows = new TreeSet<>();
    for (ChunkRecord c : store.chunks("j")) {
      BitSet settled = store.settledRows("j", c.spec());
      settled.stream().forEach(i -> rows.add(c.spec().firstRow() + i));
    }
    return rows;
  }

  /** Rows firstRow..endRow-1 of a chunk, line = row + 1, no input file. */
  private static final class CountingSource implements ChunkSource {
    @Override
    public RowCursor open(ChunkSpec chunk) {
      return new RowCursor() {
        long next = chunk.firstRow();

        @Override
        public RowInput next() {
          if (next >= chunk.endRow()) return null;
          long r = next++;
          return new RowInput(r, chunk.index(), r + 1, new String[] {"r" + r}, null);
        }

        @Override
        public void close() {}
      };
    }
  }
}
