package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An {@link Expr} compiled once, when its template is parsed, into what a row's evaluation runs: each node knows its
 * operation (no per-row switch on a function's or an operator's name), a root's field is one map read
 * ({@code row.email}), a literal regular expression is compiled once, a call's arguments are not collected into a list,
 * and conditions ({@code &&}, {@code ||}, {@code !}, {@code ==}, {@code length(x) != 0}, {@code matches}) answer a
 * {@code boolean} without boxing. Values, evaluation order, short-circuits and errors (their text and location) are
 * those of the {@code Expr} tree it comes from ({@link Expr#eval} stays the reference: {@code CompiledTest} renders
 * both). Immutable and threadsafe.
 */
abstract class Compiled {
  abstract Object eval(RenderContext ctx, SpecLocation at);

  /**
   * Whether {@link #eval} can never throw a {@link SpecException} for a row that fits {@code f} (every branch looked
   * at, whatever the values): conservative, false when unsure. Read with {@link #scalar}.
   */
  boolean cannotFail(Facts f) {
    return false;
  }

  /** Whether the value is always a string, number, boolean or null for a row that fits {@code f} (false: unsure). */
  boolean scalar(Facts f) {
    return false;
  }

  /**
   * When the value's text ({@link Values#text}) is always visible ASCII for a row that fits {@code f}: its least and
   * greatest length; else null.
   */
  int[] visibleAsciiBounds(Facts f) {
    return null;
  }

  /** The value as a condition ({@link Values#truthy}). */
  boolean test(RenderContext ctx, SpecLocation at) {
    return Values.truthy(eval(ctx, at));
  }

  /** The compiled form of {@code e}. */
  static Compiled of(Expr e) {
    return switch (e) {
      case Expr.Literal l -> new Const(l.value());
      case Expr.Name n -> n.name().equals("batch") ? new Batch(n.offset()) : new Root(RenderContext.rootIndex(n.name()));
      case Expr.Member m -> member(m);
      case Expr.Each each -> new Each(of(each.item()), each.offset());
      case Expr.Call c -> call(c);
      case Expr.Binary b -> binary(b);
      case Expr.Not n -> new Not(of(n.operand()));
      case Expr.ListOf l -> new ListOf(all(l.items()));
      case Expr.ObjectOf o -> new ObjectOf(o.keys().toArray(String[]::new), all(o.values()));
    };
  }

  private static Compiled[] all(List<Expr> exprs) {
    Compiled[] out = new Compiled[exprs.size()];
    for (int i = 0; i < out.length; i++) out[i] = of(exprs.get(i));
    return out;
  }

  private static Compiled member(Expr.Member m) {
    if (m.selector() instanceof Expr.Literal l && l.value() instanceof String field) {
      if (m.target() instanceof Expr.Name n && !n.name().equals("batch")) {
        int root = RenderContext.rootIndex(n.name());
        // each its own class, so each call site's type profile sees one kind of map (smaller compiled code)
        if (root == RenderContext.ROW) return new RowField(field);
        if (root == RenderContext.VARS) return new VarField(field);
        return new RootField(root, field);
      }
      return new Field(of(m.target()), field);
    }
    return new Member(of(m.target()), of(m.selector()));
  }

  private static Compiled call(Expr.Call c) {
    List<Expr> args = c.args();
    String f = c.function();
    if (f.equals("if")) return new If(of(args.get(0)), of(args.get(1)), of(args.get(2)));
    if (f.equals("trim")) return new Trim(of(args.get(0)), c.offset());
    if (f.equals("matches") && args.get(1) instanceof Expr.Literal l && l.value() instanceof String regex) {
      Pattern p = Functions.patternOrNull(regex);
      if (p != null) return new MatchesLiteral(of(args.get(0)), p, c.offset());
    }
    if (f.equals("json_parse") && args.size() == 1) return new JsonParse(of(args.get(0)), c.offset());
    if (args.size() == 1) return new Call1(f, of(args.get(0)), c.offset());
    if (args.size() == 2) return new Call2(f, of(args.get(0)), of(args.get(1)), c.offset());
    return new CallN(f, all(args), c.offset());
  }

  private static Compiled binary(Expr.Binary b) {
    return switch (b.op()) {
      case "&&" -> new And(of(b.left()), of(b.right()));
      case "||" -> new Or(of(b.left()), of(b.right()));
      case "==", "!=" -> {
        boolean equal = b.op().equals("==");
        if (b.left() instanceof Expr.Call c && c.function().equals("length") && b.right() instanceof Expr.Literal l
            && l.value() instanceof Number n && n.doubleValue() == 0) {
          yield new LengthIsZero(of(c.args().get(0)), equal);
        }
        yield new Same(of(b.left()), of(b.right()), equal);
      }
      default -> throw new IllegalStateException(b.op());
    };
  }

  static boolean isScalar(Object v) {
    return v == null || v instanceof String || v instanceof Number || v instanceof Boolean;
  }

  /** {@code {length, length}} of a text of visible ASCII characters only, else null. */
  static int[] bounds(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x21 || c > 0x7e) return null;
    }
    return new int[] {text.length(), text.length()};
  }

  /** A call's failure at the call's own place (as {@link Expr.Call} reports it). */
  static SpecException at(SpecException e, SpecLocation at, int offset) {
    return new SpecException(at.shifted(offset), e.detail());
  }

  static final class Const extends Compiled {
    private final Object value;
    private final boolean truth;

    Const(Object value) {
      this.value = value;
      this.truth = Values.truthy(value);
    }

    @Override
    boolean cannotFail(Facts f) {
      return true;
    }

    @Override
    boolean scalar(Facts f) {
      return value == null || value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    @Override
    int[] visibleAsciiBounds(Facts f) {
      return scalar(f) ? Compiled.bounds(Values.text(value)) : null;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return value;
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return truth;
    }

    Object value() {
      return value;
    }
  }

  /** {@code row}, {@code vars}, ... as a whole. */
  static final class Root extends Compiled {
    private final int root;

    Root(int root) {
      this.root = root;
    }

    @Override
    boolean cannotFail(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return ctx.root(root);
    }
  }

  /** {@code batch}: only in a batch. */
  static final class Batch extends Compiled {
    private final int offset;

    Batch(int offset) {
      this.offset = offset;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      if (!ctx.isBatch()) throw new SpecException(at.shifted(offset), "'batch' is only defined in a batch step's request");
      return ctx.root(RenderContext.BATCH);
    }
  }

  /** {@code steps.user}, {@code job.id}...: one read of the root's map. */
  static final class RootField extends Compiled {
    private final int root;
    private final String field;

    RootField(int root, String field) {
      this.root = root;
      this.field = field;
    }

    @Override
    boolean cannotFail(Facts f) {
      return root != RenderContext.BATCH;
    }

    @Override
    boolean scalar(Facts f) {
      return root == RenderContext.SOURCE || root == RenderContext.JOB && Compiled.isScalar(f.job().get(field));
    }

    @Override
    int[] visibleAsciiBounds(Facts f) {
      if (root == RenderContext.SOURCE && (field.equals("row") || field.equals("line"))) {
        return new int[] {1, 20}; // a row's place: a long's digits
      }
      Object v = root == RenderContext.JOB ? f.job().get(field) : null;
      return root == RenderContext.JOB && Compiled.isScalar(v) ? Compiled.bounds(Values.text(v)) : null;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return ctx.root(root).get(field);
    }
  }

  /**
   * {@code row.email}: of a {@link dev.ferry.sources.CsvRecord} (a CSV row), one read of its array at the index this
   * node remembers for the file's header; of any other record, one map read.
   */
  static final class RowField extends Compiled {
    private final String field;
    /** The slot of the field in the header last seen; replaced whole (an immutable pair), so a racy read is safe. */
    private Slot slot;

    RowField(String field) {
      this.field = field;
    }

    @Override
    boolean cannotFail(Facts f) {
      return true;
    }

    @Override
    boolean scalar(Facts f) {
      return f.rowText();
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Map<String, Object> m = ctx.root(RenderContext.ROW);
      if (m instanceof dev.ferry.sources.CsvRecord record) {
        Slot s = slot;
        if (s == null || s.names() != record.columns()) {
          slot = s = new Slot(record.columns(), record.columns().indexOf(field));
        }
        return s.index() < 0 ? null : record.valueAt(s.index());
      }
      return m.get(field);
    }
  }

  /** {@code vars.name}: of a {@link SlotMap}, one read of its array at the index this node remembers for its names. */
  static final class VarField extends Compiled {
    private final String field;
    /** As {@link RowField#slot}. */
    private Slot slot;

    VarField(String field) {
      this.field = field;
    }

    @Override
    boolean cannotFail(Facts f) {
      return true;
    }

    @Override
    boolean scalar(Facts f) {
      return f.scalarVars().contains(field);
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Map<String, Object> m = ctx.root(RenderContext.VARS);
      if (m instanceof SlotMap slots) {
        Slot s = slot;
        if (s == null || s.names() != slots.names()) slot = s = new Slot(slots.names(), slots.names().indexOf(field));
        return s.index() < 0 ? null : slots.valueAt(s.index());
      }
      return m.get(field);
    }
  }

  /** A field's index in one set of names: a {@link SlotMap.Names} or a {@link dev.ferry.sources.CsvRecord.Columns}. */
  private record Slot(Object names, int index) {}

  /** {@code x.name}: null unless x is an object. */
  static final class Field extends Compiled {
    private final Compiled target;
    private final String field;

    Field(Compiled target, String field) {
      this.target = target;
      this.field = field;
    }

    @Override
    boolean cannotFail(Facts f) {
      return target.cannotFail(f);
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return target.eval(ctx, at) instanceof Map<?, ?> m ? m.get(field) : null;
    }
  }

  /** {@code x[selector]}, as {@link Expr.Member}. */
  static final class Member extends Compiled {
    private final Compiled target;
    private final Compiled selector;

    Member(Compiled target, Compiled selector) {
      this.target = target;
      this.selector = selector;
    }

    @Override
    boolean cannotFail(Facts f) {
      return target.cannotFail(f) && selector.cannotFail(f);
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
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
  }

  static final class Each extends Compiled {
    private final Compiled item;
    private final int offset;

    Each(Compiled item, int offset) {
      this.item = item;
      this.offset = offset;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      List<RenderContext> rows = ctx.batchRows();
      if (rows == null) throw new SpecException(at.shifted(offset), "batch.each(...) is only defined in a batch "
          + "step's request");
      List<Object> out = new ArrayList<>(rows.size());
      for (RenderContext row : rows) out.add(item.eval(row, at));
      return out;
    }
  }

  /** {@code if(cond, then, else)}: only the branch taken is evaluated. */
  static final class If extends Compiled {
    private final Compiled cond;
    private final Compiled then;
    private final Compiled otherwise;

    If(Compiled cond, Compiled then, Compiled otherwise) {
      this.cond = cond;
      this.then = then;
      this.otherwise = otherwise;
    }

    @Override
    boolean cannotFail(Facts f) {
      return cond.cannotFail(f) && then.cannotFail(f) && otherwise.cannotFail(f);
    }

    @Override
    boolean scalar(Facts f) {
      return then.scalar(f) && otherwise.scalar(f);
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return cond.test(ctx, at) ? then.eval(ctx, at) : otherwise.eval(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return cond.test(ctx, at) ? then.test(ctx, at) : otherwise.test(ctx, at);
    }
  }

  static final class Trim extends Compiled {
    private final Compiled arg;
    private final int offset;

    Trim(Compiled arg, int offset) {
      this.arg = arg;
      this.offset = offset;
    }

    @Override
    boolean cannotFail(Facts f) {
      return arg.cannotFail(f) && arg.scalar(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Object v = arg.eval(ctx, at);
      if (v instanceof String s) return s.strip();
      try {
        return Functions.trim(v, at);
      } catch (SpecException e) {
        throw at(e, at, offset);
      }
    }
  }

  /** {@code matches(x, 'literal regex')}. */
  static final class MatchesLiteral extends Compiled {
    private final Compiled arg;
    private final Pattern regex;
    /** The same answer without the regex engine, or null. */
    private final Regexes.Shortcut shortcut;
    /** The answer for null (read as ""), found once: a CSV file without the column gives it on every row. */
    private final boolean matchesEmpty;
    private final int offset;

    MatchesLiteral(Compiled arg, Pattern regex, int offset) {
      this.arg = arg;
      this.regex = regex;
      this.shortcut = Regexes.shortcut(regex.pattern());
      this.matchesEmpty = regex.matcher("").matches();
      this.offset = offset;
    }

    @Override
    boolean cannotFail(Facts f) {
      return arg.cannotFail(f) && arg.scalar(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return test(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      Object v = arg.eval(ctx, at);
      if (v == null) return matchesEmpty;
      if (shortcut != null && v instanceof String s) return shortcut.matches(s);
      try {
        return Functions.matches(v, regex, at);
      } catch (SpecException e) {
        throw at(e, at, offset);
      }
    }
  }

  /** {@code length(x) == 0} ({@code equal}) or {@code length(x) != 0}. */
  static final class LengthIsZero extends Compiled {
    private final Compiled arg;
    private final boolean equal;

    LengthIsZero(Compiled arg, boolean equal) {
      this.arg = arg;
      this.equal = equal;
    }

    @Override
    boolean cannotFail(Facts f) {
      return arg.cannotFail(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return test(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return Functions.lengthIsZero(arg.eval(ctx, at)) == equal;
    }
  }

  /** A call of a function of one argument, resolved when compiled ({@link Functions#one}). */
  static final class Call1 extends Compiled {
    private final String name;
    private final Functions.Fn1 function;
    private final Compiled arg;
    private final int offset;

    Call1(String function, Compiled arg, int offset) {
      this.name = function;
      Functions.Fn1 f = Functions.one(function);
      this.function = f != null ? f : (v, at) -> Functions.apply1(function, v, at); // fails as the name does
      this.arg = arg;
      this.offset = offset;
    }

    @Override
    boolean cannotFail(Facts f) {
      return switch (name) {
        case "length", "string", "json", "bytes" -> arg.cannotFail(f); // any value
        case "lower", "upper", "trim" -> arg.cannotFail(f) && arg.scalar(f); // text, a number, a boolean or null
        default -> false;
      };
    }

    @Override
    boolean scalar(Facts f) {
      return switch (name) {
        case "length", "string", "json", "bytes", "lower", "upper", "trim", "max_length", "tokens", "number",
            "uuid5" -> true;
        default -> false;
      };
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Object v = arg.eval(ctx, at);
      try {
        return function.apply(v, at);
      } catch (SpecException e) {
        throw at(e, at, offset);
      }
    }
  }

  /** {@code json_parse(x)}: a text parsed once per row ({@link RenderContext.RowMemo}), however often it is asked. */
  static final class JsonParse extends Compiled {
    private static final Object ABSENT = new Object();
    private final Compiled arg;
    private final int offset;

    JsonParse(Compiled arg, int offset) {
      this.arg = arg;
      this.offset = offset;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Object v = arg.eval(ctx, at);
      RenderContext.RowMemo memo = ctx.memo();
      Object known = memo != null && v instanceof String s ? memo.parsed(s, ABSENT) : ABSENT;
      if (known != ABSENT) return known;
      Object parsed;
      try {
        parsed = Functions.jsonParse(v, at);
      } catch (SpecException e) {
        throw at(e, at, offset);
      }
      if (memo != null && v instanceof String s) memo.remember(s, parsed);
      return parsed;
    }
  }

  /** A call of a function of two arguments, resolved when compiled ({@link Functions#two}). */
  static final class Call2 extends Compiled {
    private final String name;
    private final Functions.Fn2 function;
    private final Compiled first;
    private final Compiled second;
    private final int offset;

    Call2(String function, Compiled first, Compiled second, int offset) {
      this.name = function;
      Functions.Fn2 f = Functions.two(function);
      this.function = f != null ? f : (v, w, at) -> Functions.apply2(function, v, w, at);
      this.first = first;
      this.second = second;
      this.offset = offset;
    }

    @Override
    boolean cannotFail(Facts f) {
      return switch (name) {
        case "default" -> first.cannotFail(f) && second.cannotFail(f);
        case "starts_with" -> first.cannotFail(f) && second.cannotFail(f) && first.scalar(f) && second.scalar(f);
        default -> false;
      };
    }

    @Override
    boolean scalar(Facts f) {
      return switch (name) {
        case "default" -> first.scalar(f) && second.scalar(f);
        case "starts_with", "matches" -> true;
        default -> false;
      };
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Object v = first.eval(ctx, at);
      Object w = second.eval(ctx, at);
      try {
        return function.apply(v, w, at);
      } catch (SpecException e) {
        throw at(e, at, offset);
      }
    }
  }

  /** Any other call (a function of more arguments than two: none but {@code if} today). */
  static final class CallN extends Compiled {
    private final String function;
    private final Compiled[] args;
    private final int offset;

    CallN(String function, Compiled[] args, int offset) {
      this.function = function;
      this.args = args;
      this.offset = offset;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      List<Object> values = new ArrayList<>(args.length);
      for (Compiled a : args) values.add(a.eval(ctx, at));
      try {
        return Functions.apply(function, values, at);
      } catch (SpecException e) {
        throw at(e, at, offset);
      }
    }
  }

  static final class And extends Compiled {
    private final Compiled left;
    private final Compiled right;

    And(Compiled left, Compiled right) {
      this.left = left;
      this.right = right;
    }

    @Override
    boolean cannotFail(Facts f) {
      return left.cannotFail(f) && right.cannotFail(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return test(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return left.test(ctx, at) && right.test(ctx, at);
    }
  }

  static final class Or extends Compiled {
    private final Compiled left;
    private final Compiled right;

    Or(Compiled left, Compiled right) {
      this.left = left;
      this.right = right;
    }

    @Override
    boolean cannotFail(Facts f) {
      return left.cannotFail(f) && right.cannotFail(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return test(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return left.test(ctx, at) || right.test(ctx, at);
    }
  }

  static final class Not extends Compiled {
    private final Compiled operand;

    Not(Compiled operand) {
      this.operand = operand;
    }

    @Override
    boolean cannotFail(Facts f) {
      return operand.cannotFail(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return test(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return !operand.test(ctx, at);
    }
  }

  /** {@code ==} ({@code equal}) or {@code !=}. */
  static final class Same extends Compiled {
    private final Compiled left;
    private final Compiled right;
    private final boolean equal;

    Same(Compiled left, Compiled right, boolean equal) {
      this.left = left;
      this.right = right;
      this.equal = equal;
    }

    @Override
    boolean cannotFail(Facts f) {
      return left.cannotFail(f) && right.cannotFail(f);
    }

    @Override
    boolean scalar(Facts f) {
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      return test(ctx, at);
    }

    @Override
    boolean test(RenderContext ctx, SpecLocation at) {
      return Values.same(left.eval(ctx, at), right.eval(ctx, at)) == equal;
    }
  }

  static final class ListOf extends Compiled {
    private final Compiled[] items;

    ListOf(Compiled[] items) {
      this.items = items;
    }

    @Override
    boolean cannotFail(Facts f) {
      for (Compiled e : items) if (!e.cannotFail(f)) return false;
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      List<Object> out = new ArrayList<>(items.length);
      for (Compiled e : items) out.add(e.eval(ctx, at));
      return out;
    }
  }

  static final class ObjectOf extends Compiled {
    private final String[] keys;
    private final Compiled[] values;

    ObjectOf(String[] keys, Compiled[] values) {
      this.keys = keys;
      this.values = values;
    }

    @Override
    boolean cannotFail(Facts f) {
      for (Compiled e : values) if (!e.cannotFail(f)) return false;
      return true;
    }

    @Override
    Object eval(RenderContext ctx, SpecLocation at) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < keys.length; i++) out.put(keys[i], values[i].eval(ctx, at));
      return out;
    }
  }
}
