package dev.ferry.sources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import dev.ferry.json.PooledJson;

/**
 * A JSON Lines file as a job's input: one JSON object per line, its fields (nested objects and arrays included)
 * the row's record. Blank lines are skipped (they are no row, but count as lines). A line that is not a JSON
 * object is an invalid row naming its file and line, its text the row's one field; the job goes on. Chunks start at
 * a line's byte offset; "unchanged" means the same size and SHA-256. Threadsafe (immutable; each chunk is read with
 * its own stream).
 */
public final class JsonlSource extends FileRecordSource {
  /** Longest line read as a row; a longer one is an invalid row. */
  static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper(PooledJson.factory())
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // which one would be meant?
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final int maxLineBytes;

  public JsonlSource(Path file) {
    this(file, MAX_LINE_BYTES);
  }

  JsonlSource(Path file, int maxLineBytes) {
    super(file);
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public ChunkPlan plan(int chunkSize, Consumer<RowInput> visitor) throws IOException {
    if (chunkSize < 1) throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
    MessageDigest sha256 = FileFingerprint.sha256();
    List<ChunkSpec> chunks = new ArrayList<>();
    long rows = 0;
    long chunkOffset = 0;
    long chunkLine = 0;
    int inChunk = 0;
    try (JsonlLineReader lines = new JsonlLineReader(open(0), 0, 1, sha256, maxLineBytes)) {
      while (lines.next()) {
        if (lines.blank()) continue;
        rows++;
        if (inChunk == 0) {
          chunkOffset = lines.offset();
          chunkLine = lines.lineNumber();
        }
        visitor.accept(row(lines, rows, chunks.size()));
        if (++inChunk == chunkSize) {
          chunks.add(new ChunkSpec(chunks.size(), chunkOffset, chunkLine, rows - inChunk + 1, inChunk));
          inChunk = 0;
        }
      }
      if (inChunk > 0) chunks.add(new ChunkSpec(chunks.size(), chunkOffset, chunkLine, rows - inChunk + 1, inChunk));
      return new ChunkPlan(chunks, rows, lines.bytesRead(), FileFingerprint.hex(sha256));
    }
  }

  @Override
  public ChunkSource chunks() {
    return chunk -> {
      JsonlLineReader lines = new JsonlLineReader(open(chunk.byteOffset()), chunk.byteOffset(), chunk.firstLine(),
          null, maxLineBytes);
      return new ChunkSource.RowCursor() {
        private int read;

        @Override
        public RowInput next() throws IOException {
          while (read < chunk.rowCount() && lines.next()) {
            if (lines.blank()) continue;
            return row(lines, chunk.firstRow() + read++, chunk.index());
          }
          return null;
        }

        @Override
        public void close() throws IOException {
          lines.close();
        }
      };
    };
  }

  private RowInput row(JsonlLineReader lines, long row, int chunk) {
    long line = lines.lineNumber();
    if (lines.overlong()) {
      return invalid(row, chunk, line, "the line is longer than " + maxLineBytes + " bytes");
    }
    Object value;
    try {
      value = JSON.readValue(lines.bytes(), 0, lines.length(), Object.class);
    } catch (JsonProcessingException e) {
      return invalid(row, chunk, line, JsonLineError.describe(e), text(lines));
    } catch (IOException e) {
      return invalid(row, chunk, line, "not valid JSON", text(lines));
    }
    if (!(value instanceof Map<?, ?> map)) {
      return invalid(row, chunk, line, "expected a JSON object, found " + kind(value), text(lines));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> record = Collections.unmodifiableMap((Map<String, Object>) map);
    return new RowInput(row, chunk, line, null, null, record);
  }

  private RowInput invalid(long row, int chunk, long line, String why) {
    return invalid(row, chunk, line, why, null);
  }

  /**
   * @param text the line as read (its one field), so that the errors file can give it back to be fixed; null when
   *     it was not read whole. Never in a message: it may hold a secret field's value ({@link JsonLineError}).
   */
  private RowInput invalid(long row, int chunk, long line, String why, String text) {
    return new RowInput(row, chunk, line, text == null ? null : new String[] {text},
        file.getFileName() + ":" + line + ": " + why, Map.of());
  }

  /** The line's text (bytes that are not UTF-8 read as U+FFFD). */
  private static String text(JsonlLineReader lines) {
    return new String(lines.bytes(), 0, lines.length(), StandardCharsets.UTF_8);
  }

  private static String kind(Object value) {
    if (value == null) return "null";
    if (value instanceof List<?>) return "an array";
    if (value instanceof String) return "a string";
    if (value instanceof Boolean) return "a boolean";
    return "a number";
  }

  private InputStream open(long offset) throws IOException {
    if (Files.isDirectory(file)) throw new InputException(file + ": is a directory, not a JSONL file");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": no such file");
    }
    channel.position(offset);
    return Channels.newInputStream(channel); // JsonlLineReader buffers itself
  }
}
