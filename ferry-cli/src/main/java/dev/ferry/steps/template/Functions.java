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
 *   <li>{@code max_length(v)}: the greatest {@code length} of a list's items (of an object's values), 0 when it has
 *       none, e.g. the longest metadata value: {@code max_length(values(json_parse(row.metadata)))};</li>
 *   <li>{@code lower(s)}, {@code upper(s)}, {@code trim(s)}: of a string (null stays null);</li>
 *   <li>{@code string(v)}: the value as text; {@code number(v)}: a number from a number or a numeric string;</li>
 *   <li>{@code default(v, fallback)}: {@code v} unless it is null or "";</li>
 *   <li>{@code json(v)}: the JSON text of a value;</li>
 *   <li>{@code uuid5(text)}: a name-based UUID (version 5, SHA-1, in the RFC 4122 URL namespace) of a string: the
 *       same text always gives the same id, e.g. a Qdrant point id from a page's URL (null stays null);</li>
 *   <li>{@code if(cond, then, else)}: {@code then} when {@code cond} is true (as a {@code when}), else {@code else};
 *       only the branch taken is evaluated;</li>
 *   <li>{@code split(text, sep)}: the trimmed, non-empty parts of {@code text} between {@code sep}s (a list's items
 *       trimmed the same way; null and "" give an empty list);</li>
 *   <li>{@code matches(text, regex)}: whether the whole text matches a Java regular expression (null is "");</li>
 *   <li>{@code starts_with(text, prefix)}: whether the text starts with the prefix (null is "");</li>
 *   <li>{@code json_parse(text)}: the JSON value a text holds ("" and null give null); text that is not JSON
 *       fails the template;</li>
 *   <li>{@code keys(object)}, {@code values(object)}: an object's field names, its values, in order (null gives an
 *       empty list; anything else that is not an object fails the template).</li>
 * </ul>
 * Threadsafe (stateless).
 */
public final class Functions {
  /** Every function name, in the order documented. */
  public static final List<String> NAMES = List.of("tokens", "bytes", "length", "max_length", "lower", "upper", "trim", "string",
      "number", "default", "json", "uuid5", "if", "split", "matches", "starts_with", "json_parse", "keys",
      "values");

  private static final java.util.Map<String, Integer> ARITY = java.util.Map.ofEntries(
      java.util.Map.entry("tokens", 1), java.util.Map.entry("bytes", 1), java.util.Map.entry("length", 1), java.util.Map.entry("max_length", 1),
      java.util.Map.entry("lower", 1), java.util.Map.entry("upper", 1), java.util.Map.entry("trim", 1),
      java.util.Map.entry("string", 1), java.util.Map.entry("number", 1), java.util.Map.entry("default", 2),
      java.util.Map.entry("json", 1), java.util.Map.entry("uuid5", 1), java.util.Map.entry("if", 3),
      java.util.Map.entry("split", 2), java.util.Map.entry("matches", 2), java.util.Map.entry("starts_with", 2),
      java.util.Map.entry("json_parse", 1), java.util.Map.entry("keys", 1), java.util.Map.entry("values", 1));
  /** Compiled regular expressions of {@code matches}, by source (specs hold few; the bound keeps it so). */
  private static final java.util.concurrent.ConcurrentHashMap<String, java.util.regex.Pattern> PATTERNS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_PATTERNS = 256;

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
      case "split", "matches", "starts_with", "default" -> apply2(name, v, args.get(1), at);
      default -> apply1(name, v, at);
    };
  }

  /** A function of one argument, resolved once by name ({@link #one}): a compiled call holds it. */
  interface Fn1 {
    /** @throws SpecException at {@code at} when the value does not fit */
    Object apply(Object v, SpecLocation at);
  }

  /** A function of two arguments, resolved once by name ({@link #two}). */
  interface Fn2 {
    /** @throws SpecException at {@code at} when the values do not fit */
    Object apply(Object v, Object w, SpecLocation at);
  }

  /**
   * A function of one argument ({@link #apply}'s cases; a compiled call reaches them without an argument list).
   *
   * @throws SpecException at {@code at} when the value does not fit
   */
  static Object apply1(String name, Object v, SpecLocation at) {
    Fn1 f = one(name);
    if (f == null) throw new IllegalStateException("no function " + name + " of one argument");
    return f.apply(v, at);
  }

  /** A function of two arguments, as {@link #apply1}. */
  static Object apply2(String name, Object v, Object w, SpecLocation at) {
    Fn2 f = two(name);
    if (f == null) throw new IllegalStateException("no function " + name + " of two arguments");
    return f.apply(v, w, at);
  }

  /** The function of one argument of that name, or null. */
  static Fn1 one(String name) {
    return switch (name) {
      case "tokens" -> (v, at) -> (long) Tokens.count(textOf("tokens", v, at));
      case "bytes" -> (v, at) -> (long) (v instanceof String s ? s : Values.text(v))
          .getBytes(StandardCharsets.UTF_8).length;
      case "length" -> (v, at) -> length(v);
      case "max_length" -> Functions::maxLength;
      case "lower" -> (v, at) -> v == null ? null : textOf("lower", v, at).toLowerCase(Locale.ROOT);
      case "upper" -> (v, at) -> v == null ? null : textOf("upper", v, at).toUpperCase(Locale.ROOT);
      case "trim" -> Functions::trim;
      case "string" -> (v, at) -> v == null ? null : Values.text(v);
      case "number" -> Functions::number;
      case "json" -> (v, at) -> Values.json(v);
      case "uuid5" -> (v, at) -> v == null ? null : NameUuid.of(textOf("uuid5", v, at));
      case "json_parse" -> Functions::jsonParse;
      case "keys" -> (v, at) -> new java.util.ArrayList<Object>(objectOf("keys", v, at).keySet());
      case "values" -> (v, at) -> new java.util.ArrayList<Object>(objectOf("values", v, at).values());
      default -> null;
    };
  }

  /** The function of two arguments of that name, or null. */
  static Fn2 two(String name) {
    return switch (name) {
      case "default" -> (v, w, at) -> v == null || "".equals(v) ? w : v;
      case "split" -> (v, w, at) -> split(v, textOf("split", w, at), at);
      case "matches" -> (v, w, at) -> pattern(textOf("matches", w, at), at).matcher(textOf("matches", v, at)).matches();
      case "starts_with" -> (v, w, at) -> textOf("starts_with", v, at).startsWith(textOf("starts_with", w, at));
      default -> null;
    };
  }

  static Object trim(Object v, SpecLocation at) {
    return v == null ? null : textOf("trim", v, at).strip();
  }

  /** {@code matches(v, regex)} with the regex compiled once (a literal in the template). */
  static boolean matches(Object v, java.util.regex.Pattern regex, SpecLocation at) {
    return regex.matcher(textOf("matches", v, at)).matches();
  }

  /** The compiled regex of a literal, or null when it is not a regular expression (the call fails per row). */
  static java.util.regex.Pattern patternOrNull(String regex) {
    try {
      return java.util.regex.Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      return null;
    }
  }

  /** {@code length(v) == 0}, without boxing the length. */
  static boolean lengthIsZero(Object v) {
    if (v == null) return true;
    if (v instanceof String s) return s.isEmpty();
    if (v instanceof List<?> l) return l.isEmpty();
    if (v instanceof java.util.Map<?, ?> m) return m.isEmpty();
    return Values.text(v).isEmpty();
  }

  private static List<Object> split(Object v, String sep, SpecLocation at) {
    List<Object> out = new java.util.ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object item : l) {
        String t = item == null ? "" : textOf("split", item, at).strip();
        if (!t.isEmpty()) out.add(t);
      }
      return out;
    }
    String s = textOf("split", v, at);
    if (sep.isEmpty()) throw new SpecException(at, "split(...): the separator is empty");
    int from = 0;
    while (from <= s.length()) {
      int i = s.indexOf(sep, from);
      String part = (i < 0 ? s.substring(from) : s.substring(from, i)).strip();
      if (!part.isEmpty()) out.add(part);
      if (i < 0) break;
      from = i + sep.length();
    }
    return out;
  }

  private static java.util.Map<?, ?> objectOf(String function, Object v, SpecLocation at) {
    if (v == null) return java.util.Map.of();
    if (v instanceof java.util.Map<?, ?> m) return m;
    throw new SpecException(at, function + "(...) takes an object, got "
        + (v instanceof List<?> ? "a list" : "a value"));
  }

  private static java.util.regex.Pattern pattern(String regex, SpecLocation at) {
    java.util.regex.Pattern p = PATTERNS.get(regex);
    if (p != null) return p;
    try {
      p = java.util.regex.Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new SpecException(at, "matches(...): '" + regex + "' is not a regular expression: " + e.getDescription());
    }
    if (PATTERNS.size() < MAX_PATTERNS) PATTERNS.putIfAbsent(regex, p);
    return p;
  }

  static Object jsonParse(Object v, SpecLocation at) {
    if (v == null) return null;
    String s = textOf("json_parse", v, at).strip();
    if (s.isEmpty()) return null;
    Object parsed = Values.parseJson(s);
    if (parsed == Values.NOT_JSON) {
      throw new SpecException(at, "json_parse(...): the text is not JSON");
    }
    return parsed;
  }

  private static long maxLength(Object v, SpecLocation at) {
    java.util.Collection<?> items = v instanceof List<?> l ? l : objectOf("max_length", v, at).values();
    long max = 0;
    for (Object item : items) max = Math.max(max, length(item));
    return max;
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
