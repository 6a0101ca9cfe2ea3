package dev.ferry.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.engine.StopJobException;
import dev.ferry.core.exec.Admission;
import dev.ferry.core.exec.TaskExecutor;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.TargetUnusableException;
import dev.ferry.store.WorkQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.ferry.json.PooledJson;

/**
 * Drains the queue: claims items in batches (as many as free slots allow), runs each through the steps on a virtual
 * thread of its own (a batch step gathers the items in flight into its calls), and settles each in the queue: done,
 * failed with its reason, or back to the queue when its failure is transient and attempts remain.
 *
 * <p>Concurrency follows the queue ({@link QueueScaler}): each poll claims up to the scaler's target minus what is in
 * flight; the target doubles while claims come back full (a backlog) and halves after {@link #SCALE_DOWN_AFTER}
 * without one, between one slot and the ceiling: the limit of the drain's {@link Admission} (in a service, the
 * adaptive limit that the targets' latency and refusals move, never above the spec's {@code concurrency}). The slots are that admission of the engine's executor ({@link TaskExecutor}, which runs each
 * item and gives its slot back when it ends): a round takes as many free ones as the target leaves room for, claims
 * that many items at most and gives back those it could not fill. Request rates are the targets' limits (stated, or
 * learned from 429s with {@code limits: auto}), charged per HTTP attempt.
 *
 * <p>Threadsafe. Concurrency: {@link #run()} runs on one thread (the loop: claims, lease renewals, the scaler);
 * {@code inFlight} and {@code running} are changed by the loop (claim) and by the item threads (settle), and read by
 * anyone; {@code rates} is its own monitor. An item is settled only by the thread that ran it and only while this
 * owner holds its claim (the queue checks), so an item whose claim expired and went to another process is settled
 * by that process, never twice.
 *
 * <p>An item that meets a target that cannot be used ({@link TargetOutage}) is put back uncounted and the loop pauses,
 * then probes with one item in flight at a time until one gets through: a target down from the start loses nothing.
 */
final class Drain implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Drain.class);
  private static final ObjectMapper JSON = new ObjectMapper(PooledJson.factory());
  /** How long the loop waits when nothing could be claimed or no slot is free. */
  static final Duration IDLE_POLL = Duration.ofMillis(50);
  /** How long the queue must leave slots unused before the concurrency target halves. */
  static final Duration SCALE_DOWN_AFTER = Duration.ofSeconds(10);

  private final WorkQueue queue;
  private final RowProcessor processor;
  private final String owner;
  private final QueueScaler scaler;
  private final ItemRates rates;
  private final Duration lease;
  private final int maxAttempts;
  private final Duration retryDelay;
  private final WallClock clock;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final MetricsRecorder metrics;
  private final TargetOutage outage = new TargetOutage();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();
  private volatile boolean stopClaiming;
  private volatile Thread loop;
  /** When the loop renews leases next (ticker nanos); the loop's own. */
  private long nextRenew;
  /** The drain's slots: one permit per item in flight. */
  private final Admission slots;
  /** Where items run: the engine's executor on those slots. */
  private final TaskExecutor items;

  /** @param rates where settled items are counted (received ones are counted by the ingest routes) */
  /** @param slots the items in flight at most: a fixed admission, or an adaptive one whose limit moves */
  Drain(WorkQueue queue, RowProcessor processor, String owner, Admission slots, Duration lease, int maxAttempts,
      Duration retryDelay, WallClock clock, Ticker ticker, Sleeper sleeper, MetricsRecorder metrics, ItemRates rates) {
    this(queue, processor, owner, slots, lease, maxAttempts, retryDelay, clock, ticker, sleeper, metrics, rates,
        task -> Thread.ofVirtual().name("ferry-item").start(task));
  }

  /** Fixed slots, items run where {@code items} says (tests run them in place). */
  Drain(WorkQueue queue, RowProcessor processor, String owner, int concurrency, Duration lease, int maxAttempts,
      Duration retryDelay, WallClock clock, Ticker ticker, Sleeper sleeper, MetricsRecorder metrics, ItemRates rates,
      Executor items) {
    this(queue, processor, owner, Admission.fixed(concurrency), lease, maxAttempts, retryDelay, clock, ticker, sleeper,
        metrics, rates, items);
  }

  /** @param items where each item runs (default: a virtual thread each; tests run them in place) */
  Drain(WorkQueue queue, RowProcessor processor, String owner, Admission slots, Duration lease, int maxAttempts,
      Duration retryDelay, WallClock clock, Ticker ticker, Sleeper sleeper, MetricsRecorder metrics, ItemRates rates,
      Executor items) {
    this.slots = slots;
    this.items = TaskExecutor.launching(slots, items).reporting(MetricsRecorder.ROWS, metrics, ticker);
    this.rates = rates;
    this.queue = queue;
    this.processor = processor;
    this.owner = owner;
    this.lease = lease;
    this.maxAttempts = maxAttempts;
    this.retryDelay = retryDelay;
    this.clock = clock;
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.metrics = metrics;
    this.scaler = new QueueScaler(1, slots::limit, SCALE_DOWN_AFTER, ticker.read());
  }

  int inFlight() {
    return inFlight.get();
  }

  /** Items in flight at most now: follows the queue, up to {@link #ceiling()}. */
  int concurrency() {
    return scaler.target();
  }

  /** The most items in flight: the admission's limit (the spec's {@code concurrency}). */
  int ceiling() {
    return scaler.ceiling();
  }

  @Override
  public void run() {
    loop = Thread.currentThread();
    nextRenew = ticker.read() + renewEvery();
    try {
      while (!stopClaiming) {
        round();
        sleeper.sleepNanos(IDLE_POLL.toNanos()); // settling frees slots meanwhile; new items are claimed next round
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long renewEvery() {
    return Math.max(1, lease.toNanos() / 3);
  }

  /** One round of the loop: claims what free slots allow and starts it; renews leases when due. */
  void round() {
    // the free slots the target leaves room for, taken now: each claimed item runs on one, the rest go back at once
    long now = ticker.read();
    int running = inFlight.get();
    int room = scaler.beforeClaim(running, now) - running;
    if (outage.active()) room = outage.paused(now) ? 0 : Math.min(room, 1 - running); // one probe at a time
    int free = 0;
    while (free < room && slots.tryAcquire()) free++;
    if (free > 0) {
      List<WorkQueue.QueueItem> claimed = List.of();
      int started = 0;
      try {
        claimed = queue.claim(owner, free, clock.millis(), lease.toMillis());
      } catch (StoreException e) {
        log.warn("cannot claim items now: {}", e.getMessage());
      }
      scaler.afterClaim(free, claimed.size(), now);
      try {
        for (WorkQueue.QueueItem item : claimed) {
          started++; // its permit is the executor's from here on, even if starting it fails
          start(item);
        }
      } finally {
        for (int i = started; i < free; i++) slots.release();
      }
    }
    if (ticker.read() - nextRenew >= 0) {
      nextRenew = ticker.read() + renewEvery();
      try {
        if (inFlight.get() > 0) queue.renew(owner, clock.millis() + lease.toMillis());
      } catch (StoreException e) {
        log.warn("cannot renew leases now: {}", e.getMessage());
      }
    }
  }

  private void start(WorkQueue.QueueItem item) {
    inFlight.incrementAndGet();
    items.startAdmitted(() -> {
      running.add(Thread.currentThread());
      try {
        settle(item, runItem(item));
      } catch (UnusableTarget e) {
        postpone(item, e.getMessage());
      } catch (InterruptedException e) {
        // stopped past the drain timeout: the item stays claimed until released or its lease expires
      } finally {
        running.remove(Thread.currentThread());
        inFlight.decrementAndGet();
      }
    });
  }

  private RowOutcome runItem(WorkQueue.QueueItem item) throws InterruptedException, UnusableTarget {
    Map<String, Object> record;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> parsed = JSON.readValue(item.body(), Map.class);
      record = parsed;
    } catch (java.io.IOException e) {
      return RowOutcome.invalid(item.id(), 0, 0, "", "malformed", "the stored item is not a JSON object");
    }
    try {
      RowOutcome o = processor.process(new RowInput(item.id(), 0, 0, null, null, record));
      outage.worked(); // its targets answered (or it needed none): an outage is over
      return o;
    } catch (StopJobException e) {
      if (e.getCause() instanceof TargetUnusableException) throw new UnusableTarget(e.getMessage());
      return failedInSteps(item, e);
    } catch (TargetUnusableException e) {
      throw new UnusableTarget(e.getMessage());
    } catch (RuntimeException e) {
      return failedInSteps(item, e);
    }
  }

  private static RowOutcome failedInSteps(WorkQueue.QueueItem item, RuntimeException e) {
    log.warn("item {} failed in the steps: {}", item.id(), e.toString());
    return new RowOutcome(item.id(), 0, 0, Outcome.FAILED, false, "", "", 0, "error",
        "the steps failed: " + e.getClass().getSimpleName(), "", "");
  }

  /**
   * The item met a target that cannot be used: not its fault, so back to the queue with its attempt not counted, due
   * when the outage's pause ends (the drain claims nothing before then, then one probe at a time).
   */
  private void postpone(WorkQueue.QueueItem item, String why) {
    long resume = outage.unusable(why, ticker.read());
    long delayMillis = Math.max(0, (resume - ticker.read()) / 1_000_000);
    try {
      queue.postpone(item.id(), owner, "target unusable: " + why, clock.millis() + delayMillis);
      rates.add(ItemRates.Kind.RETRIED);
    } catch (StoreException e) {
      log.warn("item {} not put back: {}", item.id(), e.getMessage());
    }
  }

  /** The outage of a target that cannot be used, while it lasts. */
  java.util.Optional<TargetOutage.Snapshot> outage() {
    return outage.snapshot(ticker.read());
  }

  /** A target of the item cannot be used; the message says why (masked by the steps). */
  private static final class UnusableTarget extends Exception {
    UnusableTarget(String message) {
      super(message, null, false, false);
    }
  }

  private void settle(WorkQueue.QueueItem item, RowOutcome o) {
    try {
      long now = clock.millis();
      if (o.outcome() == Outcome.DONE) {
        queue.done(item.id(), owner, now);
      } else if (o.outcome() == Outcome.FAILED && o.retryable() && item.attempts() < maxAttempts) {
        queue.retryLater(item.id(), owner, reason(o), now + retryDelay.toMillis() * item.attempts());
        rates.add(ItemRates.Kind.RETRIED);
        return;
      } else {
        queue.fail(item.id(), owner, reason(o), now);
      }
      rates.add(o.outcome() == Outcome.DONE ? ItemRates.Kind.DONE : ItemRates.Kind.FAILED);
      metrics.rowSettled(o.outcome());
    } catch (StoreException e) {
      // not settled: the claim expires and the item runs again (idempotent steps absorb the repeat)
      log.warn("item {} not settled: {}", item.id(), e.getMessage());
    }
  }

  /** The failed item's reason, as the errors file says it: step, status, code, message. */
  static String reason(RowOutcome o) {
    StringBuilder b = new StringBuilder();
    if (!o.step().isEmpty()) b.append(o.step()).append(": ");
    if (o.httpStatus() > 0) b.append(o.httpStatus()).append(' ');
    if (!o.code().isEmpty()) b.append(o.code()).append(' ');
    b.append(o.message());
    if (!o.key().isEmpty()) b.append(" (key ").append(o.key()).append(')');
    return b.toString().strip();
  }

  /** Claims no more items; those in flight go on. */
  void stopClaiming() {
    stopClaiming = true;
    Thread t = loop;
    if (t != null) t.interrupt();
  }

  /**
   * Waits until nothing is in flight or {@code timeout} passed; then interrupts what still runs.
   *
   * @return whether everything in flight settled in time
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = ticker.read() + timeout.toNanos();
    while (inFlight.get() > 0 && ticker.read() - deadline < 0) sleeper.sleepNanos(IDLE_POLL.toNanos());
    if (inFlight.get() == 0) return true;
    running.forEach(Thread::interrupt);
    return false;
  }
}
