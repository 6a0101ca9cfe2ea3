package dev.ferry.core.limit;

/**
 * What every adaptive {@link Limit}'s builder sets: the limit before the first sample and the range it moves
 * in. Not threadsafe; a {@code build()} copies the settings.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class LimitBuilder<B extends LimitBuilder<B>> {
  int initialLimit;
  int minLimit;
  int maxLimit;

  LimitBuilder(int initialLimit, int minLimit, int maxLimit) {
    this.initialLimit = initialLimit;
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
  }

  /** Limit before the first sample. */
  public B initialLimit(int n) {
    this.initialLimit = atLeastOne(n, "initialLimit");
    return self();
  }

  /** Lowest limit. */
  public B minLimit(int n) {
    this.minLimit = atLeastOne(n, "minLimit");
    return self();
  }

  /** Highest limit: bounds memory, whatever the target allows. */
  public B maxLimit(int n) {
    this.maxLimit = atLeastOne(n, "maxLimit");
    return self();
  }

  /**
   * Checks the three together and copies them to {@code copy} (the settings a built limit keeps).
   *
   * @throws IllegalArgumentException when minLimit > maxLimit or initialLimit is outside them
   */
  final void copyBoundsTo(LimitBuilder<?> copy) {
    if (minLimit > maxLimit) throw new IllegalArgumentException("minLimit must be <= maxLimit");
    if (initialLimit < minLimit || initialLimit > maxLimit) {
      throw new IllegalArgumentException("initialLimit must be between minLimit and maxLimit");
    }
    copy.initialLimit = initialLimit;
    copy.minLimit = minLimit;
    copy.maxLimit = maxLimit;
  }

  private static int atLeastOne(int n, String name) {
    if (n < 1) throw new IllegalArgumentException(name + " must be >= 1");
    return n;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
