package dev.ferry.steps;

/** What an answer's HTTP status means for a step ({@link ResponseRules}). */
public enum StatusAction {
  /** The step succeeded: captures are read from the answer. Default for 2xx. */
  OK,
  /**
   * The thing already exists: the step is done (note "existing"); with a {@link StatusRule#then() then} call, that
   * call (e.g. a GET by the same key) supplies the captures.
   */
  EXISTS,
  /** The row fails for good with the API's message. Default for 4xx other than 401, 403, 408 and 429. */
  FINAL,
  /**
   * The row fails retryably: sent again (with backoff) up to the retry budget, then left failed-retryable for
   * {@code ferry resume}. Default for 408, 429, 5xx and no answer (HttpTarget already retried those).
   */
  RETRY,
  /** The whole job stops (resumable). Default for 401 and 403. */
  STOP;

  /** The spec's spelling: {@code ok}, {@code exists}, {@code final}, {@code retry}, {@code stop}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the accepted words */
  public static StatusAction of(String word) {
    for (StatusAction a : values()) if (a.word().equals(word)) return a;
    throw new IllegalArgumentException("'" + word + "' is not a status action: expected ok, exists, final, retry "
        + "or stop");
  }
}
