package dev.ferry.steps;

import dev.ferry.steps.template.Template;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What makes a batch step's batches: rows in flight hand their item to the step's batcher, which sends a batch
 * when it holds {@code maxItems} rows, when the next row would take it past {@code maxBytes} or
 * {@code maxWeight}, or when its oldest row has waited {@code linger}. Immutable.
 *
 * <p>Rows in flight must be able to exceed {@code maxItems} (the job's concurrency), or batches only fill up to the
 * rows in flight and leave by {@code linger}.
 *
 * @param maxItems  rows per batch, at least 1
 * @param maxBytes  an upper bound of the request body's bytes (each row counts the body rendered for it alone), 0
 *                  for none
 * @param maxWeight the most weight per batch (e.g. tokens), 0 for none; a row heavier than that alone goes alone
 * @param weight    a row's weight ({@code {{ tokens(row.content) }}}), or null (every row weighs 1)
 * @param linger    the longest the first row of a batch waits for more rows; positive
 * @param items     how the answer maps back to the rows
 * @param splitOn   statuses by which the target refuses the call as a whole because of some row: the batch is
 *                  split in halves, recursively, until the offending rows fail alone (default 400, 413, 422)
 */
public record BatchSettings(int maxItems, long maxBytes, long maxWeight, Template weight, Duration linger,
    ItemMapping items, Set<Integer> splitOn) {
  public static final Set<Integer> DEFAULT_SPLIT_ON = Set.of(400, 413, 422);
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(50);

  public BatchSettings {
    if (maxItems < 1) throw new IllegalArgumentException("max_items must be at least 1");
    if (maxBytes < 0 || maxWeight < 0) throw new IllegalArgumentException("max_bytes and max_weight must be >= 0");
    Objects.requireNonNull(linger, "linger cannot be null");
    if (!linger.isPositive()) throw new IllegalArgumentException("linger must be positive");
    items = items == null ? ItemMapping.WHOLE : items;
    splitOn = Set.copyOf(splitOn == null ? DEFAULT_SPLIT_ON : new TreeSet<>(splitOn));
  }

  /** {@code maxItems} rows, the default linger, the whole answer for every row, default split statuses. */
  public static BatchSettings ofItems(int maxItems) {
    return new BatchSettings(maxItems, 0, 0, null, DEFAULT_LINGER, ItemMapping.WHOLE, DEFAULT_SPLIT_ON);
  }
}
