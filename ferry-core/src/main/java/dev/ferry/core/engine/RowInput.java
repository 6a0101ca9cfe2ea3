package dev.ferry.core.engine;

import java.util.Map;

/**
 * One input record handed to a {@link RowProcessor}. Immutable (the array is a private copy, the record an
 * unmodifiable map).
 *
 * @param row    1-based data row number
 * @param chunk  chunk index
 * @param line   1-based physical line the record starts on (for sources that are not files: the row number)
 * @param fields decoded fields, in header order (CSV); empty for sources whose rows are records
 * @param error  null when the record is well-formed, else why it is not (the row is invalid)
 * @param record the row's named fields, possibly nested (values are String, Number, Boolean, null, List and
 *               Map of the same), or null when the source gives only {@code fields}
 */
public record RowInput(long row, int chunk, long line, String[] fields, String error, Map<String, Object> record) {
  public RowInput {
    fields = fields == null ? new String[0] : fields;
  }

  /** A CSV row: fields in header order, no record. */
  public RowInput(long row, int chunk, long line, String[] fields, String error) {
    this(row, chunk, line, fields, error, null);
  }

  public String field(int index) {
    return index >= 0 && index < fields.length ? fields[index] : "";
  }
}
