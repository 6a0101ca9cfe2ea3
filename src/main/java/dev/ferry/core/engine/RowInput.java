package dev.ferry.core.engine;

/**
 * One input record handed to a {@link RowProcessor}. Immutable (the array is a private copy).
 *
 * @param row    1-based data row number
 * @param chunk  chunk index
 * @param line   1-based physical line the record starts on
 * @param fields decoded fields, in header order
 * @param error  null when the record is well-formed, else why it is not (the row is invalid)
 */
public record RowInput(long row, int chunk, long line, String[] fields, String error) {
  public String field(int index) {
    return index >= 0 && index < fields.length ? fields[index] : "";
  }
}
