package dev.ferry.spec;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.sources.CsvRecordSource;
import dev.ferry.sources.JsonlSource;
import dev.ferry.sources.RecordSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans spec jobs and opens their sources: the part of a spec job's wiring that does not depend on how it is run.
 * Stateless, threadsafe.
 */
public final class SpecJobs {
  /** Invalid rows found while planning are recorded in batches of this many. */
  private static final int OUTCOME_BATCH = 1000;

  private SpecJobs() {}

  /** The spec's source. */
  public static RecordSource source(JobSpec spec) {
    return switch (spec.source()) {
      case JobSpec.CsvSource c -> new CsvRecordSource(c.path());
      case JobSpec.JsonlSource j -> new JsonlSource(j.path());
      case JobSpec.SqlSource s -> new dev.ferry.sources.sql.SqlSource(s.config());
    };
  }

  /**
   * Plans a new spec job: reads the source once, cuts chunks, records the rows that cannot be read (a malformed
   * JSONL line, a broken CSV record) as invalid, and leaves the job RUNNING.
   */
  public static JobRecord plan(JobStore store, String jobId, JobSpec spec, SpecSettings settings, WallClock clock)
      throws IOException {
    RecordSource source = source(spec);
    long now = clock.millis();
    store.createJob(new JobRecord(jobId, SpecSettings.KIND, source.describe(), 0, "", 0, spec.chunkSize(),
        settings.toJson(), JobStatus.PLANNING, "", now, now));
    List<RowOutcome> invalid = new ArrayList<>();
    ChunkPlan plan = source.plan(spec.chunkSize(), row -> {
      if (row.error() == null) return;
      invalid.add(invalidRow(row));
      if (invalid.size() >= OUTCOME_BATCH) {
        store.recordOutcomes(jobId, invalid);
        invalid.clear();
      }
    });
    store.recordOutcomes(jobId, invalid);
    store.completePlan(jobId, plan.chunks(), plan.totalRows(), plan.fileSize(), plan.sha256Hex(), clock.millis());
    return store.findJob(jobId).orElseThrow();
  }

  static RowOutcome invalidRow(RowInput row) {
    return RowOutcome.invalid(row.row(), row.chunk(), row.line(), "", "malformed_row", row.error());
  }
}
