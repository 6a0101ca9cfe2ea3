package dev.ferry.steps;

import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;

/** Weights and charges rendered from templates must be whole numbers >= 0. Stateless. */
final class Weights {
  private Weights() {}

  static long whole(Template t, Object v, String what) {
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (v instanceof String s && s.strip().matches("[0-9]{1,18}")) return Long.parseLong(s.strip());
    throw new SpecException(t.location(), "the " + what + " must be a whole number >= 0, got "
        + (v == null ? "null" : "'" + ApiMessage.clip(String.valueOf(v)) + "'"));
  }
}
