package dev.ferry.steps.template;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

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
 *   <li>{@code json(v)}: the JSON text of a value;</li>
 *   <li>{@code uuid5(text)}: a name-based UUID (version 5, SHA-1, in the RFC 4122 URL namespace) of a string: the
 *       same text always gives the same id, e.g. a Qdrant point id from a page's URL (null stays null).</li>
 * </ul>
 * Threadsafe (stateless).
 */
public final class Functions {
  /** Every function name, in the order documented. */
  public static final List<String> NAMES = List.of("tokens", "bytes", "length", "lower", "upper", "trim", "string",
      "number", "default", "json", "uuid5");

  private static final java.util.Map<String, Integer> ARITY = java.util.Map.ofEntries(
      java.util.Map.entry("tokens", 1), java.util.Map.entry("bytes", 1), java.util.Map.entry("length", 1),
      java.util.Map.entry("lower", 1), java.util.Map.entry("upper", 1), java.util.Map.entry("trim", 1),
      java.util.Map.entry("string", 1), java.util.Map.entry("number", 1), java.util.Map.entry("default", 2),
      java.util.Map.entry("json", 1), java.util.Map.entry("uuid5", 1));

  private Functions() {}

  static void checkArity(String name, int args, SpecLocation at) {
    int n = ARITY.get(name);
    if (args != n) {
      throw new SpecException(at, name + "(...) takes " + n + (n == 1 ? " argument" : " arguments") + ", got " + args);
    }
  }

  static Object apply(String name, List<Object> args, SpecLocation at) {
    Object v = args.get(0);
    return switch (name) {
      case "tokens" -> (long) Tokens.count(textOf(name, v, at));
      case "bytes" -> (long) (v instanceof String s ? s : Values.text(v)).getBytes(StandardCharsets.UTF_8).length;
      case "length" -> length(v);
      case "lower" -> v == null ? null : textOf(name, v, at).toLowerCase(Locale.ROOT);
      case "upper" -> v == null ? null : textOf(name, v, at).toUpperCase(Locale.ROOT);
      case "trim" -> v == null ? null : textOf(name, v, at).strip();
      case "string" -> v == null ? null : Values.text(v);
      case "number" -> number(v, at);
      case "default" -> v == null || "".equals(v) ? args.get(1) : v;
      case "json" -> Values.json(v);
      case "uuid5" -> v == null ? null : NameUuid.of(textOf(name, v, at));
      default -> throw new IllegalStateException("no function " + name);
    };
  }

  private static long length(Object v) {
    if (v == null) return 0;
    if (v instanceof String s) return s.codePointCount(0, s.length());
    if (v instanceof List<?> l) return l.size();
    if (v instanceof java.util.Map<?, ?> m) return m.size();
    return Values.text(v).length();
  }

  private static Object number(Object v, SpecLocation at) {
    if (v == null || v instanceof Number) return v;
    String s = Values.text(v).strip();
    try {
      return s.matches("-?[0-9]+") ? (Object) Long.parseLong(s) : (Object) Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new SpecException(at, "number(...): '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s)
          + "' is not a number");
    }
  }

  private static String textOf(String function, Object v, SpecLocation at) {
    if (v == null) return "";
    if (v instanceof String s) return s;
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    throw new SpecException(at, function + "(...) takes text, got " + (v instanceof List<?> ? "a list" : "an object"));
  }
}
