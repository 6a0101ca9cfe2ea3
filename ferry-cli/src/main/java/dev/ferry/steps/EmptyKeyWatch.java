package dev.ferry.steps;

import dev.ferry.steps.template.SpecLocation;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Says once when the spec's {@code key} rendered empty for each of the first {@link #ROWS} rows: a key that reads a
 * field the rows lack (a typo, {@code row.ident} for {@code row.id}) names no row in the results file, the errors file
 * or the ledger, and nothing else would tell. Rows go on as before (a key may be empty for some rows).
 *
 * <p>Threadsafe: the counts are atomics; once {@link #ROWS} rows are counted, {@code decided} (volatile) turns every
 * later call into one read, so the rows' hot path pays nothing after the start.
 */
final class EmptyKeyWatch {
  static final int ROWS = 100;

  private final SpecLocation at;
  private final Consumer<String> say;
  private final AtomicLong rendered = new AtomicLong();
  private final AtomicLong empty = new AtomicLong();
  private volatile boolean decided;

  /** @param at where the key is written (its text is not quoted: a parameter in it may be a secret) */
  EmptyKeyWatch(SpecLocation at, Consumer<String> say) {
    this.at = at;
    this.say = say;
  }

  /** One row's rendered key. */
  void rendered(String key) {
    if (decided) return;
    if (key.isEmpty()) empty.incrementAndGet();
    if (rendered.incrementAndGet() != ROWS) return;
    decided = true;
    if (empty.get() == ROWS) {
      say.accept((at == null || at.toString().isEmpty() ? "" : at + ": ") + "key: rendered empty for each of the first "
          + ROWS + " rows, so the results file, the errors file and the ledger name no row by its key: does it"
          + " read a field the rows lack?");
    }
  }
}
