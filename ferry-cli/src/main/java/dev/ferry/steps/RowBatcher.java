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
 * Collects the items of rows in flight into batches for one batch step. A batch is <em>launched</em> when it holds
 * {@code maxItems} rows, when the next row would take it past {@code maxWeight} or {@code maxBytes} (the row then
 * starts the next batch), or when its first row has waited {@code linger}: its sender (on the {@code sender}
 * executor, a virtual thread per batch by default) first waits for the call's rate permit ({@link Permit}), then
 * closes the batch and hands it to {@code send}; each row waits for its own future. A batch launched by
 * {@code linger} stays open while its permit is awaited: rows that arrive meanwhile join it (up to {@code maxItems},
 * {@code maxWeight}, {@code maxBytes}, which close it) instead of starting a batch of their own, so against a target
 * that limits requests batches leave as full as the rows in flight allow (docs/SERVE.md).
 *
 * <p>Unlike {@code core.pool.Batcher} (count and wait only, on a LivePool's slots) this one weighs items, and needs
 * no pool: the rows in flight are already bounded by the job's concurrency, so batch calls in flight are too.
 *
 * <p>Concurrency: {@code open} and the batches' items, sums, flags and timers are guarded by {@code lock}. Batches are
 * launched and sent outside it. Invariants: a row is in exactly one batch; rows join only {@code open}; a batch is
 * closed (replaced as {@code open}) once and never changes after; a batch is launched once (its sender started) and
 * sent once, by its own sender, after its permit and after it is closed; a linger timer is armed for {@code open} iff
 * it holds rows and is not launched, and one that fires for a batch no longer open or already launched does nothing.
 * Threadsafe.
 */
final class RowBatcher implements AutoCloseable {
  /** A row waiting in a batch. {@code ctx} is a snapshot of the row's state; {@code result} completes once. */
  record Item(long row, RenderContext ctx, long weight, long bytes, CompletableFuture<StepResult> result) {}

  /**
   * The wait of a batch's sender for its call's rate permit, before the batch is closed: {@link #take} blocks until
   * the permit is held (the call's first attempt then uses it: {@code RatePermits.prepay}); {@link #release} is told
   * once the batch was sent (or not), with what {@code take} returned.
   */
  interface Permit {
    /** No wait: the batch is closed as soon as its sender runs. */
    Permit NONE = new Permit() {
      @Override
      public Object take() {
        return null;
      }

      @Override
      public void release(Object token) {}
    };

    Object take() throws InterruptedException;

    void release(Object token);
  }

  /** A batch: open while rows may join it, then closed; launched once its sender is started. */
  private static final class Batch {
    /** @GuardedBy("lock") */
    final List<Item> items = new ArrayList<>();
    /** @GuardedBy("lock") */
    long weight;
    /** @GuardedBy("lock") */
    long bytes;
    /** @GuardedBy("lock") */
    boolean launched;
    /** @GuardedBy("lock") */
    Scheduler.Cancellable timer;
  }

  private final BatchSettings settings;
  private final Scheduler scheduler;
  private final Executor sender;
  private final Consumer<List<Item>> send;
  private final Permit permit;
  private final ReentrantLock lock = new ReentrantLock();
  /** The batch rows join. @GuardedBy("lock") */
  private Batch open = new Batch();

  RowBatcher(BatchSettings settings, Scheduler scheduler, Executor sender, Consumer<List<Item>> send) {
    this(settings, scheduler, sender, send, Permit.NONE);
  }

  /** @param permit what a batch's sender waits for, the batch still open, before it sends */
  RowBatcher(BatchSettings settings, Scheduler scheduler, Executor sender, Consumer<List<Item>> send, Permit permit) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.sender = sender;
    this.send = send;
    this.permit = permit;
  }

  /** Adds a row's item; returns its future (the same as {@code item.result()}). */
  CompletableFuture<StepResult> add(Item item) {
    Batch before = null;
    Batch full = null;
    lock.lock();
    try {
      if (!open.items.isEmpty() && overflows(item)) before = closeOpen();
      Batch b = open;
      b.items.add(item);
      b.weight += item.weight();
      b.bytes += item.bytes();
      if (b.items.size() >= settings.maxItems() || settings.maxWeight() > 0 && b.weight >= settings.maxWeight()
          || settings.maxBytes() > 0 && b.bytes >= settings.maxBytes()) {
        full = closeOpen();
      } else if (b.items.size() == 1 && !b.launched) {
        b.timer = scheduler.schedule(() -> timeUp(b), settings.linger().toNanos());
      }
    } finally {
      lock.unlock();
    }
    if (before != null) launch(before);
    if (full != null) launch(full);
    return item.result();
  }

  /** @GuardedBy("lock") */
  private boolean overflows(Item item) {
    return settings.maxWeight() > 0 && open.weight + item.weight() > settings.maxWeight()
        || settings.maxBytes() > 0 && open.bytes + item.bytes() > settings.maxBytes();
  }

  /** Rows in the batch they join now (launched or not). */
  int pending() {
    lock.lock();
    try {
      return open.items.size();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the open batch and launches it, unless its sender already waits for its permit. */
  void flush() {
    Batch b = null;
    lock.lock();
    try {
      if (!open.items.isEmpty()) b = closeOpen();
    } finally {
      lock.unlock();
    }
    if (b != null) launch(b);
  }

  @Override
  public void close() {
    flush();
  }

  /** The first row of {@code b} has waited {@code linger}: its sender starts, the batch stays open. */
  private void timeUp(Batch b) {
    boolean go = false;
    lock.lock();
    try {
      if (b == open && !b.launched && !b.items.isEmpty()) {
        b.launched = true;
        b.timer = null;
        go = true;
      }
    } finally {
      lock.unlock();
    }
    if (go) start(b);
  }

  /**
   * Replaces the open batch by a new one; returns the closed batch when it still needs its sender started (marked
   * launched), null when its sender already waits for it. @GuardedBy("lock")
   */
  private Batch closeOpen() {
    Batch b = open;
    open = new Batch();
    if (b.timer != null) {
      b.timer.cancel();
      b.timer = null;
    }
    if (b.launched) return null;
    b.launched = true;
    return b;
  }

  /** Its rows, closing {@code b} if it is still open (its sender holds its permit now). */
  private List<Item> seal(Batch b) {
    lock.lock();
    try {
      if (open == b) closeOpen();
      return List.copyOf(b.items);
    } finally {
      lock.unlock();
    }
  }

  private void launch(Batch b) {
    if (b != null) start(b);
  }

  private void start(Batch b) {
    try {
      sender.execute(() -> waitAndSend(b));
    } catch (RuntimeException e) {
      failRest(seal(b), e);
    }
  }

  private void waitAndSend(Batch b) {
    Object token;
    try {
      token = permit.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failRest(seal(b), e);
      return;
    } catch (Throwable t) {
      failRest(seal(b), t);
      return;
    }
    List<Item> batch = seal(b);
    try {
      send.accept(batch);
    } catch (Throwable t) {
      failRest(batch, t);
    } finally {
      permit.release(token);
      failRest(batch, new IllegalStateException("the batch ended without an outcome for this row"));
    }
  }

  private static void failRest(List<Item> batch, Throwable t) {
    for (Item i : batch) i.result().completeExceptionally(t);
  }
}
