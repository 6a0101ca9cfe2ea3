package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.JobStore;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SlotMap;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * resolved too.
 *
 * <p>Of the spec's vars a row renders only those the keys and {@code when}s read, directly or through other vars
 * ({@link #varsNeeded}), in their order and into a {@link SlotMap} as the row's own run does (a var not needed stays
 * null there, and no template rendered here reads it): what a key renders is what the row's run renders for it. A row
 * one of those vars fails for holds no key; a var no key needs is not rendered, so its failure (which makes the row
 * invalid in its run) does not keep the row's keys out. Not threadsafe: one per planning pass.
 */
public final class PrewarmKeys {
  /** The store's lookup namespace of a pre-warmed lookup's keys is this plus the step's name. */
  public static final String NAMESPACE_PREFIX = "prewarm:";
  static final int MAX_KEYS = 100_000;
  static final int MAX_RECORD_CHARS = 64 * 1024;

  private final List<LookupStepConfig> lookups = new ArrayList<>();
  /** Per lookup (in the order of {@link #lookups}), the keys found: key → the stored entry (JSON), in order found. */
  private final List<Map<String, String>> keysOf = new ArrayList<>();
  /** All the spec's vars' names (a row's values are a {@link SlotMap} of them, as in the row's run). */
  private final SlotMap.Names varNames;
  /**
   * The vars' templates in order, up to the last one needed; null for a var not needed (filled with null) and for a
   * constant one (filled with {@link #constants}' value: the same for every row).
   */
  private final Template[] varTemplates;
  private final Object[] constants;
  /** Whether a template rendered here reads {@code source} (else the rows' contexts share an empty one). */
  private final boolean readsSource;
  /** Whether a template rendered here reads {@code tables}. */
  private final boolean readsTables;
  private final Map<String, Object> tables;
  private final Map<String, Object> job;
  private final Set<String> secretFields;
  private int count;

  /**
   * @param steps        the spec's steps (only lookups with {@code prewarm} are read)
   * @param vars         the spec's vars, in order; those the keys need are rendered for each row before its keys
   * @param tablesByName the spec's lookup tables
   * @param jobId        the job ({@code job.id})
   * @param secretFields fields (lower case) whose values are never stored
   */
  public PrewarmKeys(List<StepConfig> steps, Map<String, Template> vars, Map<String, Object> tablesByName,
      String jobId, Set<String> secretFields) {
    Objects.requireNonNull(vars, "vars cannot be null");
    List<Template> readers = new ArrayList<>();
    for (StepConfig s : steps) {
      if (s instanceof LookupStepConfig l && l.prewarm()) {
        lookups.add(l);
        keysOf.add(new LinkedHashMap<>());
        readers.add(l.key());
        if (l.when() != null) readers.add(l.when());
      }
    }
    Set<String> needed = lookups.isEmpty() ? Set.of() : varsNeeded(vars, readers);
    List<String> names = new ArrayList<>(vars.keySet());
    int last = -1;
    for (int i = 0; i < names.size(); i++) if (needed.contains(names.get(i))) last = i;
    this.varNames = new SlotMap.Names(names);
    this.varTemplates = new Template[last + 1];
    this.constants = new Object[last + 1];
    List<Template> rendered = new ArrayList<>(readers);
    for (int i = 0; i <= last; i++) {
      if (!needed.contains(names.get(i))) continue;
      Template t = vars.get(names.get(i));
      if (t.isConstant()) constants[i] = t.render(RenderContext.empty()); // plain text: what any row renders
      else varTemplates[i] = t;
      rendered.add(t);
    }
    boolean source = false;
    boolean tables = false;
    for (Template t : rendered) {
      source |= t.readsRoot("source");
      tables |= t.readsRoot("tables");
    }
    this.readsSource = source;
    this.readsTables = tables;
    this.tables = Objects.requireNonNull(tablesByName, "tables cannot be null");
    this.job = Map.of("id", jobId);
    this.secretFields = Set.copyOf(secretFields);
  }

  /**
   * The vars that rendering {@code readers} needs: those they read by name, and those these read, and so on; every
   * var when one of them reads {@code vars} otherwise ({@link Template#varsRead} null). In the vars' order.
   */
  static Set<String> varsNeeded(Map<String, Template> vars, List<Template> readers) {
    Set<String> needed = new java.util.HashSet<>();
    Deque<Template> todo = new ArrayDeque<>(readers);
    while (!todo.isEmpty()) {
      Set<String> read = todo.pop().varsRead();
      if (read == null) return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(vars.keySet()));
      for (String name : read) {
        Template t = vars.get(name);
        if (t != null && needed.add(name)) todo.push(t);
      }
    }
    Set<String> ordered = new LinkedHashSet<>();
    for (String name : vars.keySet()) if (needed.contains(name)) ordered.add(name);
    return java.util.Collections.unmodifiableSet(ordered);
  }

  /** Whether the spec has a pre-warmed lookup (else {@link #add} does nothing). */
  public boolean active() {
    return !lookups.isEmpty();
  }

  /**
   * Renders a row's needed vars and pre-warmed keys; a key seen for the first time remembers the row. Reads the row
   * only during the call.
   */
  public void add(RowInput row) {
    if (lookups.isEmpty() || row.error() != null || count >= MAX_KEYS) return;
    RenderContext ctx = context(row);
    if (ctx == null) return; // a var failed: the row's own run reports it
    String entry = null;
    for (int i = 0; i < lookups.size(); i++) {
      LookupStepConfig l = lookups.get(i);
      String key;
      try {
        if (l.when() != null && !l.when().renderCondition(ctx)) continue;
        key = l.key().renderText(ctx);
      } catch (SpecException e) {
        continue;
      }
      Map<String, String> keys = keysOf.get(i);
      if (key.isEmpty() || keys.containsKey(key) || count >= MAX_KEYS) continue;
      if (entry == null) entry = entry(row);
      if (entry.length() > MAX_RECORD_CHARS) return;
      keys.put(key, entry);
      count++;
    }
  }

  /**
   * The row's context with its needed vars, or null when one of them fails. Built as the row's run builds the
   * context its vars render in ({@code withVars} of a row's context) and not through {@code RenderContext.of}, whose
   * compiled form the rows' run then shares with a profile of its own (a type only planning shows would be speculated
   * on there, and the run's first row would deoptimise it).
   */
  private RenderContext context(RowInput row) {
    Map<String, Object> source = readsSource ? Map.of("row", row.row(), "line", row.line()) : Map.of();
    SlotMap values = new SlotMap(varNames);
    RenderContext ctx = RenderContext.ofRow(row.record() == null ? Map.of() : row.record(), Map.of(), job, source);
    if (readsTables) ctx = ctx.withTables(tables);
    // one context for every var: it holds the map being filled, so each var reads the ones above it
    ctx = ctx.withVars(values);
    try {
      for (int i = 0; i < varTemplates.length; i++) {
        Template t = varTemplates[i];
        values.fill(t == null ? constants[i] : t.render(ctx));
      }
    } catch (SpecException e) {
      return null;
    }
    return ctx;
  }

  /** Keys found so far, over all lookups. */
  public int size() {
    return count;
  }

  /** Writes the keys found to the job's store. */
  public void writeTo(JobStore store, String jobId) {
    for (int i = 0; i < lookups.size(); i++) {
      String namespace = NAMESPACE_PREFIX + lookups.get(i).name();
      keysOf.get(i).forEach((key, entry) -> store.putLookup(jobId, namespace, key, entry));
    }
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
