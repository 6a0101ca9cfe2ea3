package dev.ferry.cli;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.WallClock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a job's rate limit between the processes that run it (distributed mode), with no round trip per
 * request: each process writes a heartbeat to the store every {@code period} and learns from it how many
 * processes are alive; it then paces at the pace it would keep alone (the given limit, trimmed after 429s)
 * divided by that count. A process that joins waits one and a half periods before its first request, so every
 * process already running has counted it by then (half a period to spare for a beat the host delayed); a process
 * that dies is forgotten after {@code 5 × period}, and until then the others keep their smaller shares (the safe
 * side).
 *
 * <p>A limit learned from the target's rate-limit headers is split by the same count: the headers state one quota
 * for the whole job, and each process reads {@link #processes()} at every answer to pace its share of what is left
 * ({@code QuotaPace}, the tokens' {@code TokenFeedback}). A job with no stated limit keeps a counting share only
 * ({@link #counting}): the one heartbeat of the process.
 *
 * <p>Concurrency: {@code pace} and {@code processes} are guarded by {@code this}; the heartbeat runs on its own
 * virtual thread and {@link #setPace} on the callers' threads, and both apply the product under the lock, so
 * the limiter always ends with the latest pace over the latest count. Across processes, invariant: every sending
 * process's count is at least the number of processes sending, so their shares sum to at most the whole (a joiner
 * sends only after one and a half periods, when every process already running counted it; a leaver stops sending
 * before it leaves the store, and the others take its share at their next beat). A learned pace reads the count at each
 * answer, so it follows a change one answer after the beat that saw it (within a round trip and one interval of its
 * pace); the quota a leaver left unspent in the window is spent by the others, since the headers' remaining is the
 * job's.
 */
final class RateShare implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RateShare.class);
  static final Duration PERIOD = Duration.ofSeconds(2);
  private static final int MISSED_BEATS = 5;

  private final JobStore store;
  private final String jobId;
  private final String processId;
  /** the limiter paced at this process's share of {@code pace}; null for a share that only counts */
  private final RateLimiter limiter;
  private final Duration period;
  private final WallClock clock;
  private final Sleeper sleeper;
  /** @GuardedBy("this") the pace this process would keep alone */
  private double pace;
  /** @GuardedBy("this") live processes of the job, this one included */
  private int processes = 1;
  /** @GuardedBy("this") the most processes seen at once */
  private int peakProcesses = 1;
  private volatile boolean closed;
  /**
   * Held while a beat, a leave or a return runs, so no beat of the loop lands after a leave (which would count this
   * process again while it sends nothing). Taken before {@code this}.
   */
  private final Object membership = new Object();
  /** @GuardedBy("membership") true while the process sends nothing and is out of the count ({@link #leaveForNow}) */
  private boolean away;
  private Thread beats;

  RateShare(JobStore store, String jobId, String processId, RateLimiter limiter, double pace, Duration period,
      WallClock clock, Sleeper sleeper) {
    this.store = store;
    this.jobId = jobId;
    this.processId = processId;
    this.limiter = limiter;
    this.pace = pace;
    this.period = period;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * A share that only counts the job's processes (for the paces learned from rate-limit headers, which read
   * {@link #processes()}): no limiter is set.
   */
  static RateShare counting(JobStore store, String jobId, String processId, Duration period, WallClock clock,
      Sleeper sleeper) {
    return new RateShare(store, jobId, processId, null, 0, period, clock, sleeper);
  }

  /**
   * Writes the first heartbeat, waits {@link #joinWait()} when other processes run the job, then keeps beating on a
   * virtual thread until {@link #close()}.
   */
  RateShare start() throws InterruptedException {
    if (beat() > 1) sleeper.sleepNanos(joinWait().toNanos());
    beats = Thread.ofVirtual().name("ferry-heartbeat").start(this::loop);
    return this;
  }

  /**
   * How long a process that joins a running job waits before its first request: one period, in which every process
   * already running beats and counts it, and half a period more for a beat its host delayed (a late count would let
   * the joiner's share and the others' whole paces overlap).
   */
  Duration joinWait() {
    return period.plus(period.dividedBy(2));
  }

  private void loop() {
    try {
      while (!closed) {
        sleeper.sleepNanos(period.toNanos());
        synchronized (membership) {
          if (!closed && !away) beat();
        }
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  /** One heartbeat: counts the live processes and applies this process's share. Returns the count. */
  int beat() {
    int n;
    try {
      n = Math.max(1, store.heartbeat(jobId, processId, period.multipliedBy(MISSED_BEATS), clock.millis()));
    } catch (StoreException e) {
      LOG.warn("heartbeat of job {} failed; keeping the current share: {}", jobId, e.getMessage());
      return processes();
    }
    synchronized (this) {
      if (n != processes) {
        processes = n;
        peakProcesses = Math.max(peakProcesses, n);
        apply();
      }
      return n;
    }
  }

  /** The pace this process would keep alone (the known-rate trim's); paced at its share of it. */
  synchronized void setPace(double newPace) {
    pace = newPace;
    apply();
  }

  /** @GuardedBy("this") */
  private void apply() {
    if (limiter != null && pace > 0 && !Double.isInfinite(pace)) limiter.setRate(pace / processes);
  }

  synchronized int processes() {
    return processes;
  }

  synchronized int peakProcesses() {
    return peakProcesses;
  }

  /**
   * Leaves the job's count while this process sends nothing (every worker waits for chunks other processes hold): the
   * others take its share at their next beat. {@link #comeBack} before it sends again.
   */
  void leaveForNow() {
    synchronized (membership) {
      if (away || closed) return;
      away = true;
      leave();
    }
  }

  /**
   * Counts this process in again after {@link #leaveForNow} and returns the count; when it is above 1, the caller waits
   * {@link #joinWait()} before sending, as a joiner does, so every other process has counted it by then.
   */
  int comeBack() {
    synchronized (membership) {
      if (!away) return processes();
      away = false;
      return beat();
    }
  }

  /** Stops beating and leaves the job, so the others take this process's share at their next beat. */
  @Override
  public void close() {
    closed = true;
    if (beats != null) {
      beats.interrupt();
      try {
        beats.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    leave();
  }

  private void leave() {
    try {
      store.leave(jobId, processId);
    } catch (StoreException e) {
      LOG.warn("could not leave job {} (the others count this process until its heartbeat expires): {}", jobId,
          e.getMessage());
    }
  }
}
