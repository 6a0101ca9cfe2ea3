package dev.ferry.steps.template;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Shapes of {@code matches(text, 'regex')} whose answer needs no regular-expression engine, recognised once when the
 * template is compiled: a whole-text choice of plain words ({@code ^(|true|yes|1)$}: one set lookup) and a length
 * bound ({@code (?s)^.{0,64}$}: a count of code points; without {@code (?s)} also no line terminator), and an anchored
 * sequence of characters and character classes, each once or with {@code +}, {@code *} or {@code ?}
 * ({@code ^[^@\s"<>,;]+@[^@\s"<>,;]+\.[^@\s"<>,;.]+$}, an email address's shape: {@link Sequence}, one pass over
 * the text), and an anchored regex of those items with groups, alternation and counted repetition
 * ({@code ^\\[("[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}",?)*\\]$}, a JSON list of role slugs: {@link Automaton}). The
 * answer is the one {@code Pattern.matcher(text).matches()} gives ({@code RegexesTest} checks both on random text
 * and random regexes of these shapes); any other regex is left to the engine. Stateless; threadsafe.
 */
final class Regexes {
  private static final Pattern WORDS = Pattern.compile("\\^\\((?:\\?:)?([A-Za-z0-9_\\-|]*)\\)\\$");
  private static final Pattern LENGTH = Pattern.compile("(\\(\\?s\\))?\\^\\.\\{0,([0-9]{1,6})\\}\\$");

  private Regexes() {}

  /** What a whole-text match of a regex tests, or null when it takes the regex engine. */
  static Shortcut shortcut(String regex) {
    java.util.regex.Matcher m = WORDS.matcher(regex);
    if (m.matches()) return new OneOf(Set.copyOf(java.util.Arrays.asList(m.group(1).split("\\|", -1))));
    m = LENGTH.matcher(regex);
    if (m.matches()) return new AtMost(Integer.parseInt(m.group(2)), m.group(1) != null);
    Sequence sequence = Sequence.parse(regex);
    return sequence != null ? sequence : Automaton.parse(regex);
  }

  /** A test of the whole text. */
  interface Shortcut {
    boolean matches(String text);
  }

  /** {@code ^(a|b|)$}: the text is one of the words. */
  private record OneOf(Set<String> words) implements Shortcut {
    @Override
    public boolean matches(String text) {
      return words.contains(text);
    }
  }

  /** {@code ^.{0,n}$}: at most n code points (none a line terminator unless {@code dotAll}). */
  private record AtMost(int max, boolean dotAll) implements Shortcut {
    @Override
    public boolean matches(String text) {
      if (text.length() > 2 * max) return false;
      if (!dotAll) {
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') return false;
        }
      }
      return text.length() <= max || text.codePointCount(0, text.length()) <= max;
    }
  }
}
