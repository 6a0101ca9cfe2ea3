package dev.ferry.core.limit;

import dev.ferry.core.time.Sleeper;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Semaphore;
import java.util.function.IntToLongFunction;

/**
 * Callers that acquire permits through {@link RateLimiter#acquire} in virtual time, each on a thread of its own, and
 * wake late from some sleeps (a loaded host): caller {@code c} sends {@code rows} requests, each one as soon as its
 * permit is acquired, then waits {@code latency} for the answer. The time each send left is kept, so a test can count
 * them as a server would.
 *
 * <p>Deterministic: one thread runs at a time. A caller runs until it sleeps (or ends); the driver then wakes the one
 * due first (ties in the order they fell asleep), moving the clock to its wake-up. Every sleep, even of 0, wakes
 * {@code oversleep} later (the {@code n}-th sleep of all, counted from 0): the scheduler's delay.
 */
final class LateCallers {
  /* Concurrency: the queue is guarded by its own lock; `turn` hands control back to the driver, each caller's `go`
   * hands it to that caller, so exactly one thread (the driver or one caller) runs at a time. */
  private final FakeTicker time;
  private final IntToLongFunction oversleep;
  private final PriorityQueue<Asleep> asleep = new PriorityQueue<>();
  private final Semaphore turn = new Semaphore(0);
  private final List<Long> sends = new ArrayList<>();
  private long sleeps;
  private int lateSleeps;

  private record Asleep(long wakeAt, long order, Semaphore go) implements Comparable<Asleep> {
    @Override
    public int compareTo(Asleep o) {
      return wakeAt != o.wakeAt ? Long.compare(wakeAt, o.wakeAt) : Long.compare(order, o.order);
    }
  }

  LateCallers(FakeTicker time, IntToLongFunction oversleep) {
    this.time = time;
    this.oversleep = oversleep;
  }

  /** Runs {@code callers} callers of {@code rows} sends each through {@code limiter}; returns the send times, sorted. */
  List<Long> run(RateLimiter limiter, int callers, int rows, Duration latency) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      Thread t = Thread.ofPlatform().daemon().start(() -> {
        try {
          for (int r = 0; r < rows; r++) {
            limiter.acquire(this::sleep);
            synchronized (sends) {
              sends.add(time.read());
            }
            sleepExactly(latency.toNanos());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          turn.release();
        }
      });
      threads.add(t);
      turn.acquire(); // it ran until its first sleep
    }
    while (true) {
      Asleep next;
      synchronized (asleep) {
        next = asleep.poll();
      }
      if (next == null) break;
      long now = time.read();
      if (next.wakeAt > now) time.advance(Duration.ofNanos(next.wakeAt - now));
      next.go.release();
      turn.acquire();
    }
    for (Thread t : threads) t.join();
    List<Long> sorted = new ArrayList<>(sends);
    sorted.sort(null);
    return sorted;
  }

  /** The most sends any span shorter than {@code window} holds (a sliding log counting arrivals). */
  static int mostInAnyWindow(List<Long> sortedSends, Duration window) {
    int most = 0;
    int from = 0;
    for (int to = 0; to < sortedSends.size(); to++) {
      while (sortedSends.get(to) - sortedSends.get(from) >= window.toNanos()) from++;
      most = Math.max(most, to - from + 1);
    }
    return most;
  }

  private void sleep(long nanos) throws InterruptedException {
    long late;
    synchronized (asleep) {
      late = oversleep.applyAsLong(lateSleeps++);
    }
    sleepExactly(Math.max(0, nanos) + late);
  }

  private void sleepExactly(long nanos) throws InterruptedException {
    Asleep me;
    synchronized (asleep) {
      me = new Asleep(time.read() + nanos, sleeps++, new Semaphore(0));
      asleep.add(me);
    }
    turn.release();
    me.go.acquire();
  }
}
