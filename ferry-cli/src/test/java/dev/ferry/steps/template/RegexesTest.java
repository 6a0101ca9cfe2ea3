package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A {@link Regexes} shortcut answers what the regex engine answers, and only regexes of its shapes get one. */
class RegexesTest {
  private static final List<String> SHORTCUTS = List.of("^(|true|yes|1|y|t|false|no|0|n|f)$",
      "^(|argon2|bcrypt|firebase-scrypt|pbkdf2|scrypt|ssha)$", "^(true|yes|1|y|t)$", "^(?:a|a|b_c)$", "^()$",
      "(?s)^.{0,64}$", "^.{0,320}$", "^.{0,0}$", "(?s)^.{0,3}$", "^.{0,2}$");
  private static final List<String> OTHERS = List.of("^(a.b)$", "(?i)^(a|b)$", "^.{1,5}$",
      "^[^@\\s]+@[^@\\s]+", "^.{0,5}", "(?s)^.{0,}$", "^a++$", "^(a|b)*+$", "^(?>a)$", "^(?=a)a$", "^(?i:a)$",
      "^(a)\\1$", "^a{2}{3}$", "^a{,2}$", "^[a-c-e]$", "^[a&&b]$", "^[[a]]$", "^\\n$", "^\\b$", "^a\\$", "^[\\n]$",
      "^\\1$", "^\\Qa\\E$", "^[]a]$", "^\\p{L}$", "^[\\s-a]$", "^(a$", "^a)$", "^a{1001}$");
  private static final String[] PIECES = {"", "true", "yes", "t", "n", "bcrypt", "firebase-scrypt", "a", "b_c", "TRUE",
      "x", "\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029", "\uD83D\uDE00", "\uD83D", "\uDE00", "ü", " ", "|", "."};

  @Test
  void aShortcutAnswersAsTheRegexEngine() {
    Random random = new Random(11);
    for (String regex : SHORTCUTS) {
      Regexes.Shortcut s = Regexes.shortcut(regex);
      assertThat(s).as(regex).isNotNull();
      Pattern p = Pattern.compile(regex);
      for (int i = 0; i < 20_000; i++) {
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(i % 50 == 0 ? 200 : 4); n > 0; n--) b.append(PIECES[random.nextInt(PIECES.length)]);
        String text = b.toString();
        assertThat(s.matches(text)).as("%s on '%s'", regex, text).isEqualTo(p.matcher(text).matches());
      }
    }
  }

  /** Items of random sequences: characters, escapes and classes the shortcut reads. */
  private static final String[] ITEMS = {"a", "b", "@", "\\.", "\\s", "\\d", "\\w", "[^@\\s\"<>,;]",
      "[^@\\s\"<>,;.]", "[a-c]", "[^a-c]", "[-x]", "[x-]", "[.]", "[\\-\\]]", "\\$", "\\\\", "ü", "[^ü]", "[\\w.]",
      "[\\d\\s]", ",", "\\^"};
  private static final String[] QUANTIFIERS = {"", "", "+", "*", "?"};
  private static final String[] TEXT = {"a", "b", "c", "@", ".", " ", "\n", "\t", "\u000B", "\"", "<", ",", ";", "x",
      "-", "]", "$", "\\", "ü", "1", "_", "^", "\uD83D\uDE00", "\uD83D", "\uDE00", "user", "example.com", "\u00A0"};

  @Test
  void aSequenceAnswersAsTheRegexEngine() {
    // Given the email check of the built-in spec and random sequences of items
    Random random = new Random(7);
    List<String> regexes = new java.util.ArrayList<>(List.of(
        "^[^@\\s\"<>,;]+@[^@\\s\"<>,;]+\\.[^@\\s\"<>,;.]+$", "^$", "^a*$", "^[^@]+@[^@]+$", "^\\\\$"));
    for (int r = 0; r < 300; r++) {
      StringBuilder b = new StringBuilder("^");
      for (int n = random.nextInt(6); n > 0; n--) {
        b.append(ITEMS[random.nextInt(ITEMS.length)]).append(QUANTIFIERS[random.nextInt(QUANTIFIERS.length)]);
      }
      regexes.add(b.append('$').toString());
    }
    for (String regex : regexes) {
      // When a shortcut answers
      Regexes.Shortcut s = Regexes.shortcut(regex);
      assertThat(s).as(regex).isNotNull();
      Pattern p = Pattern.compile(regex);
      // Then it answers as the engine on random text
      for (int i = 0; i < 3_000; i++) {
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(i % 50 == 0 ? 40 : 8); n > 0; n--) b.append(TEXT[random.nextInt(TEXT.length)]);
        String text = b.toString();
        assertThat(s.matches(text)).as("%s on '%s'", regex, text).isEqualTo(p.matcher(text).matches());
      }
    }
  }

  @Test
  void otherRegexesAreLeftToTheEngine() {
    for (String regex : OTHERS) assertThat(Regexes.shortcut(regex)).as(regex).isNull();
  }

  /** Atoms, quantifiers and texts of random regexes with groups and alternation. */
  private static final String[] ATOMS = {"a", "b", "\\[", "\\]", "\"", ",", "[a-c]", "[^a\"]", "\\d", "\\s", "ü"};
  private static final String[] COUNTS = {"", "", "", "*", "+", "?", "{2}", "{0,3}", "{1,}", "*?", "{1,2}?", "??"};
  private static final String[] LETTERS = {"a", "b", "c", "[", "]", "\"", ",", "1", " ", "\n", "ü", "\uD83D\uDE00",
      "\uD83D", "x"};

  @Test
  void anAutomatonAnswersAsTheRegexEngine() {
    // Given the role-slug checks of the built-in spec, some shapes, and random regexes of groups and alternation
    Random random = new Random(1207);
    List<String> regexes = new java.util.ArrayList<>(List.of("^\\[(\"[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}\",?)*\\]$",
        "^(a|b)*$", "^(a|(b))$", "^a+?$", "^a{2}$", "^a|b$", "^()$", "^(a*)*$", "^(?:a|)+b{0,2}$", "^(a|ab)(c|bcd)$",
        "^([0-9]{1,2}|[1-5][0-9]{2}|600)$", "^\\[(\"(?:[ !#-\\[\\]-~]|\\\\[\"\\\\]){1,40}\",?)*\\]$"));
    for (int r = 0; r < 400; r++) regexes.add("^" + randomRegex(random, 3) + "$");
    int automata = 0;
    for (String regex : regexes) {
      Pattern p;
      try {
        p = Pattern.compile(regex);
      } catch (java.util.regex.PatternSyntaxException e) {
        continue;
      }
      // When it gets an automaton (a plain sequence gets a Sequence)
      Automaton a = Automaton.parse(regex);
      if (a == null) continue;
      automata++;
      Regexes.Shortcut s = Regexes.shortcut(regex);
      assertThat(s).as(regex).isNotNull();
      // Then both answer as the engine on random text
      for (int i = 0; i < 1_500; i++) {
        StringBuilder b = new StringBuilder();
        if (i % 3 == 0) b.append('[');
        for (int n = random.nextInt(i % 50 == 0 ? 30 : 8); n > 0; n--) {
          b.append(LETTERS[random.nextInt(LETTERS.length)]);
        }
        if (i % 3 == 0) b.append(']');
        String text = b.toString();
        boolean want = p.matcher(text).matches();
        assertThat(a.matches(text)).as("%s on '%s'", regex, text).isEqualTo(want);
        assertThat(s.matches(text)).as("%s on '%s'", regex, text).isEqualTo(want);
      }
    }
    assertThat(automata).isGreaterThan(300);
    String roles = "^\\[(\"[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}\",?)*\\]$";
    assertThat(Automaton.parse(roles).matches("[\"" + "a".repeat(100) + "\"]")).isTrue();
    assertThat(Automaton.parse(roles).matches("[\"" + "a".repeat(101) + "\"]")).isFalse();
  }

  private static String randomRegex(Random random, int depth) {
    StringBuilder b = new StringBuilder();
    int options = random.nextInt(4) == 0 ? 2 : 1;
    for (int o = 0; o < options; o++) {
      if (o > 0) b.append('|');
      for (int n = random.nextInt(4); n > 0; n--) {
        if (depth > 0 && random.nextInt(4) == 0) {
          b.append(random.nextBoolean() ? "(" : "(?:").append(randomRegex(random, depth - 1)).append(')');
        } else {
          b.append(ATOMS[random.nextInt(ATOMS.length)]);
        }
        b.append(COUNTS[random.nextInt(COUNTS.length)]);
      }
    }
    return b.toString();
  }
}
