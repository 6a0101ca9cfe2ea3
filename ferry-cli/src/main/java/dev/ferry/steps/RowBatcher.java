package dev.ferry.steps;

import dev.ferry.core.pool.Scheduler;
import dev.ferry.steps.template.RenderContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Collects the items of rows in flight into batches for one batch step: a batch is cut when it holds
 * {@code maxItems} rows, when the next row would take it past {@code maxWeight} or {@code maxBytes} (the row then
 * starts the next batch), or when its first row has waited {@code linger}; a cut batch is handed to {@code send} on
 * the {@code sender} executor (a virtual thread per batch by default), and each row waits for its own future.
 *
 * <p>Unlike {@code core.pool.Batcher} (count and wait only, on a LivePool's slots) this one weighs items, and needs
 * no pool: the rows in flight are already bounded by the job's concurrency, so batch calls in flight are too.
 *
 * <p>Concurrency: {@code pending}, its sums, {@code timer} and {@code generation} are guarded by {@code lock}. A batch
 * is cut under the lock and sent outside it. Invariants: a row is in exactly one cut batch; a timer is armed iff
 * {@code pending} is not empty; a timer carries the generation it was armed for, so one that fires after its batch
 * was cut by size (its cancel lost the race) cuts nothing. Threadsafe.
 */
final class RowBatcher implements AutoCloseable {
  /** A row waiting in a batch. {@code ctx} is a snapshot of the row's state; {@code result} completes once. */
  record Item(long row, RenderContext ctx, long weight, long bytes, CompletableFuture<StepResult> result) {}

  private final BatchSettings settings;
  private final Scheduler scheduler;
  private final Executor sender;
  private final Consumer<List<Item>> send;
  private final ReentrantLock lock = new ReentrantLock();
  /** @GuardedBy("lock") */
  private List<Item> pending = new ArrayList<>();
  /** @GuardedBy("lock") */
  private long pendingWeight;
  /** @GuardedBy("lock") */
  private long pendingBytes;
  /** @GuardedBy("lock") */
  private Scheduler.Cancellable timer;
  /** @GuardedBy("lock") */
  private long generation;

  RowBatcher(BatchSettings settings, Scheduler scheduler, Executor sender, Consumer<List<Item>> send) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.sender = sender;
    this.send = send;
  }

  /** Adds a row's item; returns its future (the same as {@code item.result()}). */
  CompletableFuture<StepResult> add(Item item) {
    List<Item> before = null;
    List<Item> full = null;
    lock.lock();
    try {
      if (!pending.isEmpty() && overflows(item)) before = cut();
      pending.add(item);
      pendingWeight += item.weight();
      pendingBytes += item.bytes();
      if (pending.size() >= settings.maxItems() || settings.maxWeight() > 0 && pendingWeight >= settings.maxWeight()
          || settings.maxBytes() > 0 && pendingBytes >= settings.maxBytes()) {
        full = cut();
      } else if (pending.size() == 1) {
        long armedFor = generation;
        timer = scheduler.schedule(() -> timeUp(armedFor), settings.linger().toNanos());
      }
    } finally {
      lock.unlock();
    }
    if (before != null) dispatch(before);
    if (full != null) dispatch(full);
    return item.result();
  }

  /** @GuardedBy("lock") */
  private boolean overflows(Item item) {
    return settings.maxWeight() > 0 && pendingWeight + item.weight() > settings.maxWeight()
        || settings.maxBytes() > 0 && pendingBytes + item.bytes() > settings.maxBytes();
  }

  /** Rows waiting for their batch to be cut. */
  int pending() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /** Sends what is pending now. */
  void flush() {
    List<Item> batch;
    lock.lock();
    try {
      batch = pending.isEmpty() ? null : cut();
    } finally {
      lock.unlock();
    }
    if (batch != null) dispatch(batch);
  }

  @Override
  public void close() {
    flush();
  }

  private void timeUp(long armedFor) {
    List<Item> batch = null;
    lock.lock();
    try {
      if (armedFor == generation && !pending.isEmpty()) batch = cut();
    } finally {
      lock.unlock();
    }
    if (batch != null) dispatch(batch);
  }

  /** @GuardedBy("lock") */
  private List<Item> cut() {
    List<Item> batch = pending;
    pending = new ArrayList<>();
    pendingWeight = 0;
    pendingBytes = 0;
    generation++;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    return List.copyOf(batch);
  }

  private void dispatch(List<Item> batch) {
    try {
      sender.execute(() -> {
        try {
          send.accept(batch);
        } catch (Throwable t) {
          failRest(batch, t);
        } finally {
          failRest(batch, new IllegalStateException("the batch ended without an outcome for this row"));
        }
      });
    } catch (RuntimeException e) {
      failRest(batch, e);
    }
  }

  private static void failRest(List<Item> batch, Throwable t) {
    for (Item i : batch) i.result().completeExceptionally(t);
  }
}
