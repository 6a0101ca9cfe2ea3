package dev.ferry.steps.template;

import java.util.List;

/**
 * The functions a template may call. Each takes JSON-like values and returns one; none has side effects.
 * <ul>
 *   <li>{@code tokens(text)}: the number of cl100k tokens of {@code text} (the tokenizer of OpenAI's
 *       embedding models; "" and null count 0), for a batch step's weight and a tokens-per-minute charge;</li>
 *   <li>{@code bytes(text)}: UTF-8 bytes of a string (of the JSON of any other value);</li>
 *   <li>{@code length(v)}: characters of a string, items of a list, fields of an object, 0 for null;</li>
 *   <li>{@code lower(s)}, {@code upper(s)}, {@code trim(s)}: of a string (null stays null);</li>
 *   <li>{@code string(v)}: the value as text; {@code number(v)}: a number from a number or a numeric string;</li>
 *   <li>{@code default(v, fallback)}: {@code v} unless it is null or "";</li>
 *   <li>{@code json(v)}: the JSON text of a value.</li>
 * </ul>
 * Threadsafe (stateless).
 */
public final class Functions {
  /** Every function name, in the order documented. */
  public static final List<String> NAMES = List.of("tokens", "bytes", "length", "lower", "upper", "trim", "string",
      "number", "default", "json");

  private Functions() {}
}
