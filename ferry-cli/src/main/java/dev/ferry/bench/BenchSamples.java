package dev.ferry.bench;

import dev.ferry.core.source.CsvHeader;
import dev.ferry.core.source.CsvLimits;
import dev.ferry.core.source.CsvReader;
import dev.ferry.recipes.workos.UserCsvGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The input files of a study: a generated sample, the head of the user's file, or disjoint slices of it (one
 * per rung, for a real target that must never see a row twice). Slices are cut at record boundaries found by
 * the CSV reader, so quoted line breaks stay whole; each slice repeats the header. Stateless.
 */
public final class BenchSamples {
  private BenchSamples() {}

  /** Writes {@code rows} generated users in {@code orgs} organizations to {@code dir/sample-ROWS.csv}. */
  public static Path generated(Path dir, long rows, int orgs) throws IOException {
    Path file = dir.resolve("sample-" + rows + ".csv");
    UserCsvGenerator.write(file, rows, orgs);
    return file;
  }

  /** Data rows in the file (blank lines are not rows). */
  public static long countRows(Path csv) throws IOException {
    CsvHeader header = CsvReader.readHeader(csv, CsvLimits.defaults());
    long n = 0;
    try (CsvReader r = CsvReader.open(csv, header, header.dataOffset(), header.dataFirstLine(), 1,
        CsvLimits.defaults())) {
      while (r.next()) n++;
    }
    return n;
  }

  /**
   * Cuts {@code count} consecutive slices of {@code rows} rows each from the start of {@code csv} into
   * {@code dir}. With {@code count} 1 and a file of at most {@code rows} rows, returns the file itself.
   *
   * @throws IllegalArgumentException when the file holds fewer than {@code rows × count} rows
   */
  public static List<Path> slices(Path csv, long rows, int count, Path dir) throws IOException {
    if (rows < 1 || count < 1) throw new IllegalArgumentException("rows and count must be >= 1");
    long available = countRows(csv);
    if (count == 1 && available <= rows) return List.of(csv);
    if (available < rows * count) {
      throw new IllegalArgumentException(csv + " holds " + available + " rows; " + count + " slices of " + rows
          + " need " + rows * count);
    }
    CsvHeader header = CsvReader.readHeader(csv, CsvLimits.defaults());
    List<long[]> ranges = new ArrayList<>();
    try (CsvReader r = CsvReader.open(csv, header, header.dataOffset(), header.dataFirstLine(), 1,
        CsvLimits.defaults())) {
      long start = -1;
      long n = 0;
      while (ranges.size() < count && r.next()) {
        if (n % rows == 0) start = r.offset();
        n++;
        if (n % rows == 0) ranges.add(new long[] {start, r.endOffset()});
      }
    }
    List<Path> out = new ArrayList<>();
    try (FileChannel in = FileChannel.open(csv, StandardOpenOption.READ)) {
      for (int i = 0; i < ranges.size(); i++) {
        Path slice = dir.resolve("slice-" + (i + 1) + "-of-" + count + ".csv");
        try (FileChannel o = FileChannel.open(slice, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
          copy(in, 0, header.dataOffset(), o);
          long[] range = ranges.get(i);
          copy(in, range[0], range[1] - range[0], o);
          if (endsWithoutNewline(in, range[1])) {
            o.write(ByteBuffer.wrap(new byte[] {'\n'}));
          }
        }
        out.add(slice);
      }
    }
    return out;
  }

  private static void copy(FileChannel in, long position, long length, FileChannel out) throws IOException {
    long done = 0;
    while (done < length) {
      long n = in.transferTo(position + done, length - done, out);
      if (n <= 0) throw new IOException("short read at " + (position + done));
      done += n;
    }
  }

  private static boolean endsWithoutNewline(FileChannel in, long end) throws IOException {
    if (end <= 0) return false;
    ByteBuffer b = ByteBuffer.allocate(1);
    in.read(b, end - 1);
    return b.get(0) != '\n' && b.get(0) != '\r';
  }

  /** Deletes a directory tree, ignoring what cannot be deleted. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a temp dir
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
