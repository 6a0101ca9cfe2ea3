package dev.ferry.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Sequences test threads without sleeping: tasks that say when they started and wait to be let go. The
 * generous waits here only bound a broken test; a passing test never waits for them to expire.
 */
final class Gate {
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch started;

  Gate(int tasks) {
    this.started = new CountDownLatch(tasks);
  }

  /** A task that counts itself started, waits for {@link #open()} (interruptibly) and returns {@code value}. */
  <T> Callable<T> task(T value) {
    return () -> {
      started.countDown();
      release.await();
      return value;
    };
  }

  /** Fills {@code tasks} slots of {@code pool} with tasks that wait for {@link #open()}, once they started. */
  static Gate occupying(LivePool pool, int tasks) throws InterruptedException {
    Gate gate = new Gate(tasks);
    for (int i = 0; i < tasks; i++) pool.submit(gate.task("busy"));
    gate.awaitStarted();
    return gate;
  }

  void awaitStarted() throws InterruptedException {
    assertThat(started.await(20, TimeUnit.SECONDS)).as("tasks started").isTrue();
  }

  void open() {
    release.countDown();
  }

  /** Spins (yielding) until {@code condition} holds; the class-level @Timeout bounds a broken test. */
  static void until(BooleanSupplier condition) {
    while (!condition.getAsBoolean()) Thread.yield();
  }
}
