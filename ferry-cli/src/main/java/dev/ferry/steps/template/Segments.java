package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parsed parts of a {@link Template}: literal text and expressions, in order. A template that is one expression
 * and nothing else renders to the expression's typed value. Each expression is also {@linkplain Compiled compiled}
 * once: rows are rendered from the compiled parts ({@link #render}), the parsed tree stays the reference
 * ({@link #interpret}). Immutable and threadsafe.
 */
final class Segments {
  private final List<Object> parts; // String (literal text) or Expr
  private final boolean single;
  private final boolean usesBatch;
  private final Set<String> stepsRead;
  /** The roots the expressions read. */
  private final Set<String> rootsRead;
  /** The vars the expressions read by a literal name, or null when they read vars otherwise (any var). */
  private final Set<String> varsRead;
  /** The row's columns read by a literal name; null when it reads the row otherwise (any column). */
  private final Set<String> columnsRead;
  /** The single expression compiled, or null. */
  private final Compiled one;
  /** The parts compiled: String (literal text) or Compiled. */
  private final Object[] plan;
  /** The capacity a rendered mixed text starts with: its literal text plus 16 characters a value. */
  private final int sizeHint;
  /** The text when every part is literal text (a constant path), else null. */
  private final String literalText;

  private Segments(List<Object> parts, boolean single) {
    this.parts = parts;
    this.single = single;
    this.plan = new Object[parts.size()];
    for (int i = 0; i < plan.length; i++) {
      plan[i] = parts.get(i) instanceof Expr e ? Compiled.of(e) : parts.get(i);
    }
    this.one = single ? (Compiled) plan[0] : null;
    int size = 0;
    for (Object p : plan) size += p instanceof String s ? s.length() : 16;
    this.sizeHint = size;
    boolean literal = true;
    for (Object p : plan) literal &= p instanceof String;
    this.literalText = literal ? String.join("", parts.stream().map(String.class::cast).toList()) : null;
    Set<String> read = new TreeSet<>();
    boolean batch = false;
    for (Object p : parts) if (p instanceof Expr e) batch |= e.scan(read);
    this.usesBatch = batch;
    this.stepsRead = Collections.unmodifiableSet(read);
    Set<String> roots = new TreeSet<>();
    Set<String> vars = new TreeSet<>();
    boolean anyVar = false;
    for (Object p : parts) if (p instanceof Expr e) anyVar |= Expr.reads(e, roots, vars);
    this.rootsRead = Collections.unmodifiableSet(roots);
    this.varsRead = anyVar ? null : Collections.unmodifiableSet(vars);
    Set<String> columns = new TreeSet<>();
    boolean anyColumn = false;
    for (Object p : parts) if (p instanceof Expr e) anyColumn |= Expr.readsColumns(e, columns);
    this.columnsRead = anyColumn ? null : Collections.unmodifiableSet(columns);
  }

  static Segments parse(String text, SpecLocation at) {
    List<Object> parts = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf("{{", i);
      if (open < 0) {
        parts.add(text.substring(i));
        break;
      }
      int close = text.indexOf("}}", open + 2);
      if (close < 0) throw new SpecException(at.shifted(open), "'{{' without '}}' in '" + text + "'");
      if (open > i) parts.add(text.substring(i, open));
      parts.add(ExprParser.parse(text, open + 2, closeOf(text, open + 2, close), at));
      i = closeOf(text, open + 2, close) + 2;
    }
    boolean single = parts.size() == 1 && parts.get(0) instanceof Expr
        || parts.size() <= 3 && parts.stream().filter(p -> p instanceof Expr).count() == 1
            && parts.stream().allMatch(p -> p instanceof Expr || ((String) p).isBlank());
    if (single) parts.removeIf(p -> p instanceof String);
    return new Segments(List.copyOf(parts), single);
  }

  /**
   * The '}}' closing the expression that starts at {@code from}: the first one outside a string literal and outside
   * the expression's own braces ({@code {{ {a: {b: 1}} }}}); {@code firstClose} when the braces do not balance (the
   * expression's parser then names the fault).
   */
  private static int closeOf(String text, int from, int firstClose) {
    char quote = 0;
    int depth = 0;
    for (int i = from; i < text.length() - 1; i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') i++;
        else if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        if (depth == 0 && text.charAt(i + 1) == '}') return i;
        if (depth > 0) depth--;
      }
    }
    return firstClose;
  }

  static Segments constant(Object value) {
    return new Segments(List.of(new Expr.Literal(value, 0)), true);
  }

  /** The value, from the compiled parts. */
  Object render(RenderContext context, SpecLocation at) {
    if (one != null) return one.eval(context, at);
    return renderMixed(context, at);
  }

  /** The value as text ({@link Values#text}). */
  String renderText(RenderContext context, SpecLocation at) {
    if (one != null) return Values.text(one.eval(context, at));
    return renderMixed(context, at);
  }

  /** The value as a condition ({@link Values#truthy}). */
  boolean renderCondition(RenderContext context, SpecLocation at) {
    if (one != null) return one.test(context, at);
    return Values.truthy(renderMixed(context, at));
  }

  private String renderMixed(RenderContext context, SpecLocation at) {
    if (plan.length == 0) return "";
    if (plan.length == 1 && plan[0] instanceof String s) return s;
    StringBuilder b = new StringBuilder(sizeHint);
    for (Object p : plan) {
      if (p instanceof String s) b.append(s);
      else Values.appendText(b, ((Compiled) p).eval(context, at));
    }
    return b.toString();
  }

  /** The value as the parsed tree evaluates it: the reference the compiled parts are tested against. */
  Object interpret(RenderContext context, SpecLocation at) {
    if (single) return ((Expr) parts.get(0)).eval(context, at);
    if (parts.isEmpty()) return "";
    StringBuilder b = new StringBuilder();
    for (Object p : parts) b.append(p instanceof Expr e ? Values.text(e.eval(context, at)) : (String) p);
    return b.toString();
  }

  /** Mixed text with each expression's text passed through {@code escape} (a single expression too). */
  String renderEscaped(RenderContext context, SpecLocation at, java.util.function.UnaryOperator<String> escape) {
    if (literalText != null) return literalText;
    StringBuilder b = new StringBuilder(sizeHint);
    for (Object p : plan) {
      b.append(p instanceof Compiled c ? escape.apply(Values.text(c.eval(context, at))) : (String) p);
    }
    return b.toString();
  }

  /** {@link #renderEscaped} by the parsed tree (the reference). */
  String interpretEscaped(RenderContext context, SpecLocation at, java.util.function.UnaryOperator<String> escape) {
    StringBuilder b = new StringBuilder();
    for (Object p : parts) b.append(p instanceof Expr e ? escape.apply(Values.text(e.eval(context, at))) : (String) p);
    return b.toString();
  }

  /** {@link Template#cannotFail}. */
  boolean cannotFail(Facts f) {
    for (Object p : plan) if (p instanceof Compiled c && !c.cannotFail(f)) return false;
    return true;
  }

  /** {@link Template#scalar}. */
  boolean scalar(Facts f) {
    return one == null || one.scalar(f); // mixed text is a string
  }

  /** {@link Template#visibleAsciiBounds}. */
  int[] visibleAsciiBounds(Facts f) {
    int min = 0;
    int max = 0;
    for (Object p : plan) {
      int[] b = p instanceof Compiled c ? c.visibleAsciiBounds(f) : Compiled.bounds((String) p);
      if (b == null) return null;
      min += b[0];
      max += b[1];
    }
    return new int[] {min, max};
  }

  boolean isConstant() {
    for (Object p : parts) if (p instanceof Expr e && !(e instanceof Expr.Literal)) return false;
    return true;
  }

  boolean usesBatch() {
    return usesBatch;
  }

  Set<String> stepsRead() {
    return stepsRead;
  }

  Set<String> rootsRead() {
    return rootsRead;
  }

  Set<String> varsRead() {
    return varsRead;
  }

  Set<String> columnsRead() {
    return columnsRead;
  }
}
