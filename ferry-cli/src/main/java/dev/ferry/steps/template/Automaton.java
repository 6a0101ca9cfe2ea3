package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole-text match of an anchored regex ({@code ^...$}) of characters and classes (read as {@link Sequence} reads
 * them), groups ({@code (...)}, {@code (?:...)}), alternation and quantifiers ({@code * + ? {n} {n,} {n,m}}, greedy or
 * lazy), answered by a finite automaton: the regex becomes a graph of states (Thompson's construction, a counted
 * repetition written out), and an ASCII text moves between the sets of states it can reach by one read of a table per
 * character, the sets found once when the template is compiled; a non-ASCII character goes on state by state. What
 * {@code Pattern.matcher(text).matches()} answers for such a regex: whether some way through it takes the whole text,
 * which the engine's backtracking finds whatever order its quantifiers try (lazy or greedy). Possessive quantifiers
 * (they refuse ways the graph would take), {@code .}, anchors or flags inside, back-references, look-arounds and
 * anything {@link Sequence} does not read give no automaton, nor does a regex of more than {@link #MAX_STATES} states
 * or {@link #MAX_SETS} sets. Immutable; threadsafe.
 */
final class Automaton implements Regexes.Shortcut {
  static final int MAX_STATES = 1024;
  static final int MAX_SETS = 256;
  private static final int ATOM = 0;
  private static final int SPLIT = 1;
  private static final int MATCH = 2;

  private final int[] kind;
  /** An atom's class (index into {@link #classes}), else -1. */
  private final int[] atom;
  private final int[] out1;
  private final int[] out2;
  private final BitSet[] classes;
  private final boolean[] negated;
  /** Each state's closure: it and the states it leads to without a character, but the splits themselves. */
  private final BitSet[] closures;
  /** The move of set {@code s} by ASCII character {@code c} at {@code s * 128 + c}; -1: no state left. */
  private final int[] ascii;
  private final BitSet[] sets;
  private final boolean[] accepting;

  private Automaton(Builder b, int start) {
    int n = b.kind.size();
    this.kind = new int[n];
    this.atom = new int[n];
    this.out1 = new int[n];
    this.out2 = new int[n];
    for (int i = 0; i < n; i++) {
      kind[i] = b.kind.get(i);
      atom[i] = b.atom.get(i);
      out1[i] = b.out1.get(i);
      out2[i] = b.out2.get(i);
    }
    this.classes = b.classes.toArray(BitSet[]::new);
    this.negated = new boolean[b.negated.size()];
    for (int i = 0; i < negated.length; i++) negated[i] = b.negated.get(i);
    this.closures = new BitSet[n];
    for (int i = 0; i < n; i++) {
      closures[i] = new BitSet();
      close(closures[i], i);
    }
    // ASCII characters every class takes or refuses alike move every set alike: one move per kind of character
    int[] kindOf = new int[128];
    Map<BitSet, Integer> kinds = new HashMap<>();
    List<Integer> example = new ArrayList<>();
    for (int c = 0; c < 128; c++) {
      BitSet taken = new BitSet();
      for (int k = 0; k < classes.length; k++) if (classes[k].get(c) != negated[k]) taken.set(k);
      Integer known = kinds.putIfAbsent(taken, kinds.size());
      if (known == null) {
        known = kinds.size() - 1;
        example.add(c);
      }
      kindOf[c] = known;
    }
    BitSet first = closures[start];
    Map<BitSet, Integer> index = new HashMap<>();
    List<BitSet> found = new ArrayList<>();
    List<int[]> moves = new ArrayList<>();
    index.put(first, 0);
    found.add(first);
    boolean fits = true;
    for (int k = 0; k < found.size() && fits; k++) {
      int[] byKind = new int[example.size()];
      for (int kind = 0; kind < byKind.length && fits; kind++) {
        BitSet next = step(found.get(k), example.get(kind));
        if (next.isEmpty()) {
          byKind[kind] = -1;
          continue;
        }
        Integer known = index.get(next);
        if (known == null) {
          if (found.size() == MAX_SETS) {
            fits = false;
            break;
          }
          known = found.size();
          index.put(next, known);
          found.add(next);
        }
        byKind[kind] = known;
      }
      int[] row = new int[128];
      for (int c = 0; c < 128; c++) row[c] = byKind[kindOf[c]];
      moves.add(row);
    }
    if (!fits) {
      this.ascii = null;
      this.sets = null;
      this.accepting = null;
      return;
    }
    this.sets = found.toArray(BitSet[]::new);
    this.accepting = new boolean[sets.length];
    this.ascii = new int[sets.length << 7];
    for (int k = 0; k < sets.length; k++) {
      for (int s = sets[k].nextSetBit(0); s >= 0; s = sets[k].nextSetBit(s + 1)) accepting[k] |= kind[s] == MATCH;
      System.arraycopy(moves.get(k), 0, ascii, k << 7, 128);
    }
  }

  @Override
  public boolean matches(String text) {
    int state = 0;
    for (int at = 0; at < text.length(); at++) {
      char c = text.charAt(at);
      if (c >= 128) return matchesFrom(text, at, sets[state]);
      state = ascii[(state << 7) | c];
      if (state < 0) return false;
    }
    return accepting[state];
  }

  private boolean matchesFrom(String text, int at, BitSet states) {
    BitSet now = states;
    while (at < text.length() && !now.isEmpty()) {
      int c = text.codePointAt(at);
      at += Character.charCount(c);
      now = step(now, c);
    }
    for (int s = now.nextSetBit(0); s >= 0; s = now.nextSetBit(s + 1)) if (kind[s] == MATCH) return true;
    return false;
  }

  /** The states reached from {@code states} (atoms and the match) by taking {@code c}, with what they lead to. */
  private BitSet step(BitSet states, int c) {
    BitSet next = new BitSet();
    for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) {
      if (kind[s] == ATOM && classes[atom[s]].get(c) != negated[atom[s]]) next.or(closures[out1[s]]);
    }
    return next;
  }

  /** Adds {@code s} and the states it leads to without a character, but the splits themselves. */
  private void close(BitSet into, int s) {
    java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>();
    BitSet seen = new BitSet();
    todo.push(s);
    while (!todo.isEmpty()) {
      int t = todo.pop();
      if (seen.get(t)) continue;
      seen.set(t);
      if (kind[t] == SPLIT) {
        todo.push(out2[t]);
        todo.push(out1[t]);
      } else {
        into.set(t);
      }
    }
  }

  /** The automaton of {@code regex}, or null when it is not a regex this reads exactly or it is too large. */
  static Automaton parse(String regex) {
    if (regex.length() < 2 || regex.charAt(0) != '^' || regex.charAt(regex.length() - 1) != '$') return null;
    int end = regex.length() - 1;
    int backslashes = 0;
    for (int j = end - 1; j >= 0 && regex.charAt(j) == '\\'; j--) backslashes++;
    if (backslashes % 2 == 1) return null; // '\$': a character, not the end
    Parser p = new Parser(regex, end);
    Node tree = p.alternation();
    if (tree == null || p.at != end) return null;
    Builder b = new Builder();
    int match = b.add(MATCH, -1, -1, -1);
    int start = b.build(tree, match);
    if (start < 0) return null;
    Automaton a = new Automaton(b, start);
    return a.ascii == null ? null : a;
  }

  private sealed interface Node {}

  private record Atom(BitSet set, boolean negated) implements Node {}

  private record Concat(List<Node> items) implements Node {}

  private record Either(List<Node> options) implements Node {}

  /** {@code max} -1: no bound. */
  private record Repeat(Node node, int min, int max) implements Node {}

  /** Recursive descent over the regex between its anchors; null on anything it does not read. */
  private static final class Parser {
    private final String regex;
    private final int end;
    int at = 1;

    Parser(String regex, int end) {
      this.regex = regex;
      this.end = end;
    }

    Node alternation() {
      List<Node> options = new ArrayList<>();
      Node first = sequence();
      if (first == null) return null;
      options.add(first);
      while (at < end && regex.charAt(at) == '|') {
        at++;
        Node next = sequence();
        if (next == null) return null;
        options.add(next);
      }
      return options.size() == 1 ? first : new Either(options);
    }

    private Node sequence() {
      List<Node> items = new ArrayList<>();
      while (at < end && regex.charAt(at) != '|' && regex.charAt(at) != ')') {
        Node atom = atom();
        if (atom == null) return null;
        Node quantified = quantified(atom);
        if (quantified == null) return null;
        items.add(quantified);
      }
      return new Concat(items);
    }

    private Node atom() {
      char c = regex.charAt(at);
      if (c == '(') {
        at++;
        if (at < end && regex.charAt(at) == '?') {
          if (at + 1 >= end || regex.charAt(at + 1) != ':') return null; // look-around, flags, named, atomic
          at += 2;
        }
        Node inner = alternation();
        if (inner == null || at >= end || regex.charAt(at) != ')') return null;
        at++;
        return inner;
      }
      BitSet set = new BitSet();
      if (c == '[') {
        int close = Sequence.parseClass(regex, at + 1, end, set);
        if (close < 0) return null;
        boolean negate = regex.charAt(at + 1) == '^';
        at = close + 1;
        return new Atom(set, negate);
      }
      if (c == '\\') {
        if (at + 1 >= end || !Sequence.escape(regex.charAt(at + 1), set)) return null;
        at += 2;
        return new Atom(set, false);
      }
      if (".^$|?*+()[]{}".indexOf(c) >= 0 || Character.isSurrogate(c)) return null;
      set.set(c);
      at++;
      return new Atom(set, false);
    }

    private Node quantified(Node atom) {
      if (at >= end) return atom;
      char m = regex.charAt(at);
      int min;
      int max;
      if (m == '*' || m == '+' || m == '?') {
        min = m == '+' ? 1 : 0;
        max = m == '?' ? 1 : -1;
        at++;
      } else if (m == '{') {
        int close = regex.indexOf('}', at);
        if (close < 0 || close >= end) return null;
        String[] bounds = regex.substring(at + 1, close).split(",", -1);
        if (bounds.length > 2 || !digits(bounds[0]) || bounds.length == 2 && !bounds[1].isEmpty()
            && !digits(bounds[1])) {
          return null;
        }
        min = Integer.parseInt(bounds[0]);
        max = bounds.length == 1 ? min : bounds[1].isEmpty() ? -1 : Integer.parseInt(bounds[1]);
        if (max >= 0 && max < min || min > 1000 || max > 1000) return null;
        at = close + 1;
      } else {
        return atom;
      }
      if (at < end && regex.charAt(at) == '?') at++; // lazy: the same whole-text answer
      if (at < end && "+*?{".indexOf(regex.charAt(at)) >= 0) return null; // possessive, or a second quantifier
      return new Repeat(atom, min, max);
    }

    private static boolean digits(String s) {
      if (s.isEmpty() || s.length() > 4) return false;
      for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
      return true;
    }
  }

  /** The states, built back to front: each node's states lead to the state given as what comes after it. */
  private static final class Builder {
    final List<Integer> kind = new ArrayList<>();
    final List<Integer> atom = new ArrayList<>();
    final List<Integer> out1 = new ArrayList<>();
    final List<Integer> out2 = new ArrayList<>();
    final List<BitSet> classes = new ArrayList<>();
    final List<Boolean> negated = new ArrayList<>();

    int add(int k, int a, int o1, int o2) {
      if (kind.size() >= MAX_STATES) return -1;
      kind.add(k);
      atom.add(a);
      out1.add(o1);
      out2.add(o2);
      return kind.size() - 1;
    }

    /** The first state of {@code n} followed by {@code next}, or -1 when too large. */
    int build(Node n, int next) {
      if (next < 0) return -1;
      switch (n) {
        case Atom a -> {
          classes.add(a.set());
          negated.add(a.negated());
          return add(ATOM, classes.size() - 1, next, -1);
        }
        case Concat c -> {
          int s = next;
          for (int i = c.items().size() - 1; i >= 0 && s >= 0; i--) s = build(c.items().get(i), s);
          return s;
        }
        case Either e -> {
          int s = build(e.options().get(e.options().size() - 1), next);
          for (int i = e.options().size() - 2; i >= 0 && s >= 0; i--) {
            int option = build(e.options().get(i), next);
            s = option < 0 ? -1 : add(SPLIT, -1, option, s);
          }
          return s;
        }
        case Repeat r -> {
          int s = next;
          if (r.max() < 0) {
            int loop = add(SPLIT, -1, -1, next);
            if (loop < 0) return -1;
            int body = build(r.node(), loop);
            if (body < 0) return -1;
            out1.set(loop, body);
            s = loop;
          } else {
            for (int i = r.min(); i < r.max() && s >= 0; i++) {
              int body = build(r.node(), s);
              s = body < 0 ? -1 : add(SPLIT, -1, body, next);
            }
          }
          for (int i = 0; i < r.min() && s >= 0; i++) s = build(r.node(), s);
          return s;
        }
      }
    }
  }
}
