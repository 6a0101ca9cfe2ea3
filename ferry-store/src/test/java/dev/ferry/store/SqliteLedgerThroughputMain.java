package dev.ferry.store;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures ledger throughput of {@link SqliteJobStore} (outcomes/s in batches) and the resume-time reads on
 * the resulting ledger. Both elapsed and CPU time are reported: all SQLite work runs on the calling thread,
 * so CPU time is the figure that holds on a busy machine. A measurement, not a test: run it by hand, e.g.
 *
 * <pre>
 * ./mvnw -q install -DskipTests && cd ferry-store && java --enable-native-access=ALL-UNNAMED \
 *     -cp target/classes:target/test-classes:$(../mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     dev.ferry.store.SqliteLedgerThroughputMain [rows=2000000] [batch=1000] [dir]
 * </pre>
 *
 * Rows are 97 % DONE, 2 % INVALID and 1 % retryable FAILED, with realistic keys and messages; a second pass
 * re-sends 10 % of the rows (all ignored but the retryable ones), as a resume after a crash would.
 */
public final class SqliteLedgerThroughputMain {
  private static final int CHUNK = 1_000;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private SqliteLedgerThroughputMain() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("ferry-ledger-bench");
    Path file = dir.resolve("ferry.db");
    Files.deleteIfExists(file);

    try (SqliteJobStore store = SqliteJobStore.open(file)) {
      long now = System.currentTimeMillis();
      store.createJob(new JobRecord("bench", "workos-import", "/data/users.csv", 0, "", 0, CHUNK, "{}",
          JobStatus.PLANNING, "", now, now));
      List<ChunkSpec> plan = new ArrayList<>();
      for (int c = 0; c * CHUNK < rows; c++) {
        plan.add(new ChunkSpec(c, 100L * c * CHUNK, 2L + (long) c * CHUNK, 1L + (long) c * CHUNK,
            Math.min(CHUNK, rows - c * CHUNK)));
      }
      store.completePlan("bench", plan, rows, 100L * rows, "00", now);

      // Warm-up on a throwaway job so the JIT has compiled the hot path before timing.
      store.createJob(new JobRecord("warmup", "x", "", 0, "", 0, CHUNK, "{}", JobStatus.PLANNING, "", now, now));
      recordAll(store, "warmup", 200_000, batchSize, 1);
      store.deleteJob("warmup");

      double[] firstSecs = recordAll(store, "bench", rows, batchSize, 1);
      report("first pass (new rows)", rows, firstSecs);

      double[] secondSecs = recordAll(store, "bench", rows, batchSize, 10);
      report("re-send pass (every 10th row again)", (rows + 9) / 10, secondSecs);

      // Resume: what `ferry resume` reads before its workers start.
      long r0 = System.nanoTime();
      store.releaseAllLeases("bench");
      var counts = store.counts("bench");
      long reopened = store.reopenRetryable("bench");
      int settled = 0;
      for (int i = 0; i < 8; i++) {
        ChunkRecord c = store.claimChunk("bench", "w" + i, Duration.ofMinutes(1), now).orElseThrow();
        settled += store.settledRows("bench", c.spec()).cardinality();
      }
      double resumeMs = (System.nanoTime() - r0) / 1e6;
      System.out.printf("resume reads on %,d rows: %.1f ms (counts %s, %,d retryable reopened, %,d settled in"
          + " 8 claimed chunks)%n", rows, resumeMs, counts, reopened, settled);

      long p0 = System.nanoTime();
      AtomicLong problems = new AtomicLong();
      store.forEachProblem("bench", o -> problems.incrementAndGet());
      System.out.printf("forEachProblem: %,d rows in %.1f ms%n", problems.get(), (System.nanoTime() - p0) / 1e6);

      long c0 = System.nanoTime();
      for (int i = 0; i < 1_000; i++) {
        store.counts("bench");
      }
      System.out.printf("counts(): %.1f µs a call%n", (System.nanoTime() - c0) / 1e3 / 1_000);
    }
    System.out.printf("database: %s (%,d MB)%n", file, Files.size(file) >> 20);
  }

  /**
   * Records every {@code every}-th row of 1..rows in batches; returns the seconds (elapsed, and CPU of this
   * thread) spent inside {@code recordOutcomes}. Building the outcomes is not timed.
   */
  private static double[] recordAll(SqliteJobStore store, String job, int rows, int batchSize, int every) {
    List<RowOutcome> batch = new ArrayList<>(batchSize);
    long nanos = 0;
    long cpuNanos = 0;
    for (long row = 1; row <= rows; row += every) {
      batch.add(outcome(row));
      if (batch.size() == batchSize || row + every > rows) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        store.recordOutcomes(job, batch);
        nanos += System.nanoTime() - t0;
        cpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
        batch.clear();
      }
    }
    return new double[] {nanos / 1e9, cpuNanos / 1e9};
  }

  private static RowOutcome outcome(long row) {
    int chunk = (int) ((row - 1) / CHUNK);
    String key = "user" + row + "@example.com";
    if (row % 100 == 7) {
      return new RowOutcome(row, chunk, row + 1, Outcome.FAILED, true, key, "create_user", 503, "",
          "Service Unavailable", "req_" + row, "");
    }
    if (row % 50 == 3) {
      return RowOutcome.invalid(row, chunk, row + 1, key, "email_invalid", "email is not a valid address");
    }
    return RowOutcome.done(row, chunk, row + 1, key, "created");
  }

  private static void report(String what, long outcomes, double[] secs) {
    System.out.printf("%s: %,d outcomes in %.2f s = %,.0f outcomes/s elapsed, %,.0f outcomes/s of CPU time%n",
        what, outcomes, secs[0], outcomes / secs[0], outcomes / secs[1]);
  }
}
