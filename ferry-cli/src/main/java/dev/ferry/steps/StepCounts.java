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

  StepCounts(List<StepConfig> steps) {
    for (StepConfig s : steps) byStep.put(s.name(), new ConcurrentHashMap<>());
  }

  void add(String step, String outcome) {
    Map<String, LongAdder> m = byStep.get(step);
    if (m != null) m.computeIfAbsent(outcome, k -> new LongAdder()).increment();
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
