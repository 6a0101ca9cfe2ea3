package dev.ferry.steps;

import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;

/**
 * Renders an idempotency-key template and checks the result is a key APIs accept (1..255 visible ASCII
 * characters): a key is the same for a row on every retry and resume, so it must come from the row's own fields.
 * Stateless.
 */
final class IdempotencyKeys {
  static final int MAX_LENGTH = 255;

  private IdempotencyKeys() {}

  static String check(Template template, RenderContext ctx) {
    String key = template.renderText(ctx);
    if (key.isEmpty()) throw new SpecException(template.location(), "the idempotency key renders empty for this row");
    if (key.length() > MAX_LENGTH) {
      throw new SpecException(template.location(), "the idempotency key is " + key.length() + " characters long (at "
          + "most " + MAX_LENGTH + ")");
    }
    if (!visibleAscii(key)) {
      throw new SpecException(template.location(), "the idempotency key holds spaces or non-ASCII characters "
          + "(use fields that are ids, or lower(...) of them)");
    }
    return key;
  }

  private static boolean visibleAscii(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
  }
}
