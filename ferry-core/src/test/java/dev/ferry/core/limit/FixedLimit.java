package dev.ferry.core.limit;

/** A {@link Limit} that never moves: the fixed setting the adaptive scenarios compare against. Immutable. */
final class FixedLimit implements Limit {
  private final int n;

  private FixedLimit(int n) {
    this.n = n;
  }

  static Limit of(int n) {
    return new FixedLimit(n);
  }

  @Override
  public int limit() {
    return n;
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    return n;
  }
}
