package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed template expression: a small tree evaluated against a {@link RenderContext}. Immutable and threadsafe.
 * {@code offset} is the position of the node's first character in the template's text, for error locations.
 */
sealed interface Expr {
  Object eval(RenderContext ctx, SpecLocation at);

  int offset();

  /** Adds the names of the steps it reads to {@code out}; true when it reads {@code batch}. */
  boolean scan(Set<String> stepsRead);

  /**
   * Adds the roots {@code e} reads ({@code row}, {@code vars}, ...; {@code batch.each} reads {@code batch}) to
   * {@code roots}, and the vars it reads by a literal name ({@code vars.NAME}, {@code vars['NAME']}) to {@code vars}.
   * Every branch counts (of {@code if} too): a superset of what one evaluation reads.
   *
   * @return true when it reads {@code vars} otherwise (as a whole, or by a computed name): any var, then
   */
  static boolean reads(Expr e, Set<String> roots, Set<String> vars) {
    // instanceof tests, not a switch on the type: this runs once per template at load, where a type switch's
    // bootstrap would cost more than the whole walk (a new kind of Expr is to be added here)
    if (e instanceof Name n) {
      roots.add(n.name());
      return n.name().equals("vars");
    }
    if (e instanceof Member m) {
      if (m.target() instanceof Name n && n.name().equals("vars") && m.selector() instanceof Literal l
          && l.value() instanceof String name) {
        roots.add("vars");
        vars.add(name);
        return false;
      }
      return reads(m.target(), roots, vars) | reads(m.selector(), roots, vars);
    }
    if (e instanceof Each each) {
      roots.add("batch");
      return reads(each.item(), roots, vars);
    }
    if (e instanceof Call c) return readsAll(c.args(), roots, vars);
    if (e instanceof Binary b) return reads(b.left(), roots, vars) | reads(b.right(), roots, vars);
    if (e instanceof Not n) return reads(n.operand(), roots, vars);
    if (e instanceof ListOf l) return readsAll(l.items(), roots, vars);
    if (e instanceof ObjectOf o) return readsAll(o.values(), roots, vars);
    return false; // a literal
  }

  /**
   * Adds the row's columns {@code e} reads by a literal name ({@code row.NAME}, {@code row['NAME']}) to
   * {@code columns}, in any branch.
   *
   * @return true when it reads {@code row} otherwise (as a whole, or by a computed name): any column, then
   */
  static boolean readsColumns(Expr e, Set<String> columns) {
    if (e instanceof Name n) return n.name().equals("row");
    if (e instanceof Member m) {
      if (m.target() instanceof Name n && n.name().equals("row") && m.selector() instanceof Literal l
          && l.value() instanceof String name) {
        columns.add(name);
        return false;
      }
      return readsColumns(m.target(), columns) | readsColumns(m.selector(), columns);
    }
    if (e instanceof Each each) return readsColumns(each.item(), columns);
    if (e instanceof Call c) return readsColumnsAll(c.args(), columns);
    if (e instanceof Binary b) return readsColumns(b.left(), columns) | readsColumns(b.right(), columns);
    if (e instanceof Not n) return readsColumns(n.operand(), columns);
    if (e instanceof ListOf l) return readsColumnsAll(l.items(), columns);
    if (e instanceof ObjectOf o) return readsColumnsAll(o.values(), columns);
    return false; // a literal
  }

  private static boolean readsColumnsAll(List<Expr> exprs, Set<String> columns) {
    boolean any = false;
    for (Expr x : exprs) any |= readsColumns(x, columns);
    return any;
  }

  private static boolean readsAll(List<Expr> exprs, Set<String> roots, Set<String> vars) {
    boolean any = false;
    for (Expr x : exprs) any |= reads(x, roots, vars);
    return any;
  }

  /** A literal value. */
  record Literal(Object value, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      return value;
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      return false;
    }
  }

  /** One of the names {@code row}, {@code steps}, {@code job}, {@code batch}. */
  record Name(String name, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      if (name.equals("batch") && !ctx.isBatch()) {
        throw new SpecException(at.shifted(offset), "'batch' is only defined in a batch step's request");
      }
      return ctx.root(name);
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      return name.equals("batch");
    }
  }

  /** {@code target.name} or {@code target[index]}: null when the target is null or lacks it. */
  record Member(Expr target, Expr selector, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      Object t = target.eval(ctx, at);
      Object s = selector.eval(ctx, at);
      if (t instanceof Map<?, ?> m) return s == null ? null : m.get(s instanceof String str ? str : Values.text(s));
      if (t instanceof List<?> l && s instanceof Number n) {
        int i = n.intValue();
        if (i < 0) i += l.size();
        return i >= 0 && i < l.size() ? l.get(i) : null;
      }
      return null;
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      if (target instanceof Name n && n.name().equals("steps") && selector instanceof Literal l
          && l.value() instanceof String step) {
        stepsRead.add(step);
      }
      return target.scan(stepsRead) | selector.scan(stepsRead);
    }
  }

  /** {@code batch.each(expr)}: expr for every row of the batch, a list. */
  record Each(Expr item, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      List<RenderContext> rows = ctx.batchRows();
      if (rows == null) throw new SpecException(at.shifted(offset), "batch.each(...) is only defined in a batch "
          + "step's request");
      List<Object> out = new ArrayList<>(rows.size());
      for (RenderContext row : rows) out.add(item.eval(row, at));
      return out;
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      item.scan(stepsRead);
      return true;
    }
  }

  /** A call of one of the {@link Functions}. */
  record Call(String function, List<Expr> args, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      if (function.equals("if")) { // only the branch taken is evaluated: if(starts_with(x, '['), json_parse(x), x)
        return Values.truthy(args.get(0).eval(ctx, at)) ? args.get(1).eval(ctx, at) : args.get(2).eval(ctx, at);
      }
      List<Object> values = new ArrayList<>(args.size());
      for (Expr a : args) values.add(a.eval(ctx, at));
      try {
        return Functions.apply(function, values, at);
      } catch (SpecException e) { // the call's own place, computed only when it failed (this runs per row)
        throw new SpecException(at.shifted(offset), e.detail());
      }
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      boolean batch = false;
      for (Expr a : args) batch |= a.scan(stepsRead);
      return batch;
    }
  }

  /** {@code ==}, {@code !=}, {@code &&}, {@code ||}. */
  record Binary(String op, Expr left, Expr right, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      return switch (op) {
        case "==" -> Values.same(left.eval(ctx, at), right.eval(ctx, at));
        case "!=" -> !Values.same(left.eval(ctx, at), right.eval(ctx, at));
        case "&&" -> Values.truthy(left.eval(ctx, at)) && Values.truthy(right.eval(ctx, at));
        case "||" -> Values.truthy(left.eval(ctx, at)) || Values.truthy(right.eval(ctx, at));
        default -> throw new IllegalStateException(op);
      };
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      return left.scan(stepsRead) | right.scan(stepsRead);
    }
  }

  /** {@code !expr}. */
  record Not(Expr operand, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      return !Values.truthy(operand.eval(ctx, at));
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      return operand.scan(stepsRead);
    }
  }

  /** {@code [a, b]}. */
  record ListOf(List<Expr> items, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      List<Object> out = new ArrayList<>(items.size());
      for (Expr e : items) out.add(e.eval(ctx, at));
      return out;
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      boolean batch = false;
      for (Expr e : items) batch |= e.scan(stepsRead);
      return batch;
    }
  }

  /** {@code {key: expr, ...}}, in order. */
  record ObjectOf(List<String> keys, List<Expr> values, int offset) implements Expr {
    @Override
    public Object eval(RenderContext ctx, SpecLocation at) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) out.put(keys.get(i), values.get(i).eval(ctx, at));
      return out;
    }

    @Override
    public boolean scan(Set<String> stepsRead) {
      boolean batch = false;
      for (Expr e : values) batch |= e.scan(stepsRead);
      return batch;
    }
  }
}
