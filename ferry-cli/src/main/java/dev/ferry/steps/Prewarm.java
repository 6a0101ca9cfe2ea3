package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.StopJobException;
import dev.ferry.core.exec.Admission;
import dev.ferry.core.exec.TaskExecutor;
import dev.ferry.core.spi.JobStore;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the keys {@link PrewarmKeys} stored when the job was planned, before the rows start: each key not yet in
 * its lookup's cache is resolved by the lookup itself (single-flight, cached in the store) for the row that first
 * held it, on the engine's executor with the run's admission, so at most as many at once as rows would be. A
 * failure is left for the rows to report (a final one is cached for them), except a stop (401/403, out of quota),
 * which stops the run as it would during the rows. A stop requested meanwhile ends the pre-warm early. Threadsafe
 * (its lookups are); one {@link #run} at a time.
 */
final class Prewarm {
  private static final Logger LOG = LoggerFactory.getLogger(Prewarm.class);

  /** A pre-warmed lookup and its step. */
  record Lookup(LookupStepConfig config, LookupStep step) {}

  private final List<Lookup> lookups;
  private final Map<String, Template> vars;
  private final Map<String, Object> tables;
  private final Map<String, Object> job;
  /** Told what each resolution did (step, outcome), as the rows' counts are. */
  private final BiConsumer<String, String> counts;

  Prewarm(List<Lookup> lookups, Map<String, Template> vars, Map<String, Object> tables, Map<String, Object> job,
      BiConsumer<String, String> counts) {
    this.lookups = List.copyOf(lookups);
    this.vars = vars;
    this.tables = tables;
    this.job = job;
    this.counts = counts;
  }

  boolean isEmpty() {
    return lookups.isEmpty();
  }

  void run(JobStore store, String jobId, Admission admission, BooleanSupplier stopping, Consumer<String> stop,
      Consumer<String> status) throws InterruptedException {
    List<Runnable> todo = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Lookup l : lookups) {
      int before = todo.size();
      store.lookups(jobId, PrewarmKeys.NAMESPACE_PREFIX + l.config().name()).forEach((key, entry) -> {
        if (!l.step().knows(key) && Json.readOrNull(entry) instanceof Map<?, ?> e) {
          todo.add(() -> resolve(l, e, stop));
        }
      });
      if (todo.size() > before) names.add(l.config().name());
    }
    if (todo.isEmpty() || stopping.getAsBoolean()) return;
    status.accept("pre-warming " + todo.size() + " lookup key" + (todo.size() == 1 ? "" : "s") + " ("
        + String.join(", ", names) + ")");
    TaskExecutor executor = TaskExecutor.virtual("ferry-prewarm-", admission);
    List<Thread> threads = new ArrayList<>();
    for (Runnable task : todo) {
      if (stopping.getAsBoolean()) break;
      threads.add(executor.execute(() -> {
        if (!stopping.getAsBoolean()) task.run(); // else stopped while it waited for admission
      }));
    }
    for (Thread t : threads) t.join();
  }

  private void resolve(Lookup l, Map<?, ?> entry, Consumer<String> stop) {
    Map<String, Object> record = new java.util.LinkedHashMap<>();
    if (entry.get("record") instanceof Map<?, ?> r) r.forEach((k, v) -> record.put(String.valueOf(k), v));
    long row = entry.get("row") instanceof Number n ? n.longValue() : 0;
    long line = entry.get("line") instanceof Number n ? n.longValue() : 0;
    RowState state = new RowState(new RowInput(row, 0, line, null, null, record), "", job, tables);
    try {
      state.vars(PrewarmKeys.renderVars(vars, state));
      if (l.config().when() != null && !l.config().when().renderCondition(state.context())) return;
      if (l.step().run(state) instanceof StepResult.Ok ok) counts.accept(l.config().name(), StepCounts.ofNote(ok.note()));
    } catch (StopJobException e) {
      stop.accept(e.getMessage());
    } catch (SpecException | IllegalStateException e) {
      LOG.warn("pre-warm of step {} failed: {}", l.config().name(), e.getMessage());
    } catch (RuntimeException e) {
      // e.g. an unreadable answer: the rows holding this key resolve it again and record what happens
      LOG.warn("pre-warm of step {} failed: {}", l.config().name(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
