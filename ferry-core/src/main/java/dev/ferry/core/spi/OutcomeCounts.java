package dev.ferry.core.spi;

/** Counts of recorded outcomes of one job. Immutable. */
public record OutcomeCounts(long done, long failed, long invalid, long retryableFailed) {
  public static final OutcomeCounts ZERO = new OutcomeCounts(0, 0, 0, 0);

  public long total() {
    return done + failed + invalid;
  }
}
