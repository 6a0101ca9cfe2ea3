package dev.ferry.steps;

import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks of {@link JobSteps#validate}. Stateless. */
final class StepsValidator {
  private static final String NAME = "[A-Za-z_][A-Za-z0-9_-]*";

  private StepsValidator() {}

  static void validate(List<TargetConfig> targets, List<StepConfig> steps) {
    Set<String> targetNames = new HashSet<>();
    for (TargetConfig t : targets) {
      if (!targetNames.add(t.name())) throw new SpecException(t.location(), "target '" + t.name() + "' is declared twice");
    }
    if (steps.isEmpty()) throw new SpecException(SpecLocation.UNKNOWN, "a job has at least one step");
    Set<String> earlier = new HashSet<>();
    for (StepConfig s : steps) {
      if (!s.name().matches(NAME)) {
        throw new SpecException(s.location(), "step name '" + s.name() + "' must be letters, digits, _ or -, "
            + "starting with a letter (templates read it as steps." + s.name() + ")");
      }
      if (earlier.contains(s.name())) throw new SpecException(s.location(), "step '" + s.name() + "' is declared twice");
      if (!targetNames.contains(s.target())) {
        throw new SpecException(s.location(), "step '" + s.name() + "' calls target '" + s.target()
            + "', which is not declared" + (targetNames.isEmpty() ? "" : " (targets: " + String.join(", ",
                new java.util.TreeSet<>(targetNames)) + ")"));
      }
      check(s, s.when(), earlier, false, "its when");
      switch (s) {
        case RequestStepConfig r -> {
          check(r, r.call(), earlier, r.batched());
          if (r.undo() != null) { // the undo reads the step's own results too
            Set<String> withOwn = new HashSet<>(earlier);
            withOwn.add(r.name());
            check(r, r.undo().call(), withOwn, false);
            check(r, r.undo().when(), withOwn, false, "its undo's when");
          }
          if (r.batched()) {
            check(r, r.batch().weight(), earlier, false, "its batch weight");
            check(r, r.batch().items().rowKey(), earlier, false, "its match key");
            r.call().rules().rules().forEach((status, rule) -> {
              if (rule.then() != null) throw new SpecException(r.location(), "step '" + r.name() + "': a batch step "
                  + "cannot run a follow-up call on " + status + " (it has no single row to run it for)");
            });
          }
        }
        case LookupStepConfig l -> {
          if (l.prewarm()) checkPrewarm(l);
          check(l, l.key(), earlier, false, "its key");
          check(l, l.find(), earlier, false);
          if (l.create() != null) {
            check(l, l.create(), earlier, false);
            check(l, l.createWhen(), earlier, false, "its create_when");
            for (String name : l.find().capture().keySet()) {
              if (!l.create().capture().containsKey(name)) {
                throw new SpecException(l.location(), "step '" + l.name() + "': create must capture '" + name
                    + "' too (the lookup's result is the same whichever call found it)");
              }
            }
          }
        }
      }
      earlier.add(s.name());
    }
  }

  /** A pre-warmed lookup is resolved before any row's steps: its templates may read no step's results. */
  private static void checkPrewarm(LookupStepConfig l) {
    try {
      check(l, l.when(), Set.of(), false, "its when");
      check(l, l.key(), Set.of(), false, "its key");
      check(l, l.find(), Set.of(), false);
      if (l.create() != null) check(l, l.create(), Set.of(), false);
      check(l, l.createWhen(), Set.of(), false, "its create_when");
      if (l.notFound() != null) check(l, l.notFound().message(), Set.of(), false, "its not_found message");
    } catch (SpecException e) {
      throw new SpecException(l.location(), "step '" + l.name() + "': prewarm resolves its keys before any row's"
          + " steps run, so its templates read only row, job, source, vars and tables ("
          + e.detail().replace("step '" + l.name() + "': ", "") + ")");
    }
  }

  private static void check(StepConfig s, CallConfig call, Set<String> earlier, boolean batch) {
    RequestTemplate r = call.request();
    check(s, r.path(), earlier, batch, "its path");
    for (Template t : r.query().values()) check(s, t, earlier, batch, "its query");
    for (Template t : r.headers().values()) check(s, t, earlier, batch, "its headers");
    check(s, r.body(), earlier, batch);
    check(s, call.idempotencyKey(), earlier, batch, "its idempotency key");
    for (Template t : call.charge().values()) check(s, t, earlier, batch, "its charge");
    for (Map.Entry<String, StatusRule> e : call.rules().rules().entrySet()) {
      if (e.getValue().then() != null) check(s, e.getValue().then(), earlier, batch);
    }
  }

  private static void check(StepConfig s, JsonTemplate body, Set<String> earlier, boolean batch) {
    if (body == null) return;
    for (String step : body.stepsRead()) {
      if (!earlier.contains(step)) throw readsLater(s, step, earlier, "its body", leafReading(body, step));
    }
    if (body.usesBatch() && !batch) throw notBatch(s, s.location(), "its body");
  }

  private static void check(StepConfig s, Template t, Set<String> earlier, boolean batch, String where) {
    if (t == null) return;
    for (String step : t.stepsRead()) {
      if (!earlier.contains(step)) throw readsLater(s, step, earlier, where, t.location());
    }
    if (t.usesBatch() && !batch) throw notBatch(s, t.location(), where);
  }

  /**
   * A template that reads a step that does not run before it: at the template (its line, column and field, such as
   * {@code steps[1].request.body.points}) when known, else at the step; the earlier steps named.
   */
  private static SpecException readsLater(StepConfig s, String step, Set<String> earlier, String where,
      SpecLocation at) {
    return new SpecException(at == null || at.line() == 0 ? s.location() : at, "step '" + s.name() + "': " + where
        + " reads steps." + step + ", but no step named '" + step + "' runs before it" + (earlier.isEmpty()
        ? " (it is the first step)" : " (steps before it: " + String.join(", ", new java.util.TreeSet<>(earlier))
        + ")"));
  }

  /** The location of the first template of {@code body} that reads {@code step}, or null. */
  private static SpecLocation leafReading(JsonTemplate body, String step) {
    return switch (body) {
      case JsonTemplate.Leaf l -> l.template().stepsRead().contains(step) ? l.template().location() : null;
      case JsonTemplate.Obj o -> o.fields().values().stream().map(v -> leafReading(v, step))
          .filter(java.util.Objects::nonNull).findFirst().orElse(null);
      case JsonTemplate.Arr a -> a.items().stream().map(v -> leafReading(v, step))
          .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    };
  }

  private static SpecException notBatch(StepConfig s, SpecLocation at, String where) {
    return new SpecException(at, "step '" + s.name() + "': " + where + " uses batch, which only a batch step's "
        + "request and charge can read");
  }
}
