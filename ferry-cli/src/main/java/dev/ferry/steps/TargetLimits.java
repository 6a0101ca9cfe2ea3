package dev.ferry.steps;

import java.util.List;

/**
 * A target's limits: several rules at once ({@code [{requests: 3000, per: 1m}, {tokens: 1000000, per: 1m}]}),
 * all of which a call must pass, or {@code auto} (learned from the target's answers), or none. Immutable.
 *
 * @param auto  learn the request rate from 429s (as {@code --rate-limit auto}); rules may still add weights
 * @param rules the stated limits, at most one per (unit, window)
 */
public record TargetLimits(boolean auto, List<LimitRule> rules) {
  public static final TargetLimits NONE = new TargetLimits(false, List.of());
  public static final TargetLimits AUTO = new TargetLimits(true, List.of());

  public TargetLimits {
    rules = List.copyOf(rules);
  }

  public static TargetLimits of(List<LimitRule> rules) {
    return new TargetLimits(false, rules);
  }

  /** {@code auto}, {@code none} or the rules joined by ", ". */
  public String describe() {
    if (rules.isEmpty()) return auto ? "auto" : "none";
    StringBuilder b = new StringBuilder(auto ? "auto, " : "");
    for (int i = 0; i < rules.size(); i++) b.append(i == 0 ? "" : ", ").append(rules.get(i).describe());
    return b.toString();
  }
}
