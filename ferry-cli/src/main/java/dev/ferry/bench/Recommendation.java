package dev.ferry.bench;

import java.util.Objects;

/**
 * The worker count and concurrency to use, and why. Immutable.
 *
 * @param workers            recommended {@code --workers}
 * @param concurrency        recommended {@code --concurrency}
 * @param expectedRate       throughput measured at that setting (rows/s)
 * @param reason             why, in one sentence
 * @param ceilingRate        rows/s the target's known limits allow; NaN when none is known
 * @param inFlightForCeiling rows in flight that reach the ceiling by Little's law; 0 when unknown
 * @param ceilingNote        how the recommendation compares with the ceiling; "" when none is known
 */
public record Recommendation(int workers, int concurrency, double expectedRate, String reason, double ceilingRate,
    int inFlightForCeiling, String ceilingNote) {
  public Recommendation {
    Objects.requireNonNull(reason, "reason cannot be null");
    Objects.requireNonNull(ceilingNote, "ceilingNote cannot be null");
  }
}
