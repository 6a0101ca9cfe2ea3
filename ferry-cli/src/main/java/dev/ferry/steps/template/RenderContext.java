package dev.ferry.steps.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Template} renders against: one row ({@code row}, {@code steps}, {@code job}, {@code source},
 * {@code vars}, {@code tables}) or one batch of rows
 * ({@code batch}, whose {@code each(expr)} renders {@code expr} against every row's context). Immutable; the maps
 * handed in must not change while the context is in use (the row processor hands in its own copies).
 */
public final class RenderContext {
  private final Map<String, Object> row;
  private final Map<String, Object> steps;
  private final Map<String, Object> job;
  private final Map<String, Object> source;
  private final Map<String, Object> vars;
  private final Map<String, Object> tables;
  private final List<RenderContext> batchRows;
  private final Map<String, Object> batchFields;
  /** The row's memo ({@link RowMemo}), shared by its contexts, or null (nothing remembered). */
  private final RowMemo memo;

  private RenderContext(Map<String, Object> row, Map<String, Object> steps, Map<String, Object> job,
      Map<String, Object> source, Map<String, Object> vars, Map<String, Object> tables,
      List<RenderContext> batchRows, Map<String, Object> batchFields) {
    this(row, steps, job, source, vars, tables, batchRows, batchFields, null);
  }

  private RenderContext(Map<String, Object> row, Map<String, Object> steps, Map<String, Object> job,
      Map<String, Object> source, Map<String, Object> vars, Map<String, Object> tables,
      List<RenderContext> batchRows, Map<String, Object> batchFields, RowMemo memo) {
    this.memo = memo;
    this.row = row;
    this.steps = steps;
    this.job = job;
    this.source = source;
    this.vars = vars;
    this.tables = tables;
    this.batchRows = batchRows;
    this.batchFields = batchFields;
  }

  /**
   * The context of one row.
   *
   * @param row   the row's record (named fields, JSON-like values)
   * @param steps results of the steps that ran so far, by step name (each a map of captured names to values)
   * @param job   job-level values ({@code id})
   */
  public static RenderContext ofRow(Map<String, Object> row, Map<String, Object> steps, Map<String, Object> job) {
    return ofRow(row, steps, job, Map.of());
  }

  /**
   * The context of one row with its place in the source.
   *
   * @param source the row's place: {@code row} (its 1-based number in the job, stable across resumes) and
   *               {@code line} (its first line in the file, 0 when the source has no lines)
   */
  public static RenderContext ofRow(Map<String, Object> row, Map<String, Object> steps, Map<String, Object> job,
      Map<String, Object> source) {
    return new RenderContext(Objects.requireNonNull(row, "row cannot be null"),
        Objects.requireNonNull(steps, "steps cannot be null"), Objects.requireNonNull(job, "job cannot be null"),
        Objects.requireNonNull(source, "source cannot be null"), Map.of(), Map.of(), null, null);
  }

  /**
   * The context of one row with every root at once (the row processor's: one object per change of the row's state).
   *
   * @param vars   the spec's vars computed for the row ({@code vars.NAME})
   * @param tables the spec's lookup tables ({@code tables.NAME[key]}), read-only
   */
  public static RenderContext of(Map<String, Object> row, Map<String, Object> steps, Map<String, Object> job,
      Map<String, Object> source, Map<String, Object> vars, Map<String, Object> tables) {
    return new RenderContext(Objects.requireNonNull(row, "row cannot be null"),
        Objects.requireNonNull(steps, "steps cannot be null"), Objects.requireNonNull(job, "job cannot be null"),
        Objects.requireNonNull(source, "source cannot be null"), Objects.requireNonNull(vars, "vars cannot be null"),
        Objects.requireNonNull(tables, "tables cannot be null"), null, null);
  }

  /**
   * As {@link #of(Map, Map, Map, Map, Map, Map)}, with the row's memo: every context of one row made with the same
   * memo shares what it remembers (the row's parsed {@code json_parse} text).
   */
  public static RenderContext of(Map<String, Object> row, Map<String, Object> steps, Map<String, Object> job,
      Map<String, Object> source, Map<String, Object> vars, Map<String, Object> tables, RowMemo memo) {
    return new RenderContext(Objects.requireNonNull(row, "row cannot be null"),
        Objects.requireNonNull(steps, "steps cannot be null"), Objects.requireNonNull(job, "job cannot be null"),
        Objects.requireNonNull(source, "source cannot be null"), Objects.requireNonNull(vars, "vars cannot be null"),
        Objects.requireNonNull(tables, "tables cannot be null"), null, null, memo);
  }

  /**
   * What one row's templates remember between evaluations: the last text {@code json_parse} read and its value (the
   * built-in spec parses {@code row.metadata} up to six times a row). A value handed out twice is never changed by
   * anyone (templates make new values, never change one). Not threadsafe: confined to the row's thread (a batch's
   * thread renders the row's context only while the row's thread waits for the batch).
   */
  public static final class RowMemo {
    private String jsonText;
    private Object jsonValue;

    /** The value remembered for {@code text}, or {@code absent}. */
    Object parsed(String text, Object absent) {
      return jsonText != null && jsonText.equals(text) ? jsonValue : absent;
    }

    void remember(String text, Object value) {
      jsonText = text;
      jsonValue = value;
    }
  }

  /** The row's memo, or null. */
  RowMemo memo() {
    return memo;
  }

  /**
   * The context of a batch of rows. {@code row}, {@code steps} and {@code job} outside {@code batch.each} read the
   * batch's first row.
   *
   * @param rows   the rows' contexts, in the batch's order (at least one)
   * @param fields the batch's own values: {@code size}, {@code weight}, {@code bytes}
   */
  public static RenderContext ofBatch(List<RenderContext> rows, Map<String, Object> fields) {
    if (rows.isEmpty()) throw new IllegalArgumentException("a batch has at least one row");
    RenderContext first = rows.get(0);
    return new RenderContext(first.row, first.steps, first.job, first.source, first.vars, first.tables,
        List.copyOf(rows), Map.copyOf(fields));
  }

  /** This row's context with the spec's {@code vars} computed for the row ({@code vars.NAME}). */
  public RenderContext withVars(Map<String, Object> values) {
    return new RenderContext(row, steps, job, source, Objects.requireNonNull(values, "values cannot be null"),
        tables, batchRows, batchFields, memo);
  }

  /** This context with the spec's lookup tables ({@code tables.NAME[key]}: a map of maps, read-only). */
  public RenderContext withTables(Map<String, Object> values) {
    return new RenderContext(row, steps, job, source, vars, Objects.requireNonNull(values, "values cannot be null"),
        batchRows, batchFields, memo);
  }

  /** A context with no row (for values rendered once per job, e.g. a constant). */
  public static RenderContext empty() {
    return ofRow(Map.of(), Map.of(), Map.of());
  }

  static final int ROW = 0;
  static final int STEPS = 1;
  static final int JOB = 2;
  static final int SOURCE = 3;
  static final int VARS = 4;
  static final int TABLES = 5;
  static final int BATCH = 6;

  /** The index of a root name for {@link #root(int)}. */
  static int rootIndex(String name) {
    return switch (name) {
      case "row" -> ROW;
      case "steps" -> STEPS;
      case "job" -> JOB;
      case "source" -> SOURCE;
      case "vars" -> VARS;
      case "tables" -> TABLES;
      case "batch" -> BATCH;
      default -> throw new IllegalArgumentException("no root " + name);
    };
  }

  /** A root by its index (the batch's fields are null outside a batch; the other roots are never null). */
  Map<String, Object> root(int index) {
    return switch (index) {
      case ROW -> row;
      case STEPS -> steps;
      case JOB -> job;
      case SOURCE -> source;
      case VARS -> vars;
      case TABLES -> tables;
      default -> batchFields;
    };
  }

  Object root(String name) {
    return switch (name) {
      case "row" -> row;
      case "steps" -> steps;
      case "job" -> job;
      case "source" -> source;
      case "vars" -> vars;
      case "tables" -> tables;
      case "batch" -> batchFields;
      default -> null;
    };
  }

  /** The rows of the batch, or null outside a batch. */
  List<RenderContext> batchRows() {
    return batchRows;
  }

  public boolean isBatch() {
    return batchRows != null;
  }
}
