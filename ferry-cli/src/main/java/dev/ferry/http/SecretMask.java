package dev.ferry.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values of a job's secrets (a spec's secret parameters, a row's secret columns) and the forms they take once
 * rendered into a request, so that text about the request can be masked before it leaves the process: the value as
 * it is, JSON-escaped (as a body holds it: {@code "} as {@code \"}, {@code \} as {@code \\}, control characters; and
 * the stricter form some servers echo, with {@code /} as {@code \/} and non-ASCII as {@code \}{@code uXXXX}), and
 * URL-encoded (as a query or path holds it: space as {@code +} or {@code %20}). Each form is replaced by {@code ***}.
 *
 * <p>A server may echo a value in an encoding of its own, character by character: a percent-encoder that encodes
 * more (every byte, {@code %73%6B%5F...}), or in lower-case hex ({@code %2f}), or twice ({@code %252F}); a JSON
 * writer that escapes more ({@code \}{@code u003d} for {@code =}: Gson and Go escape {@code < > & = '}; every
 * character as {@code \}{@code uXXXX}, in either case); an HTML error page ({@code &#61;}, {@code &#x3D;},
 * {@code &amp;}). Those are matched by one pattern a value, where each character may be itself or any of those
 * encodings of it (so any mix of them, as an encoder that escapes some characters writes), and run only over the
 * spans around an encoding's marks ({@code %}, {@code \}, {@code &}, {@code +}): plain text costs the plain search, a
 * 1 MB answer with a few marks a few short searches (a pattern tried at each character cost ~170 ms a MB).
 *
 * <p>Values shorter than {@link #MIN_LENGTH} characters are not masked: masking {@code "1"} or an empty default
 * everywhere would garble every message, and such a value is no secret. Immutable, threadsafe.
 */
public final class SecretMask {
  /** The mark of a text cut short ({@code ApiMessage}'s 300 characters): {@link #mask} masks a secret cut by it. */
  public static final String CUT = "\u2026";
  /** Shortest value that is masked. */
  public static final int MIN_LENGTH = 4;
  /** Masks nothing. */
  public static final SecretMask NONE = new SecretMask(List.of());

  /** The values masked (each at least {@link #MIN_LENGTH} characters), in the order given. */
  private final List<String> values;
  /** Every form of every value, longest first (so a longer form is replaced before a shorter one inside it). */
  private final List<String> forms;
  /** Per value, its characters each as itself or encoded ({@link EncodedForms}); longest value first. */
  private final List<Pattern> encoded;
  /** The most characters an encoded form of a value can take. */
  private final int longestEncoded;

  private SecretMask(List<String> values) {
    this.values = values;
    Set<String> all = new LinkedHashSet<>();
    for (String v : values) {
      all.add(v);
      all.add(json(v, false, false));
      all.add(json(v, true, false));
      all.add(json(v, true, true));
      String url = URLEncoder.encode(v, StandardCharsets.UTF_8);
      all.add(url);
      all.add(url.replace("+", "%20"));
    }
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.forms = List.copyOf(sorted);
    List<String> byLength = new ArrayList<>(values);
    byLength.sort(Comparator.comparingInt(String::length).reversed());
    this.encoded = byLength.stream().map(EncodedForms::pattern).toList();
    this.longestEncoded = values.stream().mapToInt(EncodedForms::longest).max().orElse(0);
  }

  /** A mask of {@code values} (nulls and values shorter than {@link #MIN_LENGTH} ignored). */
  public static SecretMask of(Collection<String> values) {
    Set<String> kept = new LinkedHashSet<>();
    for (String v : values) if (v != null && v.length() >= MIN_LENGTH) kept.add(v);
    return kept.isEmpty() ? NONE : new SecretMask(List.copyOf(kept));
  }

  /** This mask and {@code values} too. */
  public SecretMask and(Collection<String> values) {
    if (values.isEmpty()) return this;
    List<String> all = new ArrayList<>(this.values);
    all.addAll(values);
    SecretMask both = of(all);
    return both.values.equals(this.values) ? this : both;
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
    out = maskEncoded(out);
    int cut = cutSecret(out);
    return cut < 0 ? out : out.substring(0, cut) + "***" + CUT;
  }

  /**
   * {@code text} with the encoded forms masked. A form that is not the value as it is holds an encoding's mark, so it
   * lies within {@link #longestEncoded} characters of one: only the spans around the marks are searched (a 1 MB answer
   * with a few marks costs a few short searches, not a pattern tried at each of its characters).
   */
  private String maskEncoded(String text) {
    if (!EncodedForms.hasMark(text)) return text;
    List<int[]> spans = EncodedForms.spans(text, longestEncoded);
    if (spans.isEmpty()) return text;
    StringBuilder b = new StringBuilder(text.length());
    int done = 0;
    for (int[] span : spans) {
      b.append(text, done, span[0]);
      String part = text.substring(span[0], span[1]);
      for (Pattern p : encoded) part = p.matcher(part).replaceAll("***");
      b.append(part);
      done = span[1];
    }
    return b.append(text, done, text.length()).toString();
  }

  /**
   * Where a text cut short ({@code …} at its end, as an API's message is cut to its first characters before the
   * row's secrets are masked) ends in the first {@link #MIN_LENGTH} or more characters of a secret, in any of its
   * forms: their start, else -1. (The secret straddled the cut, so no whole form of it is left to mask.)
   */
  private int cutSecret(String text) {
    if (!text.endsWith(CUT) || encoded.isEmpty()) return -1;
    int end = text.length() - CUT.length();
    for (int i = Math.max(0, end - longestEncoded); i <= end - MIN_LENGTH; i++) {
      for (Pattern p : encoded) {
        Matcher m = p.matcher(text).region(i, end);
        if (!m.lookingAt() && m.hitEnd()) return i;
      }
    }
    return -1;
  }

  /**
   * The length of the longest form masked (0 when none): text cut for display must be masked with this many
   * characters past the cut, or a secret straddling the cut would show its first characters.
   */
  public int longestForm() {
    return forms.isEmpty() ? 0 : Math.max(forms.get(0).length(), longestEncoded);
  }

  /** True when {@code text} holds a form of a secret. */
  public boolean occursIn(String text) {
    if (text == null) return false;
    for (String f : forms) if (text.contains(f)) return true;
    if (forms.isEmpty()) return false;
    if (!EncodedForms.hasMark(text)) return cutSecret(text) >= 0;
    for (int[] span : EncodedForms.spans(text, longestEncoded)) {
      for (Pattern p : encoded) if (p.matcher(text).region(span[0], span[1]).find()) return true;
    }
    return cutSecret(text) >= 0;
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
    return "SecretMask[" + forms.size() + " forms, " + encoded.size() + " patterns]";
  }
}
