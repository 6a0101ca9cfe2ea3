package dev.ferry.steps.template;

/**
 * A value of a job spec that may hold {@code {{ expression }}} parts, parsed once when the spec is loaded and
 * rendered per row (or per batch) into a JSON-like value. Immutable and threadsafe.
 *
 * <p>Three shapes:
 * <ul>
 *   <li>no {@code {{}}: a literal string, rendered as itself;</li>
 *   <li>exactly one {@code {{ expr }}} and nothing else (blanks around it allowed): the expression's value, typed
 *       (a number stays a number, an object from {@code {a: row.x}} a Map, {@code batch.each(...)} a List,
 *       null stays null);</li>
 *   <li>text mixed with {@code {{ expr }}} parts: a string, each value written as text (null as "", numbers
 *       without a trailing {@code .0}, lists and objects as JSON).</li>
 * </ul>
 *
 * <p>The expression language is small and safe (no calls into Java, no loops, no assignment): names {@code row}
 * (the row's record), {@code steps} (earlier steps' captured results: {@code steps.find.contact_id}),
 * {@code job} ({@code job.id}) and, in a batch step's request, {@code batch} ({@code batch.size},
 * {@code batch.weight}, {@code batch.each(expr)}: the list of {@code expr} evaluated for every row of the batch,
 * with {@code row} and {@code steps} bound to that row's); field access {@code a.b}, {@code a["b"]},
 * {@code a[0]}; literals ({@code 'text'}, {@code "text"}, numbers, {@code true}, {@code false}, {@code null},
 * lists {@code [a, b]}, objects {@code {key: expr}}); {@code ==}, {@code !=}, {@code !}, {@code &&},
 * {@code ||}; and the functions listed in {@link Functions}. A missing field is null, and a field of null is
 * null (so {@code steps.find.contact_id} is null when the step {@code find} did not run).
 *
 * <p>Errors: {@link #parse} throws a {@link SpecException} at the location of the faulty character;
 * {@link #render} throws one at the template's location when a value cannot be computed (e.g. {@code tokens} of
 * a list).
 */
public final class Template {
  private final String source;
  private final SpecLocation location;
  private final Segments segments;

  private Template(String source, SpecLocation location, Segments segments) {
    this.source = source;
    this.location = location;
    this.segments = segments;
  }

  /**
   * Parses {@code text}.
   *
   * @param text     the value as written in the spec, after {@code ${...}} parameters were substituted
   * @param location where the value's first character is in the spec (the character after an opening quote);
   *                 positions inside the text are reported relative to it on the same line
   * @throws SpecException naming the location and what was expected
   * @throws NullPointerException if an argument is null
   */
  public static Template parse(String text, SpecLocation location) {
    java.util.Objects.requireNonNull(text, "text cannot be null");
    java.util.Objects.requireNonNull(location, "location cannot be null");
    return new Template(text, location, Segments.parse(text, location));
  }

  /** A template that always renders {@code value} (a JSON-like value), for values built in code. */
  public static Template literal(Object value) {
    return new Template(String.valueOf(value), SpecLocation.UNKNOWN, Segments.constant(value));
  }

  /**
   * Renders against {@code context}.
   *
   * @return a JSON-like value: String, Long, Double, Boolean, null, List or Map of the same
   * @throws SpecException when a value cannot be computed
   */
  public Object render(RenderContext context) {
    return segments.render(context, location);
  }

  /** Renders as text (for paths, query values, headers, keys): null becomes "", other values as in mixed text. */
  public String renderText(RenderContext context) {
    return segments.renderText(context, location);
  }

  /**
   * Renders as text with every {@code {{ }}} value passed through {@code escape} and the literal text kept as written
   * (a path whose values are percent-encoded: a value cannot add path segments or a query).
   */
  public String renderEscaped(RenderContext context, java.util.function.UnaryOperator<String> escape) {
    return segments.renderEscaped(context, location, escape);
  }

  /** Renders as a condition: false, null, "" and "false" are false; everything else is true. */
  public boolean renderCondition(RenderContext context) {
    return segments.renderCondition(context, location);
  }

  /** {@link #render} by the parsed expression tree instead of its compiled form: the reference for tests. */
  Object interpret(RenderContext context) {
    return segments.interpret(context, location);
  }

  /** {@link #renderEscaped} by the parsed expression tree: the reference for tests. */
  String interpretEscaped(RenderContext context, java.util.function.UnaryOperator<String> escape) {
    return segments.interpretEscaped(context, location, escape);
  }

  /** True when the template has no {@code {{}} part (it renders the same for every row). */
  public boolean isConstant() {
    return segments.isConstant();
  }

  /** True when it reads {@code batch} (it can only be rendered for a batch). */
  public boolean usesBatch() {
    return segments.usesBatch();
  }

  /** The names of steps it reads ({@code steps.NAME...}), so the spec can check they come earlier. */
  public java.util.Set<String> stepsRead() {
    return segments.stepsRead();
  }

  /**
   * The names of the spec's vars it reads: {@code vars.NAME} and {@code vars['NAME']}, in any branch. Null when it
   * reads {@code vars} otherwise (as a whole, {@code keys(vars)}, or by a computed name {@code vars[row.x]}): then it
   * may read any of them.
   */
  public java.util.Set<String> varsRead() {
    return segments.varsRead();
  }

  /**
   * The row's columns it reads by a literal name: {@code row.NAME} and {@code row['NAME']}, in any branch. Null when it
   * reads {@code row} otherwise (as a whole, or by a computed name {@code row[vars.x]}): then it may read any of them.
   */
  public java.util.Set<String> columnsRead() {
    return segments.columnsRead();
  }

  /**
   * Whether it reads the root {@code name} ({@code row}, {@code steps}, {@code job}, {@code source}, {@code vars},
   * {@code tables}, {@code batch}), in any branch: a template that does not renders the same whatever that root holds.
   */
  public boolean readsRoot(String name) {
    return segments.rootsRead().contains(name);
  }

  /**
   * Whether rendering it (in any form: {@link #render}, {@link #renderText}, {@link #renderEscaped},
   * {@link #renderCondition}) can never throw a {@link SpecException} for a row that fits {@code facts}, whatever its
   * values: every expression's every branch is of parts that cannot fail on such values ({@code row.x}, {@code vars.x},
   * {@code steps.a.b}, literals, {@code ==}, {@code &&}, {@code if}, {@code default}, {@code length}; {@code trim},
   * {@code lower}, {@code matches} of a literal regex... of a value known to be text). Conservative: false when unsure
   * ({@code json_parse}, {@code number}, {@code keys}, {@code split}...). A dry run leaves such a template of a request
   * nobody reads unrendered (docs/ARCHITECTURE.md, "A dry run renders what can fail").
   */
  public boolean cannotFail(Facts facts) {
    return segments.cannotFail(facts);
  }

  /** Whether its value is always a string, number, boolean or null for a row that fits {@code facts} (else unsure). */
  public boolean scalar(Facts facts) {
    return segments.scalar(facts);
  }

  /**
   * When its text ({@link #renderText}) is always visible ASCII for a row that fits {@code facts} (literal text,
   * {@code job.NAME}, {@code source.row}, {@code source.line}): the least and greatest length it can have; else null.
   */
  public int[] visibleAsciiBounds(Facts facts) {
    return segments.visibleAsciiBounds(facts);
  }

  /** The text as written. */
  public String source() {
    return source;
  }

  public SpecLocation location() {
    return location;
  }

  @Override
  public String toString() {
    return source;
  }
}
