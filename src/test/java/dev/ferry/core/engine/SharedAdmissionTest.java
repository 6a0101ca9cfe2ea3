package dev.ferry.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.exec.Admission;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.pool.LivePool;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.SqliteJobStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One engine, two fronts: a bulk job and a live pool given one concurrency limiter are bounded by it together. */
class SharedAdmissionTest {
  @TempDir
  Path dir;

  @Test
  void aLimitSharedByABulkJobAndALivePoolBoundsTheirWorkTogether() throws Exception {
    try (JobStore store = SqliteJobStore.open(dir.resolve("ferry.db"))) {
      // Given: a limit of 6 for the rows of a 3-worker job and the tasks of a pool
      ConcurrencyLimiter limiter = ConcurrencyLimiter.of(Limit.aimdBuilder().initialLimit(6).maxLimit(6).build());
      AtomicInteger inFlight = new AtomicInteger();
      AtomicInteger peak = new AtomicInteger();
      Runnable work = () -> {
        peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
          Thread.sleep(1); // overlap, not timing: nothing is asserted about time
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          inFlight.decrementAndGet();
        }
      };
      plan(store, 600);
      RowProcessor rows = row -> {
        work.run();
        return RowOutcome.done(row.row(), row.chunk(), row.line(), "", "ok");
      };
      BulkJobRunner job = new BulkJobRunner(store, "shared", SOURCE, rows,
          RunOptions.of(3, 50, "t").withRowLimiter(limiter), WallClock.system());
      LivePool pool = LivePool.builder().name("shared").admission(Admission.adaptive(limiter)).queueCapacity(1_000)
          .build();
      // When both run at once
      CompletableFuture<BulkJobRunner.RunResult> run = CompletableFuture.supplyAsync(() -> {
        try {
          return job.run();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      List<CompletableFuture<Object>> tasks = new ArrayList<>();
      for (int i = 0; i < 300; i++) tasks.add(pool.submit(() -> {
        work.run();
        return null;
      }));
      for (CompletableFuture<Object> t : tasks) t.get();
      pool.close();
      // Then every row and task ran, never more than 6 at once in all, and every permit came back
      assertThat(run.get().rowsSettled()).isEqualTo(600);
      assertThat(store.counts("shared")).isEqualTo(new OutcomeCounts(600, 0, 0, 0));
      assertThat(pool.metrics().completed()).isEqualTo(300);
      assertThat(peak.get()).isLessThanOrEqualTo(6);
      assertThat(limiter.inflight()).isZero();
    }
  }

  private static void plan(JobStore store, int rows) {
    store.createJob(new JobRecord("shared", "test", "/in.csv", 0, "", 0, 100, "{}", JobStatus.PLANNING, "", 0, 0));
    List<ChunkSpec> chunks = new ArrayList<>();
    for (int c = 0; c * 100 < rows; c++) {
      chunks.add(new ChunkSpec(c, c * 1000L, 2 + (long) c * 100, 1 + (long) c * 100, Math.min(100, rows - c * 100)));
    }
    store.completePlan("shared", chunks, rows, 1, "00", 0);
  }

  private static final ChunkSource SOURCE = chunk -> new ChunkSource.RowCursor() {
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
}
