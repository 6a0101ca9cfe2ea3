package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A whole-text match of an anchored sequence of items, each a character or a character class taken once or with
 * {@code +}, {@code *} or {@code ?} ({@code ^[^@\s]+@[^@\s]+\.[a-z]+$}), answered in one pass over the text's code
 * points by following every place in the sequence the text so far can have reached (a set of at most 63 places, the
 * bits of a {@code long}; for ASCII text, sets found once and moved between by a table): what
 * {@code Pattern.matcher(text).matches()} answers for such a regex, as its greedy backtracking finds a match whenever
 * there is one. Only what it reads exactly as the regex engine does is accepted:
 * plain characters, escaped punctuation, {@code \s} {@code \d} {@code \w} (their ASCII meaning, the engine's default),
 * classes of those with ranges and {@code ^}; anything else (groups, alternation, {@code .}, {@code {n}}, possessive or
 * lazy quantifiers, flags, intersections, nested classes) gives no shortcut. Immutable; threadsafe.
 */
final class Sequence implements Regexes.Shortcut {
  private static final int ONE = 0;
  private static final int PLUS = 1;
  private static final int STAR = 2;
  private static final int OPTIONAL = 3;
  private static final int MAX_ITEMS = 63;
  /** At most this many sets of places for the ASCII table (an email's shape has 6). */
  private static final int MAX_STATES = 256;

  /** Each item's code points (of the class, or the one character) and whether the class is negated. */
  private final BitSet[] sets;
  private final boolean[] negated;
  private final int[] quantifiers;
  /** Whether each item takes each ASCII character (bits 0-63, 64-127): the common case without the set. */
  private final long[] low;
  private final long[] high;
  /** The places from which the end of the sequence is reached without a character (through {@code *} and {@code ?}). */
  private final long[] closures;
  /**
   * The ASCII table ({@link #buildAscii}): the move of set {@code s} by character {@code c} at {@code s * 128 + c}
   * (-1: no place left), or null; each set's places, and whether it has reached the end.
   */
  private final int[] ascii;
  private final long[] stateSets;
  private final boolean[] accepting;

  private record Ascii(int[] table, long[] sets, boolean[] accepting) {}

  private Sequence(List<BitSet> sets, List<Boolean> negated, List<Integer> quantifiers) {
    int n = sets.size();
    this.sets = sets.toArray(BitSet[]::new);
    this.negated = new boolean[n];
    this.quantifiers = new int[n];
    for (int i = 0; i < n; i++) {
      this.negated[i] = negated.get(i);
      this.quantifiers[i] = quantifiers.get(i);
    }
    this.low = new long[n];
    this.high = new long[n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 128; c++) {
        if (this.sets[i].get(c) == this.negated[i]) continue;
        if (c < 64) low[i] |= 1L << c;
        else high[i] |= 1L << (c - 64);
      }
    }
    this.closures = new long[n + 1];
    for (int i = n; i >= 0; i--) {
      long c = 1L << i;
      if (i < n && (this.quantifiers[i] == STAR || this.quantifiers[i] == OPTIONAL)) c |= closures[i + 1];
      closures[i] = c;
    }
    Ascii a = buildAscii();
    this.ascii = a == null ? null : a.table();
    this.stateSets = a == null ? null : a.sets();
    this.accepting = a == null ? null : a.accepting();
  }

  @Override
  public boolean matches(String text) {
    if (ascii == null) return matchesFrom(text, 0, closures[0]);
    int state = 0;
    for (int at = 0; at < text.length(); at++) {
      char c = text.charAt(at);
      if (c >= 128) return matchesFrom(text, at, stateSets[state]); // the rest place by place
      state = ascii[(state << 7) | c];
      if (state < 0) return false; // no place left
    }
    return accepting[state];
  }

  /** {@link #matches} of the text from {@code at}, with {@code places} reached before it. */
  private boolean matchesFrom(String text, int at, long places) {
    while (at < text.length() && places != 0) {
      int c = text.codePointAt(at);
      at += Character.charCount(c);
      places = step(places, c);
    }
    return (places & (1L << sets.length)) != 0;
  }

  /** The places reached from {@code places} by taking {@code c}. */
  private long step(long places, int c) {
    int n = sets.length;
    long next = 0;
    for (long left = places; left != 0; left &= left - 1) {
      int i = Long.numberOfTrailingZeros(left);
      if (i == n || !takes(i, c)) continue;
      next |= closures[i + 1];
      if (quantifiers[i] == PLUS || quantifiers[i] == STAR) next |= 1L << i;
    }
    return next;
  }

  /**
   * The sets of places an ASCII text can reach, found once, with their moves by each ASCII character: a match of an
   * ASCII text is one array read per character. Null when there are more than {@link #MAX_STATES} such sets (then
   * every text goes place by place).
   */
  private Ascii buildAscii() {
    java.util.Map<Long, Integer> index = new java.util.HashMap<>();
    List<Long> found = new ArrayList<>();
    index.put(closures[0], 0);
    found.add(closures[0]);
    List<int[]> moves = new ArrayList<>();
    for (int k = 0; k < found.size(); k++) {
      int[] row = new int[128];
      for (int c = 0; c < 128; c++) {
        long next = step(found.get(k), c);
        if (next == 0) {
          row[c] = -1;
          continue;
        }
        Integer known = index.get(next);
        if (known == null) {
          if (found.size() == MAX_STATES) return null;
          known = found.size();
          index.put(next, known);
          found.add(next);
        }
        row[c] = known;
      }
      moves.add(row);
    }
    int states = found.size();
    long[] places = new long[states];
    boolean[] ends = new boolean[states];
    int[] table = new int[states << 7];
    for (int k = 0; k < states; k++) {
      places[k] = found.get(k);
      ends[k] = (found.get(k) & (1L << sets.length)) != 0;
      System.arraycopy(moves.get(k), 0, table, k << 7, 128);
    }
    return new Ascii(table, places, ends);
  }

  private boolean takes(int item, int c) {
    if (c < 64) return (low[item] & (1L << c)) != 0;
    if (c < 128) return (high[item] & (1L << (c - 64))) != 0;
    return sets[item].get(c) != negated[item];
  }

  /** The shortcut of {@code regex}, or null when it is not such a sequence. */
  static Sequence parse(String regex) {
    if (regex.length() < 2 || regex.charAt(0) != '^' || regex.charAt(regex.length() - 1) != '$') return null;
    int end = regex.length() - 1;
    if (escapedAt(regex, end)) return null; // '\$': a character, not the end
    List<BitSet> sets = new ArrayList<>();
    List<Boolean> negated = new ArrayList<>();
    List<Integer> quantifiers = new ArrayList<>();
    int i = 1;
    while (i < end) {
      BitSet set = new BitSet();
      boolean negate = false;
      char c = regex.charAt(i);
      if (c == '[') {
        int close = parseClass(regex, i + 1, end, set);
        if (close < 0) return null;
        negate = regex.charAt(i + 1) == '^';
        i = close + 1;
      } else if (c == '\\') {
        if (i + 1 >= end || !escape(regex.charAt(i + 1), set)) return null;
        i += 2;
      } else if (".^$|?*+()[]{}".indexOf(c) >= 0 || Character.isSurrogate(c)) {
        return null;
      } else {
        set.set(c);
        i++;
      }
      int q = ONE;
      if (i < end) {
        char m = regex.charAt(i);
        q = m == '+' ? PLUS : m == '*' ? STAR : m == '?' ? OPTIONAL : ONE;
        if (q != ONE) {
          i++;
          if (i < end && "+?*{".indexOf(regex.charAt(i)) >= 0) return null; // possessive, lazy or another quantifier
        } else if (m == '{') {
          return null;
        }
      }
      sets.add(set);
      negated.add(negate);
      quantifiers.add(q);
      if (sets.size() > MAX_ITEMS) return null;
    }
    return new Sequence(sets, negated, quantifiers);
  }

  /** Whether the character at {@code i} is escaped (an odd number of backslashes before it). */
  private static boolean escapedAt(String s, int i) {
    int n = 0;
    for (int j = i - 1; j >= 0 && s.charAt(j) == '\\'; j--) n++;
    return n % 2 == 1;
  }

  /**
   * Reads a class's members from {@code from} (after its '[') into {@code set}.
   *
   * @return the index of its closing ']', or -1 when it is not a class this reads exactly
   */
  static int parseClass(String regex, int from, int end, BitSet set) {
    int i = from;
    if (i < end && regex.charAt(i) == '^') i++;
    int first = i;
    while (i < end) {
      char c = regex.charAt(i);
      if (c == ']' && i > first) return i;
      if (c == ']' || c == '[' || c == '&' || Character.isSurrogate(c)) return -1; // '[]...]', nested, intersection
      if (c == '-' && i > first && regex.charAt(i + 1) != ']') return -1; // a '-' only first or last
      int low;
      if (c == '\\') {
        if (i + 1 >= end) return -1;
        char e = regex.charAt(i + 1);
        if (e == 's' || e == 'd' || e == 'w') {
          escape(e, set);
          i += 2;
          if (i < end && regex.charAt(i) == '-' && i + 1 < end && regex.charAt(i + 1) != ']') return -1;
          continue;
        }
        if (!punctuation(e)) return -1;
        low = e;
        i += 2;
      } else {
        low = c;
        i++;
      }
      if (i + 1 < end && regex.charAt(i) == '-' && regex.charAt(i + 1) != ']') {
        char h = regex.charAt(i + 1);
        int high;
        if (h == '\\') {
          if (i + 2 >= end || !punctuation(regex.charAt(i + 2))) return -1;
          high = regex.charAt(i + 2);
          i += 3;
        } else {
          if (h == '[' || h == '&' || Character.isSurrogate(h)) return -1;
          high = h;
          i += 2;
        }
        if (high < low) return -1;
        set.set(low, high + 1);
        if (i < end && regex.charAt(i) == '-' && regex.charAt(i + 1) != ']') return -1; // 'a-c-e'

      } else {
        set.set(low);
      }
    }
    return -1;
  }

  /** The members of an escape outside a class ({@code \s}, {@code \.}) into {@code set}; false when not read here. */
  static boolean escape(char e, BitSet set) {
    switch (e) {
      case 's' -> {
        set.set(' ');
        set.set('\t');
        set.set('\n');
        set.set(0x0B);
        set.set('\f');
        set.set('\r');
      }
      case 'd' -> set.set('0', '9' + 1);
      case 'w' -> {
        set.set('a', 'z' + 1);
        set.set('A', 'Z' + 1);
        set.set('0', '9' + 1);
        set.set('_');
      }
      default -> {
        if (!punctuation(e)) return false;
        set.set(e);
      }
    }
    return true;
  }

  /** ASCII punctuation: escaped, it is itself. */
  private static boolean punctuation(char c) {
    return c > ' ' && c < 0x7f && !Character.isLetterOrDigit(c);
  }
}
