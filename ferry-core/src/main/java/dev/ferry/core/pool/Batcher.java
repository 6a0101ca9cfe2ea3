package dev.ferry.core.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Collects items added one at a time and hands them in batches to a {@link BatchFunction} that runs as one
 * task on a {@link LivePool} (so batches share its concurrency, queue, overflow policy, rate limiter and
 * timeout). A batch is sent when it holds {@code maxBatchSize} items, or when its oldest item has waited
 * {@code maxWait}, whichever comes first. Each {@link #add} returns the future of that item's own outcome.
 *
 * <p>If the batch function throws, times out or its task is rejected by the pool, every item of the batch
 * fails with that exception; if it answers with a list whose size differs from the batch's, every item fails
 * with an {@link IllegalStateException} saying so. {@link #close()} sends what is pending.
 *
 * <p>This class is threadsafe. Under {@link Overflow#BLOCK} the {@link #add} that fills a batch waits for
 * room in the pool's queue: that is the backpressure on producers.
 */
public final class Batcher<I, R> implements AutoCloseable {
  /* Concurrency: `pending`, `timer`, `generation` and `closed` are guarded by `lock`. A batch is cut (the
   * pending list swapped for a new one) under the lock, and sent outside it, so a producer never holds the
   * lock while it waits for room in the pool. Invariants: an item is in exactly one cut batch; a timer is
   * armed iff pending is non-empty and not closed; each timer carries the generation of the batch it was
   * armed for, so a timer that fires after its batch was cut by size (cancel lost the race) is a no-op
   * rather than cutting the next, younger batch early. */
  private final LivePool pool;
  private final BatchFunction<I, R> function;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  /** @GuardedBy("lock") */
  private List<Pending<I, R>> pending = new ArrayList<>();
  /** @GuardedBy("lock") */
  private Scheduler.Cancellable timer;
  /** @GuardedBy("lock") */
  private long generation;
  /** @GuardedBy("lock") */
  private boolean closed;

  private Batcher(Builder<I, R> b) {
    this.pool = b.pool;
    this.function = b.function;
    this.maxBatchSize = b.maxBatchSize;
    this.maxWaitNanos = b.maxWait.toNanos();
  }

  /**
   * A builder for a batcher that runs {@code function} on {@code pool}; defaults: 100 items, 50 ms.
   *
   * @throws NullPointerException if an argument is null
   */
  public static <I, R> Builder<I, R> builder(LivePool pool, BatchFunction<I, R> function) {
    return new Builder<>(pool, function);
  }

  /**
   * Adds an item to the current batch, sending the batch if it is now full.
   *
   * @return the future of this item's outcome
   * @throws IllegalStateException if the batcher is closed
   * @throws NullPointerException if {@code item} is null
   */
  public CompletableFuture<R> add(I item) {
    Objects.requireNonNull(item, "item cannot be null");
    Pending<I, R> p = new Pending<>(item, new CompletableFuture<>());
    List<Pending<I, R>> full = null;
    lock.lock();
    try {
      if (closed) throw new IllegalStateException("batcher is closed");
      pending.add(p);
      if (pending.size() >= maxBatchSize) {
        full = cut();
      } else if (pending.size() == 1) {
        long armedFor = generation;
        timer = pool.scheduler().schedule(() -> timeUp(armedFor), maxWaitNanos);
      }
    } finally {
      lock.unlock();
    }
    if (full != null) send(full);
    return p.future;
  }

  /** Sends the pending items now, if any. */
  public void flush() {
    List<Pending<I, R>> batch;
    lock.lock();
    try {
      batch = pending.isEmpty() ? null : cut();
    } finally {
      lock.unlock();
    }
    if (batch != null) send(batch);
  }

  /** Refuses further items and sends what is pending. Does not shut the pool down. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    flush();
  }

  /** Items waiting for their batch to be sent. */
  public int pendingItems() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  private void timeUp(long armedFor) {
    List<Pending<I, R>> batch = null;
    lock.lock();
    try {
      if (armedFor == generation && !pending.isEmpty()) batch = cut();
    } finally {
      lock.unlock();
    }
    if (batch != null) send(batch);
  }

  /** Takes the pending items as a batch and disarms the timer. @GuardedBy("lock") */
  private List<Pending<I, R>> cut() {
    List<Pending<I, R>> batch = pending;
    pending = new ArrayList<>();
    generation++;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    return batch;
  }

  private void send(List<Pending<I, R>> batch) {
    List<I> items = new ArrayList<>(batch.size());
    for (Pending<I, R> p : batch) items.add(p.item);
    CompletableFuture<List<ItemOutcome<R>>> call;
    try {
      call = pool.submit(() -> function.apply(List.copyOf(items)));
    } catch (RuntimeException e) {
      for (Pending<I, R> p : batch) p.future.completeExceptionally(e);
      return;
    }
    call.whenComplete((outcomes, error) -> settle(batch, outcomes, error));
  }

  private static <I, R> void settle(List<Pending<I, R>> batch, List<ItemOutcome<R>> outcomes, Throwable error) {
    if (error == null && (outcomes == null || outcomes.size() != batch.size())) {
      error = new IllegalStateException("batch function returned " + (outcomes == null ? "null" :
          outcomes.size() + " outcomes") + " for a batch of " + batch.size() + " items");
    }
    for (int i = 0; i < batch.size(); i++) {
      CompletableFuture<R> f = batch.get(i).future;
      if (error != null) {
        f.completeExceptionally(unwrap(error));
        continue;
      }
      switch (outcomes.get(i)) {
        case ItemOutcome.Success<R> s -> f.complete(s.value());
        case ItemOutcome.Failure<R> x -> f.completeExceptionally(x.error());
        case null -> f.completeExceptionally(new IllegalStateException("batch function returned a null outcome "
            + "for item " + i + " of a batch of " + batch.size()));
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private record Pending<I, R>(I item, CompletableFuture<R> future) {}

  /** The call that handles one batch: one outcome per item, in the items' order. */
  @FunctionalInterface
  public interface BatchFunction<I, R> {
    /**
     * Handles a batch (an immutable list).
     *
     * @throws Exception to fail every item of the batch
     */
    List<ItemOutcome<R>> apply(List<I> items) throws Exception;
  }

  /** Builder; not threadsafe. */
  public static final class Builder<I, R> {
    private final LivePool pool;
    private final BatchFunction<I, R> function;
    private int maxBatchSize = 100;
    private Duration maxWait = Duration.ofMillis(50);

    Builder(LivePool pool, BatchFunction<I, R> function) {
      this.pool = Objects.requireNonNull(pool, "pool cannot be null");
      this.function = Objects.requireNonNull(function, "function cannot be null");
    }

    /** Items that make a full batch. @throws IllegalArgumentException if below 1 */
    public Builder<I, R> maxBatchSize(int maxBatchSize) {
      if (maxBatchSize < 1) throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /** The longest the oldest item of a batch waits before the batch is sent. @throws IllegalArgumentException if not positive */
    public Builder<I, R> maxWait(Duration maxWait) {
      Objects.requireNonNull(maxWait, "maxWait cannot be null");
      if (!maxWait.isPositive()) throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
      this.maxWait = maxWait;
      return this;
    }

    public Batcher<I, R> build() {
      return new Batcher<>(this);
    }
  }
}
