package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.steps.template.RenderContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row on its way through the steps: its input, its business key, and the results of the steps that ran so
 * far. Not threadsafe: confined to the row's own thread (a batch step reads it on the batch's thread only while
 * the row's thread waits for the batch, which the future's completion orders).
 */
public final class RowState {
  private final RowInput input;
  private String key;
  private final Map<String, Object> job;
  /** The results by step name, in order: a view of them as of a moment is one object, not a copy. */
  private final ResultsSoFar.Builder results = new ResultsSoFar.Builder();
  private final Map<String, Object> source;
  private final Map<String, Object> tables;
  private Map<String, Object> vars = Map.of();
  /** What the row's templates remember between its contexts (a parsed text). */
  private final RenderContext.RowMemo memo = new RenderContext.RowMemo();
  /** The context as of the last change (results or vars), or null: built once, read by every template until then. */
  private RenderContext context;

  /**
   * @param input the row
   * @param key   the row's business key (the spec's {@code key} rendered), may be ""
   * @param job   job-level values for templates ({@code id})
   */
  public RowState(RowInput input, String key, Map<String, Object> job) {
    this(input, key, job, Map.of());
  }

  /**
   * @param tables the spec's lookup tables by name ({@code tables.NAME[key]}), shared and read-only
   */
  public RowState(RowInput input, String key, Map<String, Object> job, Map<String, Object> tables) {
    this(input, key, Map.copyOf(job), tables, true);
  }

  /** @param job immutable already (a row processor's, copied once per job) */
  private RowState(RowInput input, String key, Map<String, Object> job, Map<String, Object> tables, boolean own) {
    this.input = Objects.requireNonNull(input, "input cannot be null");
    this.key = key == null ? "" : key;
    this.job = job;
    this.source = new RowPlace(input.row(), input.line());
    this.tables = Objects.requireNonNull(tables, "tables cannot be null");
  }

  /** A row's state over a job's values that are immutable already (no copy per row). */
  static RowState of(RowInput input, Map<String, Object> immutableJob, Map<String, Object> tables) {
    return new RowState(input, "", immutableJob, tables, true);
  }

  public RowInput input() {
    return input;
  }

  public String key() {
    return key;
  }

  /** Sets the row's business key, once rendered. */
  void key(String key) {
    this.key = key == null ? "" : key;
  }

  /** The row's record (empty when the source gives none). */
  public Map<String, Object> record() {
    return input.record() == null ? Map.of() : input.record();
  }

  /** Records a step's captured results ({@code steps.NAME} from now on). */
  public void put(String step, Map<String, Object> captures) {
    putOwned(step, Collections.unmodifiableMap(new LinkedHashMap<>(captures)));
  }

  /** As {@link #put}, keeping {@code captures} itself: a map nobody changes (a {@link StepResult.Ok}'s). */
  void putOwned(String step, Map<String, Object> captures) {
    results.put(step, captures);
    context = null;
  }

  /** The results so far, by step name, in order (read-only; later steps' results do not show in it). */
  public Map<String, Object> results() {
    return results.view();
  }

  /** Sets the row's computed values ({@code vars.NAME} from now on). */
  public void vars(Map<String, Object> values) {
    ownVars(new LinkedHashMap<>(values));
  }

  /** As {@link #vars}, keeping {@code values} itself: the caller never changes it again. */
  void ownVars(Map<String, Object> values) {
    // a SlotMap is read-only through the Map interface already (and compiled templates read its slots directly)
    this.vars = values instanceof dev.ferry.steps.template.SlotMap ? values : Collections.unmodifiableMap(values);
    context = null;
  }

  /** A context for rendering templates against the row as it is now (a snapshot of the results). */
  public RenderContext context() {
    RenderContext c = context;
    return c != null ? c : newContext();
  }

  private RenderContext newContext() {
    context = RenderContext.of(record(), results.isEmpty() ? Map.of() : results.view(), job, source, vars, tables,
        memo);
    return context;
  }
}
