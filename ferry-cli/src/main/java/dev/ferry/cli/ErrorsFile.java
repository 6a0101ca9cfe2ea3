package dev.ferry.cli;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.CsvChunkSource;
import dev.ferry.core.source.CsvHeader;
import dev.ferry.core.source.CsvLimits;
import dev.ferry.core.source.CsvReader;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.RowOutcome;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the failed and invalid rows of a job as a CSV that can be fixed and fed back as an input: ferry's
 * diagnostics first ({@link #DIAGNOSTICS}), then the row's own input columns as they were read. Owner-only
 * permissions; rewritten from the ledger at the end of every run so it always matches the state.
 *
 * <p>Never holds the API key, and never a secret column of the input (WorkOS: {@code password},
 * {@code password_hash}): those values are left empty and {@code ferry_secret_omitted} names the emptied
 * columns, so a re-import of the row refuses it until the value is put back, instead of creating the user
 * without a password. A malformed record (e.g. an unterminated quote) keeps only its diagnostics: its fields
 * may hold the rest of the file. When the input cannot be read any more, the file holds the diagnostics and
 * the email the ledger kept.
 *
 * <p>Streams: the ledger's problems come in row order and chunks are in row order, so one pass reads each
 * chunk holding a problem once, from its byte offset.
 */
final class ErrorsFile {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorsFile.class);
  /** ferry's columns, all prefixed {@code ferry_} so that an import of the file ignores them. */
  static final List<String> DIAGNOSTICS = List.of("ferry_line", "ferry_step", "ferry_http_status", "ferry_code",
      "ferry_message", "ferry_request_id", "ferry_secret_omitted");
  static final String PREFIX = "ferry_";

  private ErrorsFile() {}

  /**
   * Writes the file; returns the number of rows in it.
   *
   * @param secretColumns input columns whose values never leave the input file (compared case-insensitively)
   */
  static long write(JobStore store, JobRecord job, Set<String> secretColumns, Path file) throws IOException {
    return write(store, job, secretColumns, file, null);
  }

  /**
   * The input columns of a job whose input is not read as CSV (a spec's JSONL or SQL source): the names, the chunks'
   * rows with their {@code fields} in that order (secret values already masked), and for a row the names of the
   * secret fields it held ({@code ferry_secret_omitted}). Immutable.
   */
  record Input(List<String> columns, ChunkSource source, java.util.function.Function<RowInput, List<String>> omitted) {}

  /** As {@link #write(JobStore, JobRecord, Set, Path)}, reading the rows from {@code input} (null: the CSV). */
  static long write(JobStore store, JobRecord job, Set<String> secretColumns, Path file, Input given)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // A temporary file of this writer's own (owner-only, as createTempFile makes it): the processes of a distributed
    // job that share a directory may write the file at the same moment; each renames its whole file into place.
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      long rows = writeRows(store, job, secretColumns, tmp, given);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
      return rows;
    } finally {
      if (!moved) Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the temporary files a writer of {@code file} killed mid-write left beside it ({@code NAME.<digits>.tmp}:
   * {@link #write}'s own, owner-only, holding rows' input columns), so kill -9 does not leave copies of failed rows
   * behind. Only for a sole writer: an embedded job (its lock proves no other process writes its errors file); in
   * distributed mode another process's file of that name may be one being written now.
   */
  static void removeLeftovers(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) return;
    String prefix = file.getFileName() + ".";
    try (var names = Files.newDirectoryStream(dir, p -> {
      String n = p.getFileName().toString();
      return n.startsWith(prefix) && n.endsWith(".tmp")
          && n.substring(prefix.length(), n.length() - 4).matches("[0-9]+");
    })) {
      for (Path leftover : names) Files.deleteIfExists(leftover);
    }
  }

  private static long writeRows(JobStore store, JobRecord job, Set<String> secretColumns, Path tmp, Input given)
      throws IOException {
    InputRows input = InputRows.open(store, job, given);
    long[] rows = {0};
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8); input) {
      List<String> columns = input.columns();
      List<String> header = new ArrayList<>(DIAGNOSTICS);
      for (String c : columns) if (!c.toLowerCase(Locale.ROOT).startsWith(PREFIX)) header.add(c);
      line(w, header);
      store.forEachProblem(job.id(), o -> {
        try {
          RowInput in = input.find(o);
          List<String> masked = given == null || in == null ? List.of() : given.omitted().apply(in);
          line(w, record(o, in, columns, secretColumns, masked, given != null));
          rows[0]++;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return rows[0];
  }

  /**
   * @param masked secret fields the input already masked in its columns (a JSONL or SQL record's paths)
   * @param given  the columns are a given {@link Input}'s, which says itself what a malformed row shows
   */
  private static List<String> record(RowOutcome o, RowInput in, List<String> columns, Set<String> secretColumns,
      List<String> masked, boolean given) {
    List<String> values = new ArrayList<>(DIAGNOSTICS.size() + columns.size());
    List<String> omitted = new ArrayList<>(masked);
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i);
      if (name.toLowerCase(Locale.ROOT).startsWith(PREFIX)) continue; // a fed-back errors file: fresh diagnostics
      String value;
      if (in == null) {
        value = name.equalsIgnoreCase("email") ? o.key() : "";
      } else if (in.error() != null && !given) {
        value = ""; // a malformed CSV record: its fields may hold the rest of the file
      } else {
        value = in.field(i);
      }
      if (!value.isEmpty() && secretColumns.contains(name.strip().toLowerCase(Locale.ROOT))) {
        omitted.add(name);
        value = "";
      }
      fields.add(value);
    }
    values.add(String.valueOf(o.line()));
    values.add(o.step());
    values.add(o.httpStatus() == 0 ? "" : String.valueOf(o.httpStatus()));
    values.add(o.code());
    values.add(o.message());
    values.add(o.requestId());
    values.add(String.join(" ", omitted));
    values.addAll(fields);
    return values;
  }

  private static void line(BufferedWriter w, List<String> values) throws IOException {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) w.write(',');
      w.write(csv(values.get(i)));
    }
    w.write('\n');
  }

  static String csv(String s) {
    if (s == null || s.isEmpty()) return "";
    boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  /**
   * The input rows of the problems, read chunk by chunk in row order. Not threadsafe (one writer uses it).
   */
  private static final class InputRows implements AutoCloseable {
    private final List<String> columns;
    private final ChunkSource source;
    private final Map<Integer, ChunkRecord> chunks;
    private ChunkSource.RowCursor cursor;
    private int cursorChunk = -1;
    private RowInput last;

    private InputRows(List<String> columns, ChunkSource source, Map<Integer, ChunkRecord> chunks) {
      this.columns = columns;
      this.source = source;
      this.chunks = chunks;
    }

    static InputRows open(JobStore store, JobRecord job, Input given) {
      Path input = Path.of(job.inputPath());
      if (given != null) {
        Map<Integer, ChunkRecord> chunks = new HashMap<>();
        for (ChunkRecord c : store.chunks(job.id())) chunks.put(c.spec().index(), c);
        return new InputRows(given.columns(), given.source(), chunks);
      }
      try {
        CsvHeader header = CsvReader.readHeader(input, CsvLimits.defaults());
        Map<Integer, ChunkRecord> chunks = new HashMap<>();
        for (ChunkRecord c : store.chunks(job.id())) chunks.put(c.spec().index(), c);
        return new InputRows(header.columns(), new CsvChunkSource(input, header, CsvLimits.defaults()), chunks);
      } catch (IOException | RuntimeException e) {
        LOG.warn("errors file without input columns: cannot read {} ({})", input, e.getClass().getSimpleName());
        return new InputRows(List.of("email"), null, Map.of());
      }
    }

    List<String> columns() {
      return columns;
    }

    /** The input row of an outcome, or null when it cannot be read. Outcomes must come in row order. */
    RowInput find(RowOutcome o) {
      if (source == null) return null;
      try {
        if (cursorChunk != o.chunk()) {
          closeCursor();
          ChunkRecord chunk = chunks.get(o.chunk());
          if (chunk == null) return null;
          cursor = source.open(chunk.spec());
          cursorChunk = o.chunk();
          last = null;
        }
        while (last == null || last.row() < o.row()) {
          last = cursor.next();
          if (last == null) { // the chunk ended first: the input changed
            closeCursor();
            return null;
          }
        }
        return last.row() == o.row() ? last : null;
      } catch (IOException e) {
        LOG.warn("errors file: cannot read line {} of the input ({})", o.line(), e.getClass().getSimpleName());
        try {
          closeCursor();
        } catch (IOException ignored) {
          // already failing: the row is written without its input columns
        }
        return null;
      }
    }

    private void closeCursor() throws IOException {
      ChunkSource.RowCursor c = cursor;
      cursor = null;
      cursorChunk = -1;
      if (c != null) c.close();
    }

    @Override
    public void close() throws IOException {
      closeCursor();
    }
  }
}
