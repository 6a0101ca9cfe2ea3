package dev.ferry.steps;

import java.time.Duration;
import java.util.Objects;

/**
 * One limit of a target: at most {@code amount} of {@code unit} per {@code per}. The unit {@code requests} counts
 * HTTP attempts (each takes one permit); any other unit (e.g. {@code tokens}) is a weight that a step charges per
 * call ({@link CallConfig#charge()}). Immutable.
 *
 * @param unit   {@code requests} or a weight's name (letters, digits, {@code _})
 * @param amount permits per window, at least 1
 * @param per    the window, positive
 * @param smooth requests spread evenly (one every {@code per / amount}: a pace, as {@code --rate-limit 50}) instead
 *               of a budget that may be spent at once within a window; only for {@code requests}
 */
public record LimitRule(String unit, long amount, Duration per, boolean smooth) {
  public static final String REQUESTS = "requests";

  public LimitRule {
    Objects.requireNonNull(unit, "unit cannot be null");
    Objects.requireNonNull(per, "per cannot be null");
    if (!unit.matches("[A-Za-z][A-Za-z0-9_]*")) throw new IllegalArgumentException("a limit's unit is a name "
        + "such as requests or tokens, was '" + unit + "'");
    if (amount < 1) throw new IllegalArgumentException("a limit allows at least 1 " + unit + " per window");
    if (!per.isPositive()) throw new IllegalArgumentException("a limit's window must be positive");
    if (smooth && !REQUESTS.equals(unit)) throw new IllegalArgumentException("only a requests limit can be smooth");
  }

  /** A budget: at most {@code amount} in any window, which may be spent at once. */
  public LimitRule(String unit, long amount, Duration per) {
    this(unit, amount, per, false);
  }

  /** Requests per second, as their share of the window ({@code amount / per}). */
  public double perSecond() {
    return amount * 1e9 / per.toNanos();
  }

  public boolean isRequests() {
    return REQUESTS.equals(unit);
  }

  /** {@code 3000 requests per 1m}, {@code 50 requests per 1s, smooth}. */
  public String describe() {
    return amount + " " + unit + " per " + dev.ferry.steps.Durations.text(per) + (smooth ? ", smooth" : "");
  }
}
