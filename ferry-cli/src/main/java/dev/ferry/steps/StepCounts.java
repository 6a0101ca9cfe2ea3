package dev.ferry.steps;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each step did for this run's rows, by outcome: {@code ok} (answered 2xx: created or changed), {@code existing}
 * (the item was there: {@code exists}, a lookup's {@code found}), {@code created} and {@code cached} (a lookup's),
 * {@code undone} (removed by its undo), {@code failed}; a skipped step is not counted. The report prints them (the
 * WorkOS import's "users created N, existing M" for any spec). Threadsafe: counters are {@link LongAdder}s in maps
 * that are only read after construction, except the per-step map of outcomes, which is concurrent.
 */
final class StepCounts {
  private final Map<String, ConcurrentHashMap<String, LongAdder>> byStep = new LinkedHashMap<>();
  /** The same maps by the step's index in the spec (a row's steps count by index, without a lookup by name). */
  private final List<ConcurrentHashMap<String, LongAdder>> byIndex;

  StepCounts(List<StepConfig> steps) {
    for (StepConfig s : steps) byStep.put(s.name(), new ConcurrentHashMap<>());
    List<ConcurrentHashMap<String, LongAdder>> indexed = new java.util.ArrayList<>(steps.size());
    for (StepConfig s : steps) indexed.add(byStep.get(s.name()));
    this.byIndex = List.copyOf(indexed);
  }

  void add(String step, String outcome) {
    ConcurrentHashMap<String, LongAdder> m = byStep.get(step);
    if (m != null) add(m, outcome);
  }

  /** As {@link #add(String, String)} for the step at {@code index} of the spec's steps. */
  void add(int index, String outcome) {
    add(byIndex.get(index), outcome);
  }

  private static void add(ConcurrentHashMap<String, LongAdder> m, String outcome) {
    LongAdder n = m.get(outcome); // the common case: an outcome seen before, read without a lock
    if (n == null) n = m.computeIfAbsent(outcome, k -> new LongAdder());
    n.increment();
  }

  /** The outcome of an ok step result by its note. */
  static String ofNote(String note) {
    return switch (note) {
      case "" -> "ok";
      case "found" -> "existing";
      case "dry run" -> "dry_run"; // every step of every row of a dry run: no new String each time
      default -> note.replace(' ', '_'); // existing, created, cached, dry_run
    };
  }

  /** step → outcome → count, steps in order, outcomes sorted; steps that did nothing are left out. */
  Map<String, Map<String, Long>> snapshot() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    byStep.forEach((step, m) -> {
      if (m.isEmpty()) return;
      Map<String, Long> counts = new TreeMap<>();
      m.forEach((k, v) -> counts.put(k, v.sum()));
      out.put(step, counts);
    });
    return out;
  }
}
