package dev.ferry.core.limit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Enforces a concurrency limit computed by a {@link Limit}: a semaphore whose size the algorithm changes as
 * samples arrive. One instance is shared by a whole job, so the limit bounds rows in flight across all
 * workers; samples may come from anywhere (for HTTP, from every attempt).
 *
 * <p>A permit is taken with {@link #acquire()} (blocking) or {@link #tryAcquire()} and returned with
 * {@link #release()}; samples go to {@link #onSample}, which passes the current in-flight count to the
 * algorithm. When the limit shrinks below the permits already out, nobody is interrupted: new acquisitions
 * wait until enough permits came back.
 *
 * <p><b>Rows, not calls.</b> A permit is one row (an item of {@code ferry serve}), whether the row's call carries it
 * alone or in a batch: a batch call holds as many permits as rows. So the answer of a call that carried N rows is N
 * samples of its latency ({@link Source#onSample}; {@link Limit#onSample(long, long, int, boolean, int)}), and a
 * batched job's limit moves per round trip as an unbatched one's does.
 *
 * <p><b>Sources.</b> Built with {@link #perSource}, every {@link #source} (a spec's target) has an algorithm of its
 * own, fed only with that source's samples and in-flight count: its own no-load latency and windows, so a slow
 * target's queueing is not averaged away by a fast target's answers, nor a fast target's limit held down by a slow
 * one's latency. The limit is then the sum of the sources that have answered (the rows in flight of a pipeline of
 * calls are those at each of its targets: Little's law per target), each counting its own limit but, when several
 * have answered, at most twice the rows it had in flight lately (a target that is not the bottleneck has few rows
 * in flight whatever its limit says, and lends the bottleneck no slack to flood it with); the sum is at most the
 * given maximum. Before any source answered, the limit is the first algorithm's. Built with {@link #of}, every
 * source feeds the one algorithm, as before sources existed.
 *
 * <p>This class is threadsafe.
 */
public final class ConcurrencyLimiter {
  /*
   * Concurrency: the algorithms, `sources`, `inflight` and the peaks are guarded by `lock`; `limit` is written under
   * it and volatile so limit() reads without locking. Invariants: limit == combined() after every sample (one
   * algorithm: its limit; per source: the sum of the answered sources' shares, within [1, maxLimit]; one answered
   * source: its limit), and each algorithm only ever sees its own source's samples; an answer of N rows is N samples
   * (one for a drop); inflight >= 0; acquire() increments
   * inflight only while inflight < limit, so inflight exceeds the limit only right after the limit shrank,
   * and then no permit is granted until enough came back. Waiters (at most one per open chunk) are woken
   * with signalAll whenever a permit returns or the limit grows, and re-check the condition under the lock.
   */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** The one algorithm ({@link #of}), or the first one made ({@link #perSource}). @GuardedBy("lock") */
  private final Limit algorithm;
  /** Makes each source's algorithm; null when every source feeds {@link #algorithm}. */
  private final Supplier<? extends Limit> algorithms;
  /** The highest sum of the sources' limits. */
  private final int maxLimit;
  /** The sources by name, in the order they were made. @GuardedBy("lock") */
  private final Map<String, Source> sources = new LinkedHashMap<>();
  /** The source of samples given without one ({@link #onSample(long, long, int, boolean)}); made at the first. */
  private Source unnamed;
  /** Written under {@code lock}. */
  private volatile int limit;
  /** @GuardedBy("lock") */
  private int inflight;
  /** @GuardedBy("lock") */
  private int peakLimit;
  /** @GuardedBy("lock") */
  private int lowLimit;

  private ConcurrencyLimiter(Limit algorithm, Supplier<? extends Limit> algorithms, int maxLimit) {
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm cannot be null");
    this.algorithms = algorithms;
    this.maxLimit = maxLimit;
    this.limit = Math.max(1, Math.min(maxLimit, algorithm.limit()));
    this.peakLimit = limit;
    this.lowLimit = limit;
  }

  /** A limiter enforcing what {@code algorithm} computes, from every source's samples. @throws NullPointerException if null */
  public static ConcurrencyLimiter of(Limit algorithm) {
    return new ConcurrencyLimiter(algorithm, null, Integer.MAX_VALUE);
  }

  /**
   * A limiter whose every source has an algorithm of its own, made by {@code algorithms} (see the class comment): the
   * limit is the sum of the answered sources' limits, at most {@code maxLimit}.
   *
   * @throws IllegalArgumentException if maxLimit is below 1
   */
  public static ConcurrencyLimiter perSource(Supplier<? extends Limit> algorithms, int maxLimit) {
    if (maxLimit < 1) throw new IllegalArgumentException("maxLimit must be >= 1");
    Objects.requireNonNull(algorithms, "algorithms cannot be null");
    return new ConcurrencyLimiter(algorithms.get(), algorithms, maxLimit);
  }

  /**
   * The source named {@code name} (made at the first call: a spec's target, say), whose samples feed its own
   * algorithm when the limiter was built {@link #perSource}, else the one algorithm.
   */
  public Source source(String name) {
    Objects.requireNonNull(name, "name cannot be null");
    lock.lock();
    try {
      return sources.computeIfAbsent(name, n -> new Source(n,
          algorithms == null || sources.isEmpty() ? algorithm : algorithms.get()));
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a permit. @throws InterruptedException if interrupted while waiting */
  public void acquire() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (inflight >= limit) changed.await();
      inflight++;
    } finally {
      lock.unlock();
    }
  }

  /** Waits at most {@code timeout} for a permit; false when none came. @throws InterruptedException */
  public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (inflight >= limit) {
        if (nanos <= 0) return false;
        nanos = changed.awaitNanos(nanos);
      }
      inflight++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Takes a permit only if one is free now. */
  public boolean tryAcquire() {
    lock.lock();
    try {
      if (inflight >= limit) return false;
      inflight++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Returns a permit. @throws IllegalStateException if none is out */
  public void release() {
    lock.lock();
    try {
      if (inflight == 0) throw new IllegalStateException("release() without a permit");
      inflight--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Feeds one sample to the algorithm (see {@link Limit#onSample}) with the permits out now as the in-flight
   * count, and applies the limit it returns.
   */
  public void onSample(long startNanos, long rttNanos, boolean dropped) {
    onSample(startNanos, rttNanos, -1, dropped);
  }

  /**
   * Feeds one sample with an in-flight count measured elsewhere (say, requests actually sent, when permit
   * holders also wait for a rate limiter), or the permits out now when {@code inflight} is negative.
   */
  public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    Source s;
    lock.lock();
    try {
      if (unnamed == null) unnamed = source("");
      s = unnamed;
    } finally {
      lock.unlock();
    }
    s.onSample(startNanos, rttNanos, inflight, dropped, 1);
  }

  /** The limit the algorithms say now (see the invariant). @GuardedBy("lock") */
  private int combined() {
    if (algorithms == null) return Math.max(1, algorithm.limit());
    long sum = 0;
    int answered = 0;
    Source only = null;
    for (Source s : sources.values()) {
      if (!s.answered) continue;
      answered++;
      only = s;
      sum += s.share();
    }
    if (answered == 0) sum = algorithm.limit();
    if (answered == 1) sum = only.algorithm.limit();
    return (int) Math.max(1, Math.min(maxLimit, sum));
  }

  /** @GuardedBy("lock") */
  private void apply(int next) {
    if (next == limit) return;
    boolean grew = next > limit;
    limit = next;
    peakLimit = Math.max(peakLimit, next);
    lowLimit = Math.min(lowLimit, next);
    if (grew) changed.signalAll();
  }

  /** The current limit. */
  public int limit() {
    return limit;
  }

  /** Permits out now. */
  public int inflight() {
    lock.lock();
    try {
      return inflight;
    } finally {
      lock.unlock();
    }
  }

  /** Highest limit so far. */
  public int peakLimit() {
    lock.lock();
    try {
      return peakLimit;
    } finally {
      lock.unlock();
    }
  }

  /** Lowest limit so far. */
  public int lowestLimit() {
    lock.lock();
    try {
      return lowLimit;
    } finally {
      lock.unlock();
    }
  }

  /** The algorithm's own description (phase, baseline; each source's, named, when they have their own), for logs. */
  public String describe() {
    lock.lock();
    try {
      if (algorithms == null || sources.size() <= 1) return algorithm.toString();
      StringBuilder b = new StringBuilder();
      for (Source s : sources.values()) {
        if (!b.isEmpty()) b.append(", ");
        b.append(s.name.isEmpty() ? "(unnamed)" : s.name).append(' ').append(s.algorithm);
      }
      return b.toString();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Where one source's samples go ({@link #source}). Threadsafe: it updates the limiter under its lock.
   */
  public final class Source {
    private final String name;
    /** @GuardedBy("lock") */
    private final Limit algorithm;
    /** True once it took a sample: its limit counts in the sum from then on. @GuardedBy("lock") */
    private boolean answered;
    /** The highest load of the samples of the current period, and of the last one. @GuardedBy("lock") */
    private int peakLoad;
    private int lastPeakLoad;
    /** Rows answered in the current period (a period: at least its limit's worth of rows). @GuardedBy("lock") */
    private int periodRows;

    private Source(String name, Limit algorithm) {
      this.name = name;
      this.algorithm = algorithm;
    }

    /**
     * Feeds the answer of one call that carried {@code rows} rows to this source's algorithm ({@link
     * Limit#onSample(long, long, int, boolean, int)}: N samples of its latency, one drop), with {@code inflight}
     * as its load (the rows in this source's calls in flight, say; negative: the limiter's permits out now), and
     * applies the limit that results.
     */
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped, int rows) {
      lock.lock();
      try {
        int seen = inflight < 0 ? ConcurrencyLimiter.this.inflight : inflight;
        answered = true;
        algorithm.onSample(startNanos, rttNanos, seen, dropped, Math.max(1, rows));
        peakLoad = Math.max(peakLoad, seen);
        periodRows += Math.max(1, rows);
        if (periodRows >= Math.max(16, algorithm.limit())) {
          lastPeakLoad = peakLoad;
          peakLoad = 0;
          periodRows = 0;
        }
        apply(combined());
      } finally {
        lock.unlock();
      }
    }

    /**
     * What it adds to the sum beside other sources: its limit, but at most twice the most rows it had in flight
     * lately (in its last two periods of answers). A target that is not the bottleneck (a 5 ms upsert after an 8 s
     * embedding) has few rows in flight whatever its limit says: it lends the bottleneck no slack it does not use.
     * @GuardedBy("lock")
     */
    private int share() {
      return Math.min(algorithm.limit(), Math.max(1, 2 * Math.max(peakLoad, lastPeakLoad)));
    }

    /** This source's own limit now (the one algorithm's when the limiter has only one). */
    public int limit() {
      lock.lock();
      try {
        return Math.max(1, algorithm.limit());
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return "Source[" + name + "]";
    }
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[limit=" + limit + ", inflight=" + inflight() + "]";
  }
}
