package dev.ferry.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A secret as a server may echo it encoded, character by character (see {@link SecretMask}): each character of the
 * value may appear as itself, percent-encoded (its UTF-8 bytes as {@code %XX} in either case, or encoded twice as
 * {@code %25XX}; a space as {@code +}), JSON-escaped ({@code \}{@code uXXXX} in either case, a surrogate pair for a
 * character outside the BMP, or its short escape: {@code \"}, {@code \\}, {@code \/}, {@code \n}...; its backslash
 * doubled up to twice, as JSON holding JSON as a string writes it, and as the raw body of such an answer holds it
 * before it is parsed), or as an HTML character reference ({@code &#61;}, {@code &#x3d;} with up to three leading
 * zeros, or {@code &amp; &lt; &gt; &quot; &apos;}). Stateless.
 */
final class EncodedForms {
  /** Leading zeros an HTML character reference may carry ({@code &#039;} is PHP's). */
  private static final int HTML_ZEROS = 3;
  /** Backslashes a JSON escape may start with: its own, escaped once, escaped twice (JSON in JSON in JSON). */
  private static final int BACKSLASHES = 4;
  /** A JSON escape's backslash, as many times as {@link #BACKSLASHES} allows. */
  private static final String ESCAPE = "\\\\{1," + BACKSLASHES + "}";

  /** The characters an encoding starts with: percent, JSON's backslash, HTML's ampersand, a form's space. */
  private static final char[] MARKS = {'%', '\\', '&', '+'};

  private EncodedForms() {}

  /**
   * The spans of {@code text} an encoded form of at most {@code longest} characters may lie in: {@code longest}
   * characters either side of each mark that starts an encoding ({@code % \\ & +}), merged where they overlap, in
   * order; none when the text holds no mark (only the value itself can be in it then).
   */
  /** Whether {@code text} holds any encoding's mark (one pass, nothing allocated: most texts masked per row hold none). */
  static boolean hasMark(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      for (char m : MARKS) if (c == m) return true;
    }
    return false;
  }

  static List<int[]> spans(String text, int longest) {
    List<int[]> spans = new ArrayList<>();
    int n = text.length();
    int[] open = null;
    // the next position of each mark (String.indexOf: a text without marks costs four fast scans)
    int[] next = new int[MARKS.length];
    for (int k = 0; k < MARKS.length; k++) next[k] = text.indexOf(MARKS[k]);
    while (true) {
      int k = -1;
      for (int j = 0; j < MARKS.length; j++) if (next[j] >= 0 && (k < 0 || next[j] < next[k])) k = j;
      if (k < 0) break;
      int i = next[k];
      next[k] = text.indexOf(MARKS[k], i + 1);
      int from = Math.max(0, i - longest + 1);
      int to = Math.min(n, i + longest);
      if (open != null && from <= open[1]) {
        open[1] = to;
      } else {
        open = new int[] {from, to};
        spans.add(open);
      }
    }
    return spans;
  }

  /** The value with each character as itself or any encoding of it. */
  static Pattern pattern(String value) {
    StringBuilder b = new StringBuilder();
    value.codePoints().forEach(cp -> b.append(character(cp)));
    return Pattern.compile(b.toString());
  }

  /** The most characters a form of {@code value} matched by {@link #pattern} can take. */
  static int longest(String value) {
    return value.codePoints().map(EncodedForms::longest).sum();
  }

  private static int longest(int cp) {
    int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
    int html = "&#x;".length() + HTML_ZEROS + Integer.toHexString(cp).length();
    int unicode = (BACKSLASHES + "uXXXX".length()) * Character.charCount(cp);
    return Math.max(Math.max(5 * bytes, unicode), Math.max(html, "&quot;".length()));
  }

  private static String character(int cp) {
    String s = new String(Character.toChars(cp));
    List<String> alts = new ArrayList<>();
    alts.add(Pattern.quote(s));
    StringBuilder percent = new StringBuilder();
    StringBuilder twice = new StringBuilder();
    for (byte by : s.getBytes(StandardCharsets.UTF_8)) {
      percent.append('%').append(hex(by & 0xff, 2));
      twice.append("%25").append(hex(by & 0xff, 2));
    }
    alts.add(percent.toString());
    alts.add(twice.toString());
    if (cp == ' ') alts.add("\\+");
    StringBuilder unicode = new StringBuilder();
    for (char c : Character.toChars(cp)) unicode.append(ESCAPE).append('u').append(hex(c, 4));
    alts.add(unicode.toString());
    String shortEscape = switch (cp) {
      case '"' -> "\"";
      case '\\' -> ""; // the escape's backslashes are the character: an escaped backslash is two of them
      case '/' -> "/";
      case '\n' -> "n";
      case '\r' -> "r";
      case '\t' -> "t";
      case '\b' -> "b";
      case '\f' -> "f";
      default -> null;
    };
    if (shortEscape != null) alts.add(ESCAPE + shortEscape);
    alts.add("&#0{0," + HTML_ZEROS + "}" + cp + ";");
    alts.add("&#[xX]0{0," + HTML_ZEROS + "}" + hex(cp, 1) + ";");
    String named = switch (cp) {
      case '&' -> "&amp;";
      case '<' -> "&lt;";
      case '>' -> "&gt;";
      case '"' -> "&quot;";
      case '\'' -> "&apos;";
      default -> null;
    };
    if (named != null) alts.add(named);
    return "(?:" + String.join("|", alts) + ")";
  }

  /** {@code n} in hex, at least {@code width} digits, each letter matching either case. */
  private static String hex(int n, int width) {
    String h = String.format("%0" + width + "x", n);
    StringBuilder b = new StringBuilder();
    for (char c : h.toCharArray()) {
      if (c >= 'a' && c <= 'f') b.append('[').append(c).append(Character.toUpperCase(c)).append(']');
      else b.append(c);
    }
    return b.toString();
  }
}
