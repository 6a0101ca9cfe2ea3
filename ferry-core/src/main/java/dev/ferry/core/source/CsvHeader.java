package dev.ferry.core.source;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The header row of an input file and where the data starts. Immutable.
 *
 * @param columns       column names, trimmed, in file order
 * @param dataOffset    byte offset just past the header record (its line terminator included)
 * @param dataFirstLine 1-based line number on which the data starts
 * @param hadBom        whether the file started with a UTF-8 byte order mark (skipped)
 */
public record CsvHeader(List<String> columns, long dataOffset, long dataFirstLine, boolean hadBom) {

  /** @throws IllegalArgumentException on a negative offset, a line below 1 or no columns */
  public CsvHeader {
    columns = List.copyOf(Objects.requireNonNull(columns, "columns cannot be null"));
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a header needs at least one column");
    }
    if (dataOffset < 0 || dataFirstLine < 1) {
      throw new IllegalArgumentException("invalid data start " + dataOffset + " (line " + dataFirstLine + ")");
    }
  }

  /**
   * Index of a column, comparing trimmed names without regard to case.
   *
   * @return the 0-based index, or -1 when there is no such column
   */
  public int indexOf(String column) {
    String wanted = normalize(Objects.requireNonNull(column, "column cannot be null"));
    for (int i = 0; i < columns.size(); i++) {
      if (normalize(columns.get(i)).equals(wanted)) {
        return i;
      }
    }
    return -1;
  }

  /** The number of columns, which is the number of fields every data record must have. */
  public int size() {
    return columns.size();
  }

  static String normalize(String name) {
    return name.strip().toLowerCase(Locale.ROOT);
  }
}
