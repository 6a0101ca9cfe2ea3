package dev.ferry.core.limit;

import java.time.Duration;
import java.util.Locale;

/**
 * A target's rate limit as the user states it. Immutable.
 *
 * <ul>
 *   <li>a rate ({@code 50}, {@code 50/s}): ferry paces evenly at {@code headroom} of it, never a burst, which
 *       no way of counting can refuse;</li>
 *   <li>a budget ({@code 500/10s}: what WorkOS documents): at most {@code permits} in any {@code window}; ferry
 *       spends the budget as soon as it has work, and keeps {@code headroom} by widening the window;</li>
 *   <li>{@linkplain #NONE none}: the target has no limit; ferry fills it as fast as its latency allows, and
 *       still honours a 429 (and learns from it, should one come);</li>
 *   <li>{@linkplain #AUTO auto}: unknown; ferry learns it from the target's rate-limit headers, else from its
 *       429s.</li>
 * </ul>
 *
 * @param perSecond the long-run rate; 0 = no limit (or a limit to learn)
 * @param window    the counting window of a budget; {@link Duration#ZERO} for a rate
 * @param learn     true for {@link #AUTO}: the limit is to be learned (perSecond is then 0)
 */
public record RateLimitSpec(double perSecond, Duration window, boolean learn) {
  public static final RateLimitSpec NONE = new RateLimitSpec(0, Duration.ZERO, false);
  public static final RateLimitSpec AUTO = new RateLimitSpec(0, Duration.ZERO, true);

  public RateLimitSpec(double perSecond, Duration window) {
    this(perSecond, window, false);
  }

  public RateLimitSpec {
    if (!(perSecond >= 0) || Double.isInfinite(perSecond)) throw new IllegalArgumentException("perSecond must be >= 0");
    if (learn && perSecond != 0) throw new IllegalArgumentException("a learned limit has no rate");
    if (window == null || window.isNegative()) throw new IllegalArgumentException("window must be >= 0");
    if (window.isPositive()) {
      double permits = perSecond * window.toNanos() / 1e9;
      if (Math.abs(permits - Math.rint(permits)) > 1e-6 || permits < 1 || permits > WindowBudgetLimiter.MAX_PERMITS) {
        throw new IllegalArgumentException("a budget must be 1.." + WindowBudgetLimiter.MAX_PERMITS
            + " whole requests per window");
      }
    }
  }

  /** Even pacing at {@code perSecond}. */
  public static RateLimitSpec rate(double perSecond) {
    return perSecond == 0 ? NONE : new RateLimitSpec(perSecond, Duration.ZERO);
  }

  /** At most {@code permits} requests in any {@code window}. */
  public static RateLimitSpec budget(long permits, Duration window) {
    return new RateLimitSpec(permits * 1e9 / window.toNanos(), window);
  }

  /**
   * Parses {@code auto}, {@code none}, {@code 50}, {@code 12.5/s} or {@code 500/10s} (a budget; the window is a number with
   * {@code ms}, {@code s}, {@code m} or {@code h}).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static RateLimitSpec parse(String text) {
    String v = text.trim().toLowerCase(Locale.ROOT);
    if (v.equals("none") || v.equals("off") || v.equals("unlimited")) return NONE;
    if (v.equals("auto") || v.equals("learn")) return AUTO;
    int slash = v.indexOf('/');
    String count = slash < 0 ? v : v.substring(0, slash).trim();
    String per = slash < 0 ? "s" : v.substring(slash + 1).trim();
    double n;
    try {
      n = Double.parseDouble(count);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a rate limit: " + USAGE);
    }
    if (!(n >= 0) || Double.isInfinite(n)) throw new IllegalArgumentException("'" + text + "' is not a rate limit: " + USAGE);
    if (per.equals("s") || per.equals("sec")) return rate(n);
    Duration window = windowOf(per);
    if (window == null || !window.isPositive()) {
      throw new IllegalArgumentException("'" + text + "' is not a rate limit: " + USAGE);
    }
    if (n == 0) return NONE;
    if (n != Math.rint(n)) {
      throw new IllegalArgumentException("'" + text + "': a budget counts whole requests per window (" + USAGE + ")");
    }
    if (n > WindowBudgetLimiter.MAX_PERMITS) {
      throw new IllegalArgumentException("'" + text + "': at most " + WindowBudgetLimiter.MAX_PERMITS
          + " requests per window; give the rate instead (" + USAGE + ")");
    }
    return budget((long) n, window);
  }

  private static final String USAGE =
      "a number of requests per second (50), a budget per window (500/10s), 'auto' (learn it) or 'none'";

  private static Duration windowOf(String per) {
    String unit = per.replaceAll("^[0-9.]+", "");
    String amount = per.substring(0, per.length() - unit.length());
    double a;
    try {
      a = amount.isEmpty() ? 1 : Double.parseDouble(amount);
    } catch (NumberFormatException e) {
      return null;
    }
    double nanosPerUnit = switch (unit) {
      case "ms" -> 1e6;
      case "s", "sec" -> 1e9;
      case "m", "min" -> 60e9;
      case "h" -> 3600e9;
      default -> -1;
    };
    return nanosPerUnit < 0 ? null : Duration.ofNanos(Math.round(a * nanosPerUnit));
  }

  /** No limit to pace at: {@link #NONE} or {@link #AUTO} (whose pace is learned). */
  public boolean isNone() {
    return perSecond == 0;
  }

  /** True for {@link #AUTO}. */
  public boolean isAuto() {
    return learn;
  }

  /** A rate or a budget the user stated. */
  public boolean isKnown() {
    return perSecond > 0;
  }

  public boolean isBudget() {
    return window.isPositive();
  }

  /** Requests per window of a budget. */
  public int permits() {
    return (int) Math.round(perSecond * window.toNanos() / 1e9);
  }

  /** {@code 50 req/s}, {@code 500 per 10s}, {@code none}, {@code learned}. */
  public String describe() {
    if (learn) return "learned";
    if (isNone()) return "none";
    if (isBudget()) return permits() + " per " + windowText(window);
    return fmt(perSecond) + " req/s";
  }

  /** The form {@link #parse} reads back: {@code 50}, {@code 500/10s}, {@code none}, {@code auto}. */
  public String text() {
    if (learn) return "auto";
    if (isNone()) return "none";
    return isBudget() ? permits() + "/" + windowText(window) : fmt(perSecond);
  }

  private static String windowText(Duration w) {
    long ms = w.toMillis();
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
