package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses the expression between {@code {{} and {@code }}} (recursive descent over the grammar below). Not
 * threadsafe: one instance per expression.
 *
 * <pre>
 * or      := and ('||' and)*
 * and     := compare ('&amp;&amp;' compare)*
 * compare := unary (('==' | '!=') unary)?
 * unary   := '!' unary | postfix
 * postfix := primary ('.' name | '[' or ']' | '(' args ')')*
 * primary := number | string | true | false | null | name | '(' or ')' | '[' args ']' | '{' (key ':' or),* '}'
 * </pre>
 */
final class ExprParser {
  private static final Set<String> ROOTS = Set.of("row", "steps", "job", "source", "vars", "tables", "batch");
  private final String text;
  private final SpecLocation at;
  private final int end;
  private int pos;

  private ExprParser(String text, int start, int end, SpecLocation at) {
    this.text = text;
    this.pos = start;
    this.end = end;
    this.at = at;
  }

  /** Parses {@code text[start, end)}; offsets in the tree and in errors are positions in {@code text}. */
  static Expr parse(String text, int start, int end, SpecLocation at) {
    ExprParser p = new ExprParser(text, start, end, at);
    p.skipBlanks();
    if (p.pos >= end) throw p.error(start, "empty {{ }}: expected an expression such as row.id");
    Expr e = p.or();
    p.skipBlanks();
    if (p.pos < end) throw p.error(p.pos, "unexpected '" + p.rest() + "' after the expression");
    return e;
  }

  private Expr or() {
    Expr left = and();
    while (accept("||")) {
      int o = pos;
      left = new Expr.Binary("||", left, and(), o);
    }
    return left;
  }

  private Expr and() {
    Expr left = compare();
    while (accept("&&")) {
      int o = pos;
      left = new Expr.Binary("&&", left, compare(), o);
    }
    return left;
  }

  private Expr compare() {
    Expr left = unary();
    skipBlanks();
    int o = pos;
    if (accept("==")) return new Expr.Binary("==", left, unary(), o);
    if (accept("!=")) return new Expr.Binary("!=", left, unary(), o);
    if (peekIs("=") ) throw error(pos, "use == to compare (a single = assigns nothing here)");
    return left;
  }

  private Expr unary() {
    skipBlanks();
    int o = pos;
    if (peekIs("!") && !peekIs("!=")) {
      pos++;
      return new Expr.Not(unary(), o);
    }
    return postfix();
  }

  private Expr postfix() {
    Expr e = primary();
    while (true) {
      skipBlanks();
      int o = pos;
      if (accept(".")) {
        skipBlanks();
        String name = name();
        if (name == null) throw error(pos, "expected a field name after '.'");
        e = new Expr.Member(e, new Expr.Literal(name, o + 1), e.offset());
      } else if (accept("[")) {
        Expr index = or();
        expect("]");
        e = new Expr.Member(e, index, e.offset());
      } else if (peekIs("(")) {
        pos++;
        List<Expr> args = args(")");
        e = call(e, args, o);
      } else {
        return e;
      }
    }
  }

  private Expr call(Expr callee, List<Expr> args, int o) {
    if (callee instanceof Expr.Member m && m.target() instanceof Expr.Name n && n.name().equals("batch")
        && m.selector() instanceof Expr.Literal l && "each".equals(l.value())) {
      if (args.size() != 1) throw error(o, "batch.each takes one expression: the item of each row");
      return new Expr.Each(args.get(0), callee.offset());
    }
    if (callee instanceof Expr.Literal l && l.value() instanceof FunctionName f) {
      Functions.checkArity(f.name(), args.size(), at.shifted(callee.offset()));
      if (f.name().equals("matches") && args.get(1) instanceof Expr.Literal r && r.value() instanceof String regex) {
        try { // a literal regex is the spec's: wrong for every row alike, so an error of the spec
          java.util.regex.Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
          throw error(r.offset(), "matches(...): '" + regex + "' is not a regular expression: " + e.getDescription());
        }
      }
      return new Expr.Call(f.name(), List.copyOf(args), callee.offset());
    }
    throw error(o, "only functions (" + String.join(", ", Functions.NAMES) + ") and batch.each(...) can be called");
  }

  private Expr primary() {
    skipBlanks();
    int o = pos;
    if (pos >= end) throw error(pos, "expected a value, the expression ends here");
    char c = text.charAt(pos);
    if (c == '(') {
      pos++;
      Expr e = or();
      expect(")");
      return e;
    }
    if (c == '[') {
      pos++;
      return new Expr.ListOf(List.copyOf(args("]")), o);
    }
    if (c == '{') {
      pos++;
      return object(o);
    }
    if (c == '\'' || c == '"') return new Expr.Literal(string(), o);
    if (Character.isDigit(c) || c == '-' && pos + 1 < end && Character.isDigit(text.charAt(pos + 1))) {
      return new Expr.Literal(number(), o);
    }
    String name = name();
    if (name == null) throw error(o, "unexpected '" + c + "': expected a value (row.x, steps.s.x, 'text', 1, "
        + "true, null)");
    switch (name) {
      case "true":
        return new Expr.Literal(Boolean.TRUE, o);
      case "false":
        return new Expr.Literal(Boolean.FALSE, o);
      case "null":
        return new Expr.Literal(null, o);
      default:
        break;
    }
    skipBlanks();
    if (peekIs("(")) {
      if (!Functions.NAMES.contains(name)) {
        throw error(o, "unknown function '" + name + "': expected one of " + String.join(", ", Functions.NAMES));
      }
      return new Expr.Literal(new FunctionName(name), o);
    }
    if (!ROOTS.contains(name)) {
      throw error(o, "unknown name '" + name + "': a template reads row, steps, job, source, vars, tables or batch"
          + " (e.g."
          + " row."
          + name + ")");
    }
    return new Expr.Name(name, o);
  }

  private Expr object(int o) {
    List<String> keys = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    skipBlanks();
    if (accept("}")) return new Expr.ObjectOf(List.of(), List.of(), o);
    while (true) {
      skipBlanks();
      int k = pos;
      String key = pos < end && (text.charAt(pos) == '\'' || text.charAt(pos) == '"') ? string() : name();
      if (key == null) throw error(k, "expected a field name in { }");
      if (keys.contains(key)) throw error(k, "field '" + key + "' given twice");
      expect(":");
      keys.add(key);
      values.add(or());
      skipBlanks();
      if (accept("}")) return new Expr.ObjectOf(List.copyOf(keys), List.copyOf(values), o);
      expect(",");
    }
  }

  private List<Expr> args(String close) {
    List<Expr> out = new ArrayList<>();
    skipBlanks();
    if (accept(close)) return out;
    while (true) {
      out.add(or());
      skipBlanks();
      if (accept(close)) return out;
      expect(",");
    }
  }

  private String name() {
    int start = pos;
    while (pos < end && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
    if (pos == start || Character.isDigit(text.charAt(start))) {
      pos = start;
      return null;
    }
    return text.substring(start, pos);
  }

  private String string() {
    char quote = text.charAt(pos);
    int start = pos++;
    StringBuilder b = new StringBuilder();
    while (pos < end) {
      char c = text.charAt(pos++);
      if (c == quote) return b.toString();
      if (c == '\\' && pos < end) {
        char e = text.charAt(pos++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case '\\', '\'', '"' -> b.append(e);
          default -> throw error(pos - 2, "unknown escape '\\" + e + "' (use \\n, \\t, \\\\, \\' or \\\")");
        }
      } else {
        b.append(c);
      }
    }
    throw error(start, "unclosed string");
  }

  private Object number() {
    int start = pos;
    if (text.charAt(pos) == '-') pos++;
    while (pos < end && Character.isDigit(text.charAt(pos))) pos++;
    boolean decimal = false;
    if (pos + 1 < end && text.charAt(pos) == '.' && Character.isDigit(text.charAt(pos + 1))) {
      decimal = true;
      pos++;
      while (pos < end && Character.isDigit(text.charAt(pos))) pos++;
    }
    String n = text.substring(start, pos);
    try {
      return decimal ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
    } catch (NumberFormatException e) {
      throw error(start, "'" + n + "' is not a number this language reads");
    }
  }

  private void skipBlanks() {
    while (pos < end && Character.isWhitespace(text.charAt(pos))) pos++;
  }

  private boolean peekIs(String s) {
    return text.startsWith(s, pos) && pos + s.length() <= end;
  }

  private boolean accept(String s) {
    skipBlanks();
    if (!peekIs(s)) return false;
    pos += s.length();
    return true;
  }

  private void expect(String s) {
    if (!accept(s)) {
      throw error(pos, pos >= end ? "expected '" + s + "', the expression ends here"
          : "expected '" + s + "', got '" + rest() + "'");
    }
  }

  private String rest() {
    String r = text.substring(pos, end).strip();
    return r.length() > 20 ? r.substring(0, 20) + "…" : r;
  }

  private SpecException error(int offset, String detail) {
    return new SpecException(at.shifted(offset), detail + " in '" + text + "'");
  }

  /** A function's name, before its call is parsed. */
  record FunctionName(String name) {}
}
