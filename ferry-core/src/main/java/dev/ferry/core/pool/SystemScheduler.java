package dev.ferry.core.pool;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real {@link Scheduler}: one daemon timer thread that hands each due action to a new virtual thread. */
enum SystemScheduler implements Scheduler {
  INSTANCE;

  /* Concurrency: the ScheduledThreadPoolExecutor is threadsafe; its one thread only starts virtual threads,
   * so a slow or blocking action (a batch flush that waits for room in a BLOCK pool) never delays the
   * timeouts behind it. Cancelled timers are removed from its queue at once (removeOnCancelPolicy). */
  private static final Logger LOG = LoggerFactory.getLogger(SystemScheduler.class);
  private final ScheduledThreadPoolExecutor timer = newTimer();

  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
        r -> Thread.ofPlatform().daemon().name("ferry-pool-timer").unstarted(r));
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  @Override
  public Cancellable schedule(Runnable action, long delayNanos) {
    ScheduledFuture<?> f = timer.schedule(() -> Thread.ofVirtual().name("ferry-pool-timer-action")
        .start(() -> runLogged(action)), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  private static void runLogged(Runnable action) {
    try {
      action.run();
    } catch (Throwable t) {
      LOG.error("scheduled pool action failed", t);
    }
  }
}
