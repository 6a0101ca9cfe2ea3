package dev.ferry.bench;

/**
 * What the analysis knows about the setup besides the measurements. Immutable.
 *
 * @param cores             processors available to the process
 * @param rateLimit         requests per second the client was told the target allows; 0 = none
 * @param paceShare         share of {@code rateLimit} the client paces at (0.985)
 * @param serialMillis      milliseconds each call holds the target's serialised section, when known (the
 *                          in-process simulator's {@code --serial-ms}); 0 = none or unknown
 * @param dryRun            no HTTP calls were made
 * @param simulatorInProcess the target ran in this process, so CPU and memory include it
 * @param unit              what a row is, singular ("user")
 * @param limits            the targets' limits as a job spec states them ("embeddings: 3000 requests per 1m, 1000000
 *                          tokens per 1m; qdrant: none"), for the verdict's sentence; "" when not a spec's study
 */
public record BenchContext(int cores, double rateLimit, double paceShare, double serialMillis, boolean dryRun,
    boolean simulatorInProcess, String unit, String limits) {

  /** The context of a study whose limits are only {@code rateLimit}. */
  public BenchContext(int cores, double rateLimit, double paceShare, double serialMillis, boolean dryRun,
      boolean simulatorInProcess, String unit) {
    this(cores, rateLimit, paceShare, serialMillis, dryRun, simulatorInProcess, unit, "");
  }

  /** @throws IllegalArgumentException on a value out of range */
  public BenchContext {
    if (cores < 1) throw new IllegalArgumentException("cores must be >= 1");
    if (!(rateLimit >= 0) || Double.isInfinite(rateLimit)) throw new IllegalArgumentException("rateLimit must be >= 0");
    if (!(paceShare > 0 && paceShare <= 1)) throw new IllegalArgumentException("paceShare must be in (0, 1]");
    if (!(serialMillis >= 0)) throw new IllegalArgumentException("serialMillis must be >= 0");
    if (unit == null || unit.isBlank()) unit = "row";
    if (limits == null) limits = "";
  }

  /** The unit in the plural ("users"). */
  public String units() {
    return unit + "s";
  }

  /** Requests per second the target's known limits allow (rate limit, serialised section); infinite when none. */
  public double requestCeiling() {
    double c = Double.POSITIVE_INFINITY;
    if (rateLimit > 0) c = Math.min(c, rateLimit * paceShare);
    if (serialMillis > 0) c = Math.min(c, 1000 / serialMillis);
    return c;
  }
}
