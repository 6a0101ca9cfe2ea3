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
import dev.ferry.sources.KeyIndex;
import dev.ferry.sources.RecordSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;

/**
 * Plans spec jobs and opens their sources: the part of a spec job's wiring that does not depend on how it is run.
 * Stateless, threadsafe.
 */
public final class SpecJobs {
  /** Invalid rows found while planning are recorded in batches of this many. */
  private static final int OUTCOME_BATCH = 1000;

  private SpecJobs() {}

  /** The input file of a file source (CSV, JSONL), or null. */
  public static java.nio.file.Path inputFile(JobSpec spec) {
    return switch (spec.source()) {
      case JobSpec.CsvSource c -> c.path();
      case JobSpec.JsonlSource j -> j.path();
      case JobSpec.SqlSource s -> null;
    };
  }

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
   * JSONL line, a broken CSV record) and the rows repeating an earlier row's {@code unique} key as invalid, and leaves
   * the job RUNNING.
   */
  public static JobRecord plan(JobStore store, String jobId, JobSpec spec, SpecSettings settings, WallClock clock)
      throws IOException {
    if (spec.source() instanceof JobSpec.CsvSource c && !c.requiredColumns().isEmpty()) requireColumns(c);
    RecordSource source = source(spec);
    long now = clock.millis();
    store.createJob(new JobRecord(jobId, SpecSettings.KIND, source.describe(), 0, "", 0, spec.chunkSize(),
        settings.toJson(), JobStatus.PLANNING, "", now, now));
    java.nio.file.Path file = inputFile(spec);
    if (file != null && java.nio.file.Files.isRegularFile(file)) {
      // Read before the planning pass: a file changed during it has another time at resume, and is refused there.
      store.putLookup(jobId, dev.ferry.sources.PlannedFile.NAMESPACE, dev.ferry.sources.PlannedFile.MTIME,
          dev.ferry.sources.PlannedFile.modifiedAt(file));
    }
    List<RowOutcome> invalid = new ArrayList<>();
    java.util.function.Consumer<RowOutcome> record = o -> {
      invalid.add(o);
      if (invalid.size() >= OUTCOME_BATCH) {
        store.recordOutcomes(jobId, invalid);
        invalid.clear();
      }
    };
    int chunkSize = spec.chunkSize();
    JobSpec.Reporting names = spec.reporting();
    KeyIndex.Sink duplicate = (row, line, key, firstLine) -> record.accept(RowOutcome.invalid(row,
        (int) ((row - 1) / chunkSize), line, clip(key), names.uniqueCode(), names.uniqueLabel().isEmpty()
            ? "'" + clip(key) + "' already appears on line " + firstLine + " (unique: " + spec.unique().source() + ")"
            : names.uniqueLabel() + " " + clip(key) + " already appears on line " + firstLine));
    Map<String, Object> job = Map.of("id", jobId);
    dev.ferry.steps.PrewarmKeys warm = new dev.ferry.steps.PrewarmKeys(spec.steps(), spec.vars(), spec.tables(), jobId,
        spec.secretColumns());
    ChunkPlan plan;
    Template unique = spec.unique();
    // the row's place only for a key that reads it: else every row's context shares one empty map
    boolean uniqueReadsSource = unique != null && unique.readsRoot("source");
    try (KeyIndex keys = unique == null ? null : new KeyIndex()) {
      plan = source.plan(spec.chunkSize(), row -> {
        if (row.error() != null) {
          record.accept(invalidRow(row));
          return;
        }
        if (warm.active()) warm.add(row);
        if (keys == null) return;
        String key;
        try {
          key = unique.renderText(RenderContext.ofRow(row.record() == null ? Map.of() : row.record(), Map.of(), job,
              uniqueReadsSource ? Map.of("row", row.row(), "line", row.line()) : Map.of())).strip();
        } catch (SpecException e) {
          return; // the row's checks and steps report what is wrong with it
        }
        if (key.isEmpty()) return;
        try {
          keys.add(key, row.row(), row.line(), duplicate);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      if (keys != null) keys.finish(duplicate);
    }
    store.recordOutcomes(jobId, invalid);
    warm.writeTo(store, jobId);
    store.completePlan(jobId, plan.chunks(), plan.totalRows(), plan.fileSize(), plan.sha256Hex(), clock.millis());
    return store.findJob(jobId).orElseThrow();
  }

  /**
   * Refuses a CSV file whose header lacks a required column, before anything is planned.
   *
   * @throws InputException naming the file, the column and the header found (or that the first line looks like data)
   */
  static void requireColumns(JobSpec.CsvSource csv) throws IOException {
    if (java.nio.file.Files.isDirectory(csv.path())) {
      throw new dev.ferry.core.source.InputException(csv.path() + ": is a directory, not a CSV file");
    }
    dev.ferry.core.source.CsvHeader header;
    try {
      header = dev.ferry.core.source.CsvReader.readHeader(csv.path(), dev.ferry.core.source.CsvLimits.defaults());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new dev.ferry.core.source.InputException(csv.path() + ": no such file");
    }
    for (String column : csv.requiredColumns()) {
      if (header.indexOf(column) >= 0) continue;
      String found = clip(String.join(", ", header.columns()));
      boolean looksLikeData = header.columns().stream().anyMatch(c -> c.indexOf('@') > 0);
      throw new dev.ferry.core.source.InputException(csv.path() + ":1: " + (looksLikeData
          ? "no header row: the first line looks like data (" + found + "); add a header line naming the columns"
          : "no '" + column + "' column in the header (found: " + found + ")"));
    }
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  static RowOutcome invalidRow(RowInput row) {
    return RowOutcome.invalid(row.row(), row.chunk(), row.line(), "", "malformed_row", row.error());
  }
}
