package dev.ferry.bench;

import java.util.List;

/**
 * The Universal Scalability Law fitted to measured throughputs:
 * {@code X(N) = λN / (1 + σ(N − 1) + κN(N − 1))}. Immutable.
 *
 * <p>The fit: λ is the throughput per worker of the smallest rung ({@code X(N₀)/N₀}; with N₀ = 1 that is the
 * one-worker throughput). With the relative capacity {@code C(N) = X(N)/λ}, the law reads
 * {@code N/C(N) − 1 = σ(N − 1) + κN(N − 1)}: linear in σ and κ without an intercept, solved by least squares
 * with σ, κ ≥ 0 (the two-variable non-negative problem has four candidate active sets; the feasible one with
 * the least squared error wins).
 *
 * @param lambda          throughput of one worker without contention (rows/s)
 * @param sigma           contention: the share of the work that is serialised
 * @param kappa           coherency: the cost of workers keeping each other in sync
 * @param rSquared        coefficient of determination of the fitted X(N) against the measured throughputs
 * @param points          measured points used
 */
public record UslFit(double lambda, double sigma, double kappa, double rSquared, int points) {

  /** Predicted throughput at {@code n} workers. */
  public double predict(double n) {
    return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  }

  /** The worker count of peak throughput, {@code sqrt((1 − σ)/κ)}; infinite when κ = 0 (no retrograde). */
  public double peakWorkers() {
    if (kappa <= 0 || sigma >= 1) return sigma >= 1 ? 1 : Double.POSITIVE_INFINITY;
    return Math.sqrt((1 - sigma) / kappa);
  }

  /** Throughput at the peak; with κ = 0 the asymptote {@code λ/σ} (infinite when σ = 0 too). */
  public double peakThroughput() {
    double n = peakWorkers();
    if (Double.isInfinite(n)) return sigma > 0 ? lambda / sigma : Double.POSITIVE_INFINITY;
    return predict(n);
  }

  /** A point of the ladder: worker count and measured throughput. */
  public record Point(double workers, double throughput) {}

  /**
   * Fits the law to the points (any order).
   *
   * @throws IllegalArgumentException with no point, or a point with workers below 1 or a throughput that is
   *     not positive
   */
  public static UslFit fit(List<Point> points) {
    if (points.isEmpty()) throw new IllegalArgumentException("no points to fit");
    Point base = points.getFirst();
    for (Point p : points) {
      if (!(p.workers >= 1) || !(p.throughput > 0) || Double.isInfinite(p.throughput)) {
        throw new IllegalArgumentException("every point needs workers >= 1 and a positive throughput: " + p);
      }
      if (p.workers < base.workers) base = p;
    }
    double lambda = base.throughput / base.workers;
    double saa = 0, sab = 0, sbb = 0, say = 0, sby = 0;
    int n = points.size();
    double[] a = new double[n], b = new double[n], y = new double[n];
    for (int i = 0; i < n; i++) {
      Point p = points.get(i);
      a[i] = p.workers - 1;
      b[i] = p.workers * (p.workers - 1);
      y[i] = p.workers * lambda / p.throughput - 1;
      saa += a[i] * a[i];
      sab += a[i] * b[i];
      sbb += b[i] * b[i];
      say += a[i] * y[i];
      sby += b[i] * y[i];
    }
    double[][] candidates = new double[4][];
    candidates[0] = new double[] {0, 0};
    if (saa > 0) candidates[1] = new double[] {say / saa, 0};
    if (sbb > 0) candidates[2] = new double[] {0, sby / sbb};
    double det = saa * sbb - sab * sab;
    if (det > 1e-12 * Math.max(1, saa * sbb)) {
      candidates[3] = new double[] {(say * sbb - sby * sab) / det, (sby * saa - say * sab) / det};
    }
    double[] best = candidates[0];
    double bestErr = Double.POSITIVE_INFINITY;
    for (double[] c : candidates) {
      if (c == null || c[0] < 0 || c[1] < 0 || !Double.isFinite(c[0]) || !Double.isFinite(c[1])) continue;
      double err = 0;
      for (int i = 0; i < n; i++) {
        double r = y[i] - c[0] * a[i] - c[1] * b[i];
        err += r * r;
      }
      if (err < bestErr - 1e-15) {
        bestErr = err;
        best = c;
      }
    }
    UslFit unscored = new UslFit(lambda, best[0], best[1], Double.NaN, n);
    double mean = points.stream().mapToDouble(Point::throughput).average().orElse(0);
    double sst = 0, sse = 0;
    for (Point p : points) {
      sst += (p.throughput - mean) * (p.throughput - mean);
      double r = p.throughput - unscored.predict(p.workers);
      sse += r * r;
    }
    double r2 = sst > 0 ? 1 - sse / sst : (sse < 1e-12 ? 1 : 0);
    return new UslFit(lambda, best[0], best[1], r2, n);
  }
}
