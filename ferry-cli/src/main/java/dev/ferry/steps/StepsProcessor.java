package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.engine.StopJobException;
import dev.ferry.http.SecretMask;
import dev.ferry.http.TargetUnusableException;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.sinks.ResultSink;
import dev.ferry.steps.template.SlotMap;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Runs a row through a spec's steps in order and makes its one outcome: done (with the last step's status, note and
 * request id), failed at the first step that failed (with its status, code, message, request id; retryable when the
 * failure was transient), or invalid when the source marked the row malformed or its key cannot be rendered. A step
 * whose {@code when} renders false is skipped. A done row's results (captures by step name) go to the sink before the
 * outcome is returned, so before the ledger records it.
 *
 * <p>Nothing that leaves it holds a secret: the outcome's key, message and note, the results given to the sink, and the
 * message of an exception it throws are masked with the row's {@link RowSecrets} (the job's secret parameters and the
 * row's secret fields, in every form a request holds them), so an API that echoes the request, or an error that quotes
 * it, never puts a secret in the ledger, the errors file, a report, a log or a service's failed items. A target that
 * cannot be used stops the job, as a refused key does. Threadsafe (the steps are; a row's state is its own).
 */
final class StepsProcessor implements RowProcessor {
  private final List<StepConfig> configs;
  private final List<Step> steps;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StepsProcessor.class);

  private final Template key;
  /** Says once when the key renders empty for every one of the first rows (a typo in the spec's key). */
  private final EmptyKeyWatch keyWatch;
  /** The vars' names (a row's values are a {@link SlotMap} of them) and templates, in order. */
  private final SlotMap.Names varNames;
  private final Template[] varTemplates;
  private final Map<String, Object> tables;
  private final List<RowCheck> checks;
  private final Map<String, Object> job;
  private final ResultSink sink;
  private final boolean dryRun;
  /** What is secret for each row: masked out of everything that leaves this processor. */
  private final RowSecrets secrets;
  private final StepCounts counts;
  /** Step name → the name its failures carry in the ledger ({@code reported_as}); steps not in it use their own. */
  private final Map<String, String> reportedAs;

  StepsProcessor(List<StepConfig> configs, List<Step> steps, Template key, Map<String, Template> vars,
      List<RowCheck> checks, Map<String, Object> job, ResultSink sink, boolean dryRun) {
    this(configs, steps, key, vars, Map.of(), checks, job, sink, dryRun,
        new RowSecrets(SecretMask.NONE, java.util.Set.of()));
  }

  StepsProcessor(List<StepConfig> configs, List<Step> steps, Template key, Map<String, Template> vars,
      Map<String, Object> tables, List<RowCheck> checks, Map<String, Object> job, ResultSink sink, boolean dryRun,
      RowSecrets secrets) {
    this(configs, steps, key, vars, tables, checks, job, sink, dryRun, secrets, Map.of());
  }

  StepsProcessor(List<StepConfig> configs, List<Step> steps, Template key, Map<String, Template> vars,
      Map<String, Object> tables, List<RowCheck> checks, Map<String, Object> job, ResultSink sink, boolean dryRun,
      RowSecrets secrets, Map<String, String> reportedAs) {
    this.reportedAs = Map.copyOf(reportedAs);
    this.secrets = secrets;
    this.counts = new StepCounts(configs);
    this.varNames = new SlotMap.Names(List.copyOf(vars.keySet()));
    this.varTemplates = vars.values().toArray(Template[]::new);
    this.tables = tables;
    this.configs = configs;
    this.steps = steps;
    this.key = key;
    this.keyWatch = key == null ? null : new EmptyKeyWatch(key.location(), LOG::warn);
    this.checks = checks;
    this.job = Map.copyOf(job); // once: a row's state keeps an immutable map as it is
    this.sink = sink;
    this.dryRun = dryRun;
  }

  @Override
  public RowOutcome process(RowInput row) throws InterruptedException {
    SecretMask mask = secrets.of(row);
    if (dryRun) secrets.started(row.row(), mask);
    try {
      return masked(run(row, mask), mask);
    } catch (StopJobException | TargetUnusableException e) {
      StopJobException stop = new StopJobException(mask.mask(e.getMessage()));
      // a stop for a job; the cause tells a service that the target, not the row, is at fault (docs/SERVE.md)
      if (e instanceof TargetUnusableException || e.getCause() instanceof TargetUnusableException) {
        stop.initCause(new TargetUnusableException(stop.getMessage()));
      }
      throw stop;
    } catch (RuntimeException e) {
      if (mask.isEmpty()) throw e;
      throw new MaskedException(e, mask);
    } finally {
      if (dryRun) secrets.ended(row.row());
    }
  }

  private RowOutcome run(RowInput row, SecretMask mask) throws InterruptedException {
    RowState state = RowState.of(row, job, tables);
    String rowKey = "";
    if (key != null) {
      try {
        rowKey = key.renderText(state.context());
      } catch (SpecException e) {
        return RowOutcome.invalid(row.row(), row.chunk(), row.line(), "", "key", e.getMessage());
      }
    }
    if (row.error() != null) return RowOutcome.invalid(row.row(), row.chunk(), row.line(), rowKey, "malformed",
        row.error());
    if (keyWatch != null) keyWatch.rendered(rowKey);
    state.key(rowKey);
    RowOutcome invalid = prepare(row, rowKey, state);
    return invalid != null ? invalid : runSteps(row, rowKey, state, mask);
  }

  /** Renders the row's vars and runs its checks: the row's invalid outcome, or null when it goes on to the steps. */
  private RowOutcome prepare(RowInput row, String rowKey, RowState state) {
    if (varTemplates.length > 0) {
      SlotMap values = new SlotMap(varNames);
      // one context for every var: it holds the map being filled, so each var reads the ones above it
      dev.ferry.steps.template.RenderContext ctx = state.context().withVars(values);
      for (Template v : varTemplates) {
        try {
          values.fill(v.render(ctx));
        } catch (SpecException e) {
          return RowOutcome.invalid(row.row(), row.chunk(), row.line(), rowKey, "template", e.getMessage());
        }
      }
      state.ownVars(values); // filled: nothing writes it from here on
    }
    return checks.isEmpty() ? null : check(row, rowKey, state.context());
  }

  /**
   * Runs the row's steps in order and makes its outcome (a method of its own: the row's per-step work is compiled
   * apart from its vars and checks, in smaller units).
   */
  private RowOutcome runSteps(RowInput row, String rowKey, RowState state, SecretMask mask)
      throws InterruptedException {
    String lastStep = "";
    StepResult.Ok last = null;
    List<RequestStep> created = null; // steps that created an item and can undo it (made on the first)
    for (int i = 0; i < steps.size(); i++) {
      StepConfig c = configs.get(i);
      if (c.when() != null) {
        boolean run;
        try {
          run = c.when().renderCondition(state.context());
        } catch (SpecException e) {
          return failed(row, rowKey, reported(c.name()), CallRunner.templateFailure(e));
        }
        if (!run) continue;
      }
      StepResult r = steps.get(i).run(state);
      // instanceof tests rather than a pattern switch, whose type test is a method-handle call (per step, per row);
      // a Skipped step does nothing
      if (r instanceof StepResult.Ok ok) {
        counts.add(i, StepCounts.ofNote(ok.note()));
        state.putOwned(c.name(), ok.captures()); // an Ok's captures are its own read-only copy
        if (ok.note().isEmpty() && steps.get(i) instanceof RequestStep rs && rs.hasUndo()) {
          if (created == null) created = new java.util.ArrayList<>(2);
          created.add(rs);
        }
        lastStep = c.name();
        last = ok;
      } else if (r instanceof StepResult.Failed f) {
        counts.add(i, "failed");
        StepResult.Failed out = f.retryable() || dryRun || created == null ? f : undo(state, created, f);
        return failed(row, rowKey, reported(c.name()), out);
      }
    }
    if (sink != null && !dryRun) {
      try {
        sink.write(row, holds(state.results(), mask) ? maskedTree(state.results(), mask) : state.results());
      } catch (IOException e) {
        return new RowOutcome(row.row(), row.chunk(), row.line(), Outcome.FAILED, true, rowKey, "sink", 0, "sink",
            "writing the row's results failed: " + e.getMessage(), "", "");
      }
    }
    return new RowOutcome(row.row(), row.chunk(), row.line(), Outcome.DONE, false, rowKey, lastStep,
        last == null ? 0 : last.status(), "", "", last == null ? "" : last.requestId(),
        last == null ? "skipped" : last.note());
  }

  /** {@code o} with its texts masked (an API that echoes the request's secret, a template error quoting a value). */
  private static RowOutcome masked(RowOutcome o, SecretMask mask) {
    if (mask.isEmpty() || !mask.occursIn(o.key()) && !mask.occursIn(o.code()) && !mask.occursIn(o.message())
        && !mask.occursIn(o.requestId()) && !mask.occursIn(o.note())) {
      return o; // the common case: nothing echoed, nothing to copy
    }
    return new RowOutcome(o.row(), o.chunk(), o.line(), o.outcome(), o.retryable(), mask.mask(o.key()), o.step(),
        o.httpStatus(), mask.mask(o.code()), mask.mask(o.message()), mask.mask(o.requestId()), mask.mask(o.note()));
  }

  /** Whether a string in a results tree (maps, lists, values) holds a secret. */
  static boolean holds(Object value, SecretMask mask) {
    if (mask.isEmpty()) return false;
    if (value instanceof String s) return mask.occursIn(s);
    if (value instanceof Map<?, ?> m) {
      for (Object v : m.values()) if (holds(v, mask)) return true;
    } else if (value instanceof List<?> l) {
      for (Object v : l) if (holds(v, mask)) return true;
    }
    return false;
  }

  /** A copy of a results tree (maps, lists, values) with every string masked. */
  @SuppressWarnings("unchecked")
  static <T> T maskedTree(T value, SecretMask mask) {
    if (value instanceof String s) return (T) mask.mask(s);
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, maskedTree(v, mask)));
      return (T) out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new java.util.ArrayList<>(l.size());
      for (Object v : l) out.add(maskedTree(v, mask));
      return (T) out;
    }
    return value;
  }

  /**
   * An unexpected failure of a row, its message masked: it is logged with its stack trace (the original's) and may
   * reach a service's failed items. The cause is left out (its message is not masked). Unchecked.
   */
  static final class MaskedException extends RuntimeException {
    private final String original;

    MaskedException(RuntimeException e, SecretMask mask) {
      super(mask.mask(e.getMessage()));
      this.original = e.getClass().getName();
      setStackTrace(e.getStackTrace());
    }

    @Override
    public String toString() {
      String m = getMessage();
      return m == null ? original : original + ": " + m;
    }
  }

  /** Undoes what the row's earlier steps created (latest first) after a final failure; the notes go to the message. */
  private StepResult.Failed undo(RowState state, List<RequestStep> created, StepResult.Failed f)
      throws InterruptedException {
    if (created.isEmpty()) return f;
    StringBuilder notes = new StringBuilder();
    for (int i = created.size() - 1; i >= 0; i--) {
      String note = created.get(i).undo(state);
      if (note.startsWith(RequestStep.UNDONE)) counts.add(created.get(i).name(), "undone");
      notes.append(note);
    }
    return new StepResult.Failed(f.status(), f.code(), f.message() + notes, f.requestId(), false);
  }

  /** The row's outcome when it fails a check (the first that fails), else null. */
  private RowOutcome check(RowInput row, String rowKey, dev.ferry.steps.template.RenderContext ctx) {
    for (RowCheck c : checks) {
      String message;
      try {
        if (c.require().renderCondition(ctx)) continue;
        message = c.message() == null ? "check " + c.code() + " failed" : c.message().renderText(ctx);
      } catch (SpecException e) {
        message = e.getMessage();
      }
      return RowOutcome.invalid(row.row(), row.chunk(), row.line(), rowKey, c.code(), message);
    }
    return null;
  }

  private static RowOutcome failed(RowInput row, String key, String step, StepResult.Failed f) {
    return new RowOutcome(row.row(), row.chunk(), row.line(), Outcome.FAILED, f.retryable(), key, step, f.status(),
        f.code(), f.message(), f.requestId(), "");
  }

  /** The name a failure at {@code step} carries in the ledger. */
  private String reported(String step) {
    return reportedAs.getOrDefault(step, step);
  }

  /** Counts what a step did outside a row's run (a pre-warmed lookup's resolution). */
  void count(String step, String outcome) {
    counts.add(step, outcome);
  }

  /** What each step did for this run's rows ({@link StepCounts}). */
  Map<String, Map<String, Long>> stepCounts() {
    return counts.snapshot();
  }

  @Override
  public boolean sideEffectFree() {
    return dryRun;
  }
}
