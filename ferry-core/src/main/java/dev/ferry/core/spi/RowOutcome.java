package dev.ferry.core.spi;

/**
 * The recorded outcome of one input row. Immutable. Never holds secrets: {@code key} is the row's
 * business key (the email), {@code message} the target's or validator's message.
 *
 * @param row        1-based data row number (stable identity within a job)
 * @param chunk      chunk index the row belongs to
 * @param line       1-based physical line the record starts on
 * @param outcome    final outcome
 * @param retryable  FAILED only: the failure was transient (retries exhausted); {@code resume} re-sends it
 * @param key        business key of the row (e.g. email), may be empty
 * @param step       step that decided the outcome (e.g. "validate", "create_user", "membership")
 * @param httpStatus HTTP status of the deciding answer, 0 when none
 * @param code       machine code (API error code or validator code), may be empty
 * @param message    human-readable reason, may be empty for DONE
 * @param requestId  the target's request id, may be empty
 * @param note       DONE detail, e.g. "created" or "existing"; may be empty
 */
public record RowOutcome(
    long row,
    int chunk,
    long line,
    Outcome outcome,
    boolean retryable,
    String key,
    String step,
    int httpStatus,
    String code,
    String message,
    String requestId,
    String note) {

  public RowOutcome {
    if (row < 1) throw new IllegalArgumentException("row must be >= 1");
    if (outcome == null) throw new NullPointerException("outcome cannot be null");
    key = nz(key);
    step = nz(step);
    code = nz(code);
    message = nz(message);
    requestId = nz(requestId);
    note = nz(note);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  public static RowOutcome done(long row, int chunk, long line, String key, String note) {
    return new RowOutcome(row, chunk, line, Outcome.DONE, false, key, "", 0, "", "", "", note);
  }

  public static RowOutcome invalid(long row, int chunk, long line, String key, String code, String message) {
    return new RowOutcome(row, chunk, line, Outcome.INVALID, false, key, "validate", 0, code, message, "", "");
  }
}
