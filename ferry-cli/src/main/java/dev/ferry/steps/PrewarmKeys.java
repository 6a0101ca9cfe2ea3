package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.JobStore;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The keys of a spec's pre-warmed lookups ({@code prewarm: true}), found while a job is planned: for each such lookup
 * and each distinct key the rows render (its {@code when} true), the first row holding it, stored in the job's store
 * ({@link #NAMESPACE_PREFIX}{@code <step>}: key → the row's number, line and record without its secret fields) for
 * {@link JobSteps#prewarm} to resolve before the rows start. At most {@link #MAX_KEYS} keys over all lookups (and
 * records of at most {@link #MAX_RECORD_CHARS} characters): rows beyond resolve their keys themselves, still once.
 * Rows are not checked first (as the WorkOS import's organization pre-warm): a key only invalid rows hold is
 * resolved too. Not threadsafe: one per planning pass.
 */
public final class PrewarmKeys {
  /** The store's lookup namespace of a pre-warmed lookup's keys is this plus the step's name. */
  public static final String NAMESPACE_PREFIX = "prewarm:";
  static final int MAX_KEYS = 100_000;
  static final int MAX_RECORD_CHARS = 64 * 1024;

  private final List<LookupStepConfig> lookups = new ArrayList<>();
  private final Map<String, Template> vars;
  private final Map<String, Object> tables;
  private final Map<String, Object> job;
  private final Set<String> secretFields;
  /** step → key → the stored entry (JSON), in the order found. */
  private final Map<String, Map<String, String>> found = new LinkedHashMap<>();
  private int count;

  /**
   * @param steps        the spec's steps (only lookups with {@code prewarm} are read)
   * @param vars         the spec's vars, rendered for each row before its keys
   * @param tables       the spec's lookup tables
   * @param jobId        the job ({@code job.id})
   * @param secretFields fields (lower case) whose values are never stored
   */
  public PrewarmKeys(List<StepConfig> steps, Map<String, Template> vars, Map<String, Object> tables, String jobId,
      Set<String> secretFields) {
    for (StepConfig s : steps) {
      if (s instanceof LookupStepConfig l && l.prewarm()) {
        lookups.add(l);
        found.put(l.name(), new LinkedHashMap<>());
      }
    }
    this.vars = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(vars,
        "vars cannot be null")));
    this.tables = Objects.requireNonNull(tables, "tables cannot be null");
    this.job = Map.of("id", jobId);
    this.secretFields = Set.copyOf(secretFields);
  }

  /** Whether the spec has a pre-warmed lookup (else {@link #add} does nothing). */
  public boolean active() {
    return !lookups.isEmpty();
  }

  /** Renders a row's vars and pre-warmed keys; a key seen for the first time remembers the row. */
  public void add(RowInput row) {
    if (lookups.isEmpty() || row.error() != null || count >= MAX_KEYS) return;
    RowState state = new RowState(row, "", job, tables);
    try {
      state.vars(renderVars(vars, state));
    } catch (SpecException e) {
      return; // the row's own run reports it
    }
    RenderContext ctx = state.context();
    String entry = null;
    for (LookupStepConfig l : lookups) {
      String key;
      try {
        if (l.when() != null && !l.when().renderCondition(ctx)) continue;
        key = l.key().renderText(ctx);
      } catch (SpecException e) {
        continue;
      }
      Map<String, String> keys = found.get(l.name());
      if (key.isEmpty() || keys.containsKey(key) || count >= MAX_KEYS) continue;
      if (entry == null) entry = entry(row);
      if (entry.length() > MAX_RECORD_CHARS) return;
      keys.put(key, entry);
      count++;
    }
  }

  /** Keys found so far, over all lookups. */
  public int size() {
    return count;
  }

  /** Writes the keys found to the job's store. */
  public void writeTo(JobStore store, String jobId) {
    found.forEach((step, keys) -> keys.forEach((key, entry) -> store.putLookup(jobId, NAMESPACE_PREFIX + step, key,
        entry)));
  }

  private String entry(RowInput row) {
    Map<String, Object> record = new LinkedHashMap<>();
    if (row.record() != null) {
      row.record().forEach((k, v) -> {
        if (!secretFields.contains(k.strip().toLowerCase(Locale.ROOT))) record.put(k, v);
      });
    }
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("row", row.row());
    e.put("line", row.line());
    e.put("record", record);
    return Json.write(e);
  }

  /** The row's vars, each reading the row and the vars above it (as the row's own run renders them). */
  static Map<String, Object> renderVars(Map<String, Template> vars, RowState state) {
    Map<String, Object> values = new LinkedHashMap<>();
    if (vars.isEmpty()) return values;
    // one context for every var: it holds the map being filled, so each var reads the ones above it
    RenderContext ctx = state.context().withVars(values);
    for (Map.Entry<String, Template> v : vars.entrySet()) values.put(v.getKey(), v.getValue().render(ctx));
    return values;
  }
}
