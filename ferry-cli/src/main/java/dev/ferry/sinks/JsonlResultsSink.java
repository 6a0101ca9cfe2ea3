package dev.ferry.sinks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.engine.RowInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.Map;
import java.util.function.Function;
import dev.ferry.json.PooledJson;

/**
 * A JSON Lines results file: one line per settled row,
 * {@code {"row":N,"line":L,"key":"…","job":"J","results":{step:…}}}.
 *
 * <p>Exactly once per row across crashes: the line is written and flushed to the file before the ledger records
 * the row, so a kill -9 between the two leaves a line for a row the ledger does not know, and resume processes that
 * row again. Opening an existing file therefore reads the row numbers this job's lines hold (and cuts off a last
 * line a crash left half written); a row of this job already in the file is not written again. The file holds each
 * settled row of a job once, the first answer kept. Lines of another job (a file several jobs append to, e.g. the
 * default path of a spec run every day) are kept and never stand for this job's rows; a line without a job (written
 * before lines named theirs) counts as this job's, as it did then. Several processes of one job on one machine may share the file: every append, and the
 * recovery when a process opens the file, hold an exclusive lock on it (an advisory lock across processes), so one
 * process never cuts off a line another is writing.
 *
 * <p>Threadsafe: writes are serialised by the instance's monitor and the file lock (one short append each).
 */
public final class JsonlResultsSink implements ResultSink {
  private static final ObjectMapper JSON = new ObjectMapper(PooledJson.factory());
  private final Path file;
  private final String job;
  private final Function<RowInput, String> key;
  private final FileChannel out;
  /** Rows already in the file; guarded by this. */
  private final BitSet written = new BitSet();

  /**
   * Opens (or creates) the file for appending, first reading the rows of {@code job} it already holds.
   *
   * @param job the job whose rows this sink writes (each line names it)
   * @param key the row's business key (the spec's {@code key}), or null
   */
  public JsonlResultsSink(Path file, String job, Function<RowInput, String> key) throws IOException {
    this.file = file.toAbsolutePath().normalize();
    this.job = java.util.Objects.requireNonNull(job, "job");
    this.key = key;
    if (this.file.getParent() != null) Files.createDirectories(this.file.getParent());
    recover();
    this.out = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
  }

  /** Reads the rows the file holds; cuts a trailing partial line (a crash mid-write). */
  private void recover() throws IOException {
    if (!Files.exists(file)) return;
    long keep = 0;
    try (FileChannel raf = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = raf.lock()) {
      byte[] all = new byte[(int) Math.min(raf.size(), Integer.MAX_VALUE - 8)];
      ByteBuffer into = ByteBuffer.wrap(all);
      while (into.hasRemaining() && raf.read(into) >= 0) {
        // reads the whole file
      }
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] != '\n') continue;
        markRow(new String(all, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
        keep = start;
      }
      if (keep < raf.size()) raf.truncate(keep);
    }
  }

  private void markRow(String line) {
    if (line.isBlank()) return;
    try {
      JsonNode node = JSON.readTree(line);
      JsonNode row = node.get("row");
      JsonNode owner = node.get("job");
      boolean ours = owner == null || owner.isNull() || job.equals(owner.asText());
      if (ours && row != null && row.canConvertToLong()) written.set(Math.toIntExact(row.asLong()));
    } catch (IOException | ArithmeticException e) {
      throw new IllegalStateException(file + ": not a ferry results file (a line is not JSON); move it away or"
          + " give another results path", e);
    }
  }

  /** Whether the file holds the row of this job (for tests and reports). */
  public synchronized boolean holds(long row) {
    return written.get(Math.toIntExact(row));
  }

  @Override
  public void write(RowInput row, Map<String, Object> results) throws IOException {
    ObjectNode line = JSON.createObjectNode();
    line.put("row", row.row());
    line.put("line", row.line());
    if (key != null) line.put("key", key.apply(row));
    line.put("job", job);
    line.set("results", JSON.valueToTree(results));
    byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      int r = Math.toIntExact(row.row());
      if (written.get(r)) return;
      try (FileLock lock = out.lock()) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) out.write(b);
      }
      written.set(r);
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
