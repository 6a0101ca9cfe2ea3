package dev.ferry.cli;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.CsvChunkSource;
import dev.ferry.core.source.CsvHeader;
import dev.ferry.core.source.CsvLimits;
import dev.ferry.core.source.CsvReader;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.recipes.workos.WorkosImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Builds the state a real import leaves when it is killed ({@code kill -9}) part-way: the job planned through
 * {@link WorkosImport#plan} (what {@code import-users} does), the first {@code settled} share of its chunks
 * sent (every row DONE in the ledger, written as the run writes it: {@code recordOutcomes} in batches of at most
 * 1,000, then {@code completeChunk} by the worker holding the chunk's lease), and the next {@code leased} chunks
 * still leased by the dead process with half of their rows recorded. The job stays RUNNING, as after a crash.
 * Sending 9 million rows to the simulator would take hours on a laptop; writing their outcomes takes about a
 * minute. The outcomes carry the row's real email as key and "created" as note, as the import records them.
 *
 * <p>A measurement harness, not a test (benchmarks/resume-10m.sh runs it):
 *
 * <pre>
 * ./mvnw -B -q package -DskipTests && ./mvnw -B -q test-compile
 * java --enable-native-access=ALL-UNNAMED -cp target/ferry-all.jar:ferry-cli/target/test-classes \
 *     dev.ferry.cli.StoppedJobMain CSV CHECKPOINT_DIR JOB_ID [settled=0.9] [leased=8] [api-url] [chunk-size=1000]
 * </pre>
 *
 * then {@code ferry resume JOB_ID --checkpoint-dir CHECKPOINT_DIR ...}. Not threadsafe (a main).
 */
public final class StoppedJobMain {
  /** Worker count of the dead run: its chunks were leased by workers w0..w3 of one process. */
  static final int DEAD_WORKERS = 4;
  /** A process id that the dead run had: only a label in the leases. */
  static final String DEAD_PROCESS = "pid999999";
  /** Outcomes per recordOutcomes call: the engine's OutcomeBatcher batch. */
  static final int LEDGER_BATCH = 1_000;

  private StoppedJobMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: StoppedJobMain CSV CHECKPOINT_DIR JOB_ID [settled=0.9] [leased=8] [api-url]"
          + " [chunk-size=1000]");
      System.exit(2);
    }
    Path csv = Path.of(args[0]).toAbsolutePath().normalize();
    Path checkpointDir = Path.of(args[1]);
    String jobId = args[2];
    double settledShare = args.length > 3 ? Double.parseDouble(args[3]) : 0.9;
    int leased = args.length > 4 ? Integer.parseInt(args[4]) : 8;
    String apiUrl = args.length > 5 ? args[5] : "http://127.0.0.1:18080";
    int chunkSize = args.length > 6 ? Integer.parseInt(args[6]) : 1_000;

    StateDir state = new StateDir(checkpointDir);
    // The settings import-users stores for "--create-org-if-missing --rate-limit none" (resume's defaults).
    ImportSettings settings = new ImportSettings(apiUrl, false, null, null, true, null, false, Map.of(), true,
        new ImportSettings.RunDefaults(4, 10, dev.ferry.core.limit.RateLimitSpec.NONE, 30_000));
    long t0 = System.nanoTime();
    try (JobStore store = state.openStore()) {
      JobRecord job = WorkosImport.plan(store, jobId, csv, chunkSize, settings, WallClock.system(),
          w -> System.err.println("warning: " + w));
      System.out.printf("planned %s: %,d rows in %s, %.1f s%n", jobId, job.totalRows(), csv,
          (System.nanoTime() - t0) / 1e9);
      List<ChunkRecord> chunks = store.chunks(jobId);
      int sent = (int) Math.round(chunks.size() * settledShare);
      int held = Math.min(leased, chunks.size() - sent);
      CsvHeader header = CsvReader.readHeader(csv, CsvLimits.defaults());
      int email = header.indexOf("email");
      ChunkSource source = new CsvChunkSource(csv, header, CsvLimits.defaults());
      Duration lease = Duration.ofSeconds(30);
      long t1 = System.nanoTime();
      long rows = 0;
      for (int i = 0; i < sent + held; i++) {
        String worker = DEAD_PROCESS + "/w" + (i % DEAD_WORKERS);
        ChunkSpec chunk = store.claimChunk(jobId, worker, lease, WallClock.system().millis()).orElseThrow().spec();
        boolean complete = i < sent;
        rows += recordRows(store, jobId, source, chunk, email, complete ? chunk.rowCount() : chunk.rowCount() / 2);
        if (complete && !store.completeChunk(jobId, chunk.index(), worker)) {
          throw new IllegalStateException("chunk " + chunk.index() + " was not completed");
        }
        if ((i + 1) % Math.max(1, (sent + held) / 10) == 0) {
          System.out.printf("  %,d of %,d chunks, %,d outcomes, %.1f s%n", i + 1, sent + held, rows,
              (System.nanoTime() - t1) / 1e9);
        }
      }
      System.out.printf("recorded %,d outcomes: %,d chunks done, %,d left leased by %s (half their rows"
          + " recorded), %,d pending; %.1f s%n", rows, sent, held, DEAD_PROCESS, chunks.size() - sent - held,
          (System.nanoTime() - t1) / 1e9);
    }
    Path db = checkpointDir.resolve("ferry.db");
    System.out.printf("state: %s %,d MB (+ wal %,d MB)%n", db, Files.size(db) >> 20,
        Files.exists(walOf(db)) ? Files.size(walOf(db)) >> 20 : 0);
  }

  /** Records the first {@code count} unsettled rows of a chunk as DONE ("created"), as the import does. */
  private static long recordRows(JobStore store, String jobId, ChunkSource source, ChunkSpec chunk, int email,
      int count) throws Exception {
    BitSet settled = store.settledRows(jobId, chunk); // duplicates were recorded invalid by the plan
    List<RowOutcome> batch = new ArrayList<>(LEDGER_BATCH);
    long recorded = 0;
    try (ChunkSource.RowCursor cursor = source.open(chunk)) {
      RowInput row;
      int seen = 0;
      while (seen < count && (row = cursor.next()) != null) {
        seen++;
        if (settled.get((int) (row.row() - chunk.firstRow()))) continue;
        batch.add(RowOutcome.done(row.row(), row.chunk(), row.line(), row.field(email).strip(), "created"));
        if (batch.size() == LEDGER_BATCH) {
          store.recordOutcomes(jobId, batch);
          recorded += batch.size();
          batch.clear();
        }
      }
    }
    store.recordOutcomes(jobId, batch);
    return recorded + batch.size();
  }

  private static Path walOf(Path db) {
    return db.resolveSibling(db.getFileName() + "-wal");
  }
}
