package dev.ferry.bench;

/**
 * How a study picks the settings the user left out. Pure functions.
 *
 * <p>Concurrency: a ladder only tells something when its rungs cross the target's ceiling. By Little's law
 * the ceiling needs {@code ceiling × seconds a call} requests in flight; the concurrency per worker is chosen
 * so that the largest rung holds about 1.5 times that, and the smaller rungs stay below it. With no known
 * ceiling it is 1: workers are then exactly the rows in flight, as in seed 002.
 */
public final class BenchDefaults {
  /** Rows in the generated sample of a study against a target. */
  public static final long RECORDS = 10_000;
  /** Rows in the generated sample of a dry-run study. */
  public static final long DRY_RUN_RECORDS = 1_000_000;
  /** Rows per rung of a study against an external target (seed 002's pilot). */
  public static final long EXTERNAL_RECORDS = 100;
  static final double HEADROOM_OVER_CEILING = 1.5;
  static final int MAX_CHUNK = 1000;
  static final int CHUNKS_PER_WORKER = 4;

  private BenchDefaults() {}

  /**
   * Concurrency per worker.
   *
   * @param requestCeiling requests per second the target's known limits allow; infinite when none
   * @param secondsPerCall time one call takes without queueing
   * @param maxWorkers     the largest worker count of the ladder
   */
  public static int concurrency(double requestCeiling, double secondsPerCall, int maxWorkers) {
    if (!Double.isFinite(requestCeiling) || !(secondsPerCall > 0) || maxWorkers < 1) return 1;
    double needed = requestCeiling * secondsPerCall;
    return Math.max(1, (int) Math.ceil(HEADROOM_OVER_CEILING * needed / maxWorkers));
  }

  /** Requests in flight that reach the ceiling (Little's law); 0 when there is no ceiling. */
  public static double inFlightForCeiling(double requestCeiling, double secondsPerCall) {
    return Double.isFinite(requestCeiling) && secondsPerCall > 0 ? requestCeiling * secondsPerCall : 0;
  }

  /**
   * Rows per chunk: small enough that every worker of the largest rung gets several chunks of the sample,
   * at most 1000.
   */
  public static int chunkSize(long records, int maxWorkers) {
    long c = records / ((long) Math.max(1, maxWorkers) * CHUNKS_PER_WORKER);
    return (int) Math.max(1, Math.min(MAX_CHUNK, c));
  }
}
