package dev.ferry.spec;

import dev.ferry.core.source.CsvHeader;
import dev.ferry.core.source.CsvLimits;
import dev.ferry.core.source.CsvReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a spec's {@code tables}: a CSV file with a header, one column as the key and one as the value, into a map
 * that templates read as {@code tables.NAME[key]}. A blank key, a key given twice with different values, or a value
 * that does not match the table's pattern is an error naming the file and line. Stateless, threadsafe.
 */
final class LookupTables {
  /** Rows a table may have: it is held in memory by every process of the job. */
  static final int MAX_ROWS = 1_000_000;

  private LookupTables() {}

  /**
   * @return key → value, unmodifiable, in file order
   * @throws IllegalArgumentException naming the file, line and column of what is wrong
   */
  static Map<String, Object> read(Path file, String keyColumn, String valueColumn, java.util.regex.Pattern values) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such file" + (Files.isDirectory(file) ? " (a directory)" : ""));
    }
    try {
      CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());
      int key = header.indexOf(keyColumn);
      int value = header.indexOf(valueColumn);
      if (key < 0 || value < 0) {
        throw new IllegalArgumentException(file + ":1: no column '" + (key < 0 ? keyColumn : valueColumn)
            + "' in the header (found: " + String.join(", ", header.columns()) + ")");
      }
      Map<String, Object> table = new LinkedHashMap<>();
      try (CsvReader r = CsvReader.open(file, header, header.dataOffset(), header.dataFirstLine(), 1,
          CsvLimits.defaults())) {
        while (r.next()) {
          if (r.error() != null) throw new IllegalArgumentException(file + ":" + r.line() + ": " + r.error());
          String k = r.field(key).strip();
          String v = r.field(value).strip();
          if (k.isEmpty()) {
            if (v.isEmpty()) continue; // an empty line of a spreadsheet export
            throw new IllegalArgumentException(file + ":" + r.line() + ": " + keyColumn + " is empty");
          }
          if (values != null && !values.matcher(v).matches()) {
            throw new IllegalArgumentException(file + ":" + r.line() + ": " + valueColumn + " '" + clip(v)
                + "' does not match " + values.pattern());
          }
          Object before = table.putIfAbsent(k, v);
          if (before != null && !before.equals(v)) {
            throw new IllegalArgumentException(file + ":" + r.line() + ": '" + k + "' is given twice ('" + before
                + "', then '" + v + "')");
          }
          if (table.size() > MAX_ROWS) {
            throw new IllegalArgumentException(file + ": more than " + MAX_ROWS + " rows (a table is held in memory)");
          }
        }
      }
      return Collections.unmodifiableMap(table);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    } catch (dev.ferry.core.source.CsvFormatException | dev.ferry.core.source.InputException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
