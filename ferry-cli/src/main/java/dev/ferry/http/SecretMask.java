package dev.ferry.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The values of a job's secrets (a spec's secret parameters, a row's secret columns) and the forms they take once
 * rendered into a request, so that text about the request can be masked before it leaves the process: the value as
 * it is, JSON-escaped (as a body holds it: {@code "} as {@code \"}, {@code \} as {@code \\}, control characters; and
 * the stricter form some servers echo, with {@code /} as {@code \/} and non-ASCII as {@code \}{@code uXXXX}), and
 * URL-encoded (as a query or path holds it: space as {@code +} or {@code %20}). Each form is replaced by {@code ***}.
 *
 * <p>Values shorter than {@link #MIN_LENGTH} characters are not masked: masking {@code "1"} or an empty default
 * everywhere would garble every message, and such a value is no secret. Immutable, threadsafe.
 */
public final class SecretMask {
  /** Shortest value that is masked. */
  public static final int MIN_LENGTH = 4;
  /** Masks nothing. */
  public static final SecretMask NONE = new SecretMask(List.of());

  /** Every form of every value, longest first (so a longer form is replaced before a shorter one inside it). */
  private final List<String> forms;

  private SecretMask(List<String> forms) {
    this.forms = forms;
  }

  /** A mask of {@code values} (nulls and values shorter than {@link #MIN_LENGTH} ignored). */
  public static SecretMask of(Collection<String> values) {
    if (values.isEmpty()) return NONE;
    Set<String> forms = new LinkedHashSet<>();
    for (String v : values) {
      if (v == null || v.length() < MIN_LENGTH) continue;
      forms.add(v);
      forms.add(json(v, false, false));
      forms.add(json(v, true, false));
      forms.add(json(v, true, true));
      String url = URLEncoder.encode(v, StandardCharsets.UTF_8);
      forms.add(url);
      forms.add(url.replace("+", "%20"));
    }
    if (forms.isEmpty()) return NONE;
    List<String> sorted = new ArrayList<>(forms);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new SecretMask(List.copyOf(sorted));
  }

  /** This mask and {@code values} too. */
  public SecretMask and(Collection<String> values) {
    if (values.isEmpty()) return this;
    SecretMask other = of(values);
    if (other.forms.isEmpty()) return this;
    if (forms.isEmpty()) return other;
    Set<String> all = new LinkedHashSet<>(forms);
    all.addAll(other.forms);
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new SecretMask(List.copyOf(sorted));
  }

  /** True when nothing is masked. */
  public boolean isEmpty() {
    return forms.isEmpty();
  }

  /** {@code text} with every form of every secret replaced by {@code ***}; null stays null. */
  public String mask(String text) {
    if (text == null || forms.isEmpty() || text.isEmpty()) return text;
    String out = text;
    for (String f : forms) if (out.contains(f)) out = out.replace(f, "***");
    return out;
  }

  /**
   * The length of the longest form masked (0 when none): text cut for display must be masked with this many
   * characters past the cut, or a secret straddling the cut would show its first characters.
   */
  public int longestForm() {
    return forms.isEmpty() ? 0 : forms.get(0).length();
  }

  /** True when {@code text} holds a form of a secret. */
  public boolean occursIn(String text) {
    if (text == null) return false;
    for (String f : forms) if (text.contains(f)) return true;
    return false;
  }

  /**
   * The value as a JSON string's content; {@code strict}: {@code /} and non-ASCII escaped too, with lower or
   * {@code upper} case hex digits.
   */
  static String json(String v, boolean strict, boolean upper) {
    StringBuilder b = new StringBuilder(v.length() + 8);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        case '/' -> b.append(strict ? "\\/" : "/");
        default -> {
          if (c < 0x20 || strict && c > 0x7e) b.append(String.format(upper ? "\\u%04X" : "\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "SecretMask[" + forms.size() + " forms]";
  }
}
