package dev.ferry.core.pool;

import java.util.Objects;

/**
 * What a batch function says about one item of its batch: a result, or the exception that item failed with.
 * Immutable.
 */
public sealed interface ItemOutcome<R> {

  /** The item succeeded with {@code value} (may be null). */
  static <R> ItemOutcome<R> success(R value) {
    return new Success<>(value);
  }

  /** The item failed with {@code error}. @throws NullPointerException if null */
  static <R> ItemOutcome<R> failure(Throwable error) {
    return new Failure<>(error);
  }

  /** A successful item. */
  record Success<R>(R value) implements ItemOutcome<R> {}

  /** A failed item. */
  record Failure<R>(Throwable error) implements ItemOutcome<R> {
    public Failure {
      Objects.requireNonNull(error, "error cannot be null");
    }
  }
}
