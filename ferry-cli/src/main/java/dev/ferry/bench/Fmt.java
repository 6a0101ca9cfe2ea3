package dev.ferry.bench;

import java.util.Locale;

/** Number formatting shared by the analysis and the reports: three significant figures, fixed locale. */
final class Fmt {
  private Fmt() {}

  /** A rate or a duration: 0.123, 1.23, 12.3, 123, 1,234; whole numbers without decimals (50, 2). */
  static String num(double v) {
    if (Double.isNaN(v)) return "n/a";
    if (Double.isInfinite(v)) return v > 0 ? "∞" : "-∞";
    double a = Math.abs(v);
    if (v == Math.rint(v) && a < 1e15) return String.format(Locale.ROOT, a >= 1000 ? "%,.0f" : "%.0f", v);
    if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
    if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
    if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
    if (a >= 1 || a == 0) return String.format(Locale.ROOT, "%.2f", v);
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** A share as a whole percentage: "98%". */
  static String pct(double share) {
    if (!Double.isFinite(share)) return "n/a";
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }

  /** A share as a percentage with one decimal when it has one: "98.5%", "50%". */
  static String pctExact(double share) {
    double p = Math.round(share * 1000) / 10.0;
    return p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f%%", p) : String.format(Locale.ROOT, "%.1f%%", p);
  }

  /** A speedup: "7.85x". */
  static String times(double v) {
    if (!Double.isFinite(v)) return "n/a";
    return String.format(Locale.ROOT, "%.2fx", v);
  }

  /** Milliseconds with one decimal below 100: "201.3" / "1,204". */
  static String ms(double v) {
    if (!Double.isFinite(v)) return "n/a";
    if (Math.abs(v) >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Megabytes: "123". */
  static String mb(long bytes) {
    if (bytes < 0) return "n/a";
    return String.format(Locale.ROOT, "%.0f", bytes / (1024.0 * 1024.0));
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
