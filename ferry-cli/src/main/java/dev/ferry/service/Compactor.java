package dev.ferry.service;

import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.WorkQueue;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the queue's memory of deliveries to the spec's dedupe window: at start and then every {@link #period}, the
 * deliveries received longer than the window ago whose items are all done are forgotten with their items
 * ({@link WorkQueue#compact}), in transactions of {@link #BATCH} deliveries. Failed items, and the deliveries they
 * belong to, stay until redriven or dropped. Every replica compacts; they delete the same rows, once. Runs on its
 * own thread; {@link #run} returns when interrupted (after the transaction under way). Time through
 * {@link WallClock} and {@link Sleeper}, so tests run it in virtual time.
 */
final class Compactor implements Runnable {
  /** Deliveries forgotten per transaction: short transactions leave claims and offers their turn. */
  static final int BATCH = 500;
  private static final Logger log = LoggerFactory.getLogger(Compactor.class);

  private final WorkQueue queue;
  private final Duration window;
  private final Duration period;
  private final WallClock clock;
  private final Sleeper sleeper;

  Compactor(WorkQueue queue, Duration window, WallClock clock, Sleeper sleeper) {
    this.queue = queue;
    this.window = window;
    this.period = period(window);
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** A tenth of the window, between a minute and an hour: what it holds past the window stays under a tenth. */
  static Duration period(Duration window) {
    Duration tenth = window.dividedBy(10);
    if (tenth.compareTo(Duration.ofMinutes(1)) < 0) return Duration.ofMinutes(1);
    return tenth.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : tenth;
  }

  Duration period() {
    return period;
  }

  /**
   * Forgets every delivery older than the window now (batch after batch until none is left).
   *
   * @return the deliveries forgotten
   * @throws StoreException when the store fails
   */
  long compactNow() {
    long before = clock.millis() - window.toMillis();
    long total = 0;
    int n;
    do {
      n = queue.compact(before, BATCH);
      total += n;
    } while (n == BATCH && !Thread.currentThread().isInterrupted());
    return total;
  }

  @Override
  public void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          long n = compactNow();
          if (n > 0) log.debug("forgot {} deliveries older than the dedupe window ({})", n, window);
        } catch (StoreException e) {
          if (Thread.currentThread().isInterrupted()) return; // stopping: the next start compacts
          log.warn("cannot compact the queue now: {}", e.getMessage());
        }
        sleeper.sleepNanos(period.toNanos());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
