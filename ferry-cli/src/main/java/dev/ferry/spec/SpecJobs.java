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
    // a dry run resolves no lookup before its rows (nor does its resume, a dry run too): no keys to find for it
    dev.ferry.steps.PrewarmKeys warm = settings.dryRun() ? null : new dev.ferry.steps.PrewarmKeys(spec.steps(),
        spec.vars(), spec.tables(), jobId, spec.secretColumns());
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
        if (warm != null && warm.active()) warm.add(row);
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
    if (warm != null) warm.writeTo(store, jobId);
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
      throw new dev.ferry.core.source.InputException(csv.path() + ":1: " + (looksLikeData && dev.ferry.sources.CsvDelimiters.guess(header) == 0
          ? "no header row: the first line looks like data (" + found + "); add a header line naming the columns"
          : "no '" + column + "' column in the header (found: " + found + ")" + dev.ferry.sources.CsvDelimiters.hint(header)));
    }
  }

  /**
   * A warning for a CSV source whose header has none of the columns the spec's templates read by name
   * ({@code row.NAME}): every such read would be null, and rows would go "done" with empty fields. Only when none is
   * there: specs legitimately read optional columns (the built-in workos-import reads org_id, role_slugs, ... that many
   * files lack). Null when there is nothing to say, when a template reads the row otherwise (any column), when a
   * {@code required_columns} entry is missing (planning refuses that, naming it), or when the header cannot be read
   * (planning reports it).
   *
   * @return one line naming the file, the columns read and the header found, and the delimiter the file seems to use
   *     when its header is one column holding {@code ;}, a tab or {@code |}
   */
  public static String missingColumnsWarning(JobSpec spec) {
    if (spec.source() instanceof JobSpec.SqlSource sql) return missingSqlColumnsWarning(spec.file(), sql);
    if (!(spec.source() instanceof JobSpec.CsvSource csv) || csv.columnsRead() == null || csv.columnsRead().isEmpty()) {
      return null;
    }
    dev.ferry.core.source.CsvHeader header;
    try {
      if (!java.nio.file.Files.isRegularFile(csv.path())) return null;
      header = dev.ferry.core.source.CsvReader.readHeader(csv.path(), dev.ferry.core.source.CsvLimits.defaults());
    } catch (IOException | RuntimeException e) {
      return null;
    }
    for (String column : csv.requiredColumns()) if (header.indexOf(column) < 0) return null;
    for (String column : csv.columnsRead()) if (header.indexOf(column) >= 0) return null;
    return csv.path() + ":1: the header has none of the columns the spec reads (" + clip(String.join(", ",
        csv.columnsRead())) + "): each row." + csv.columnsRead().iterator().next() + " would be empty; header: "
        + clip(String.join(", ", header.columns())) + dev.ferry.sources.CsvDelimiters.hint(header);
  }

  /**
   * A warning for a SQL source whose query returns none of some columns the templates read by name: a query's columns
   * are the same for every row, so each such read is null for every row (a spec reading {@code row.content} of a query
   * returning {@code body} sent an empty input for each document, and its dry run said every row was fine). Each
   * missing column is named, with "did you mean". Null when every column is there, when a template reads the row
   * otherwise, or when the query cannot be read (planning reports it).
   */
  private static String missingSqlColumnsWarning(String file, JobSpec.SqlSource sql) {
    if (sql.columnsRead() == null || sql.columnsRead().isEmpty()) return null;
    List<String> columns;
    try {
      columns = new dev.ferry.sources.sql.SqlSource(sql.config()).columns();
    } catch (IOException | RuntimeException e) {
      return null;
    }
    List<String> missing = new java.util.ArrayList<>();
    for (String column : sql.columnsRead()) {
      if (columns.contains(column)) continue;
      String near = Suggest.closest(column, columns);
      missing.add("row." + column + (near != null ? " (did you mean row." + near + "?)" : ""));
    }
    if (missing.isEmpty()) return null;
    return file + ": source.sql.query returns no column for " + String.join(", ", missing) + ": each such read is"
        + " null for every row; the query's columns: " + clip(String.join(", ", columns));
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  static RowOutcome invalidRow(RowInput row) {
    return RowOutcome.invalid(row.row(), row.chunk(), row.line(), "", "malformed_row", row.error());
  }
}
