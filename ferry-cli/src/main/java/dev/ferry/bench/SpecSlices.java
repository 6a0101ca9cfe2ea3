package dev.ferry.bench;

import dev.ferry.spec.JobSpec;
import dev.ferry.sources.sql.SqlSourceConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a job spec's source into disjoint slices, one per run of a rung, so that no run re-sends a record another
 * sent (a real API would answer "already exists", and the study would measure that path instead). Slice {@code k}
 * holds records {@code k × rows} to {@code (k + 1) × rows − 1} of the source, in its order:
 * <ul>
 *   <li>CSV: cut at record boundaries by the CSV reader (quoted line breaks stay whole), each slice a file that
 *       repeats the header ({@link BenchSamples#slices});</li>
 *   <li>JSONL: non-blank lines, each slice a file of its lines;</li>
 *   <li>SQL: the spec's query, ordered by its key, {@code LIMIT rows OFFSET k × rows}
 *       ({@code SELECT * FROM (query) ferry_bench_slice ORDER BY key LIMIT … OFFSET …}, which PostgreSQL, SQLite,
 *       MySQL and MariaDB all accept); nothing is copied, and a slice past the table's end is empty.</li>
 * </ul>
 * A spec's JSONL results file goes to the study's own directory (one per slice): the study throws it away. Stateless.
 */
public final class SpecSlices {
  private SpecSlices() {}

  /**
   * The spec of each slice, in order.
   *
   * @param rows  records per slice, >= 1
   * @param count slices, >= 1
   * @param dir   where slice files (and results files) go
   * @throws IllegalArgumentException when a file source holds fewer than {@code rows × count} records (with more
   *                                  than one slice)
   */
  public static List<JobSpec> slices(JobSpec spec, long rows, int count, Path dir) throws IOException {
    if (rows < 1 || count < 1) throw new IllegalArgumentException("rows and count must be >= 1");
    List<JobSpec.SourceSpec> sources = new ArrayList<>();
    switch (spec.source()) {
      case JobSpec.CsvSource c -> {
        for (Path p : BenchSamples.slices(c.path(), rows, count, dir)) sources.add(new JobSpec.CsvSource(p, c.secretColumns(),
            c.requiredColumns(), c.columnsRead()));
      }
      case JobSpec.JsonlSource j -> {
        for (Path p : jsonl(j.path(), rows, count, dir)) sources.add(new JobSpec.JsonlSource(p, j.secretColumns()));
      }
      case JobSpec.SqlSource s -> {
        SqlSourceConfig c = s.config();
        for (int k = 0; k < count; k++) {
          String query = "SELECT * FROM (" + c.query() + ") ferry_bench_slice ORDER BY " + c.key() + " LIMIT " + rows
              + " OFFSET " + k * rows;
          sources.add(new JobSpec.SqlSource(new SqlSourceConfig(c.url(), query, c.key(), c.user(), c.password()),
              s.secretColumns()));
        }
      }
    }
    List<JobSpec> out = new ArrayList<>();
    for (int k = 0; k < sources.size(); k++) {
      JobSpec.SinkSpec sink = spec.sink() instanceof JobSpec.JsonlSink
          ? new JobSpec.JsonlSink(dir.resolve("results-" + (k + 1) + ".jsonl")) : spec.sink();
      out.add(spec.withSource(sources.get(k)).withSink(sink));
    }
    return out;
  }

  /** Non-blank lines of a JSON Lines file, {@code rows} a slice; with one slice and a short file, the file itself. */
  static List<Path> jsonl(Path file, long rows, int count, Path dir) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
    long available;
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      available = lines.filter(l -> !l.isBlank()).count();
    }
    if (count == 1 && available <= rows) return List.of(file);
    if (available < rows * count) {
      throw new IllegalArgumentException(file + " holds " + available + " records; " + count + " slices of " + rows
          + " need " + rows * count);
    }
    List<Path> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (int k = 0; k < count; k++) {
        Path slice = dir.resolve("slice-" + (k + 1) + "-of-" + count + ".jsonl");
        try (BufferedWriter o = Files.newBufferedWriter(slice, StandardCharsets.UTF_8)) {
          long n = 0;
          String line;
          while (n < rows && (line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            o.write(line);
            o.write('\n');
            n++;
          }
        }
        out.add(slice);
      }
    }
    return out;
  }
}
