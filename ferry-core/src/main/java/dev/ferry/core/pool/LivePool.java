package dev.ferry.core.pool;

import dev.ferry.core.exec.Admission;
import dev.ferry.core.exec.RatePermits;
import dev.ferry.core.exec.TaskExecutor;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.metrics.TaskOutcome;
import dev.ferry.core.metrics.TaskTally;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded pool of virtual threads for I/O-bound tasks in a service: the engine's {@link TaskExecutor} fed by
 * {@code submit}. At most {@code concurrency} tasks run at once (or as many as a shared {@link Admission} allows,
 * e.g. the adaptive limit of a bulk job), up to {@code queueCapacity} more wait in a FIFO queue, and an
 * {@link Overflow} policy decides what a submit does when both are full. Each task may pass a shared
 * {@link RateLimiter} before it starts (a permit its first HTTP attempt through the same limiter then uses, see
 * {@link RatePermits}: a task is never charged on top of its attempts) and runs under a timeout;
 * {@link #metrics()} gives an immutable snapshot of what happened, and a {@link MetricsRecorder} given to the
 * builder is told about every task as it happens (submitted, queue wait, how it ended) and reads the running and
 * queued tasks as gauges.
 *
 * <pre>{@code
 * LivePool pool = LivePool.builder().name("webhooks").concurrency(8).queueCapacity(200)
 *     .overflow(Overflow.BLOCK).taskTimeout(Duration.ofSeconds(30)).build();
 * CompletableFuture<String> id = pool.submit(() -> client.createUser(user));
 * }</pre>
 *
 * <p>Shutdown: {@link #shutdown()} stops accepting and lets everything queued run; {@link #shutdownNow()}
 * hands back the queued tasks (their futures are cancelled) and interrupts the running ones. Every submitted
 * task is run, rejected at submit, or handed back: none is dropped.
 *
 * <p>This class is threadsafe.
 */
public final class LivePool implements AutoCloseable {
  /* Concurrency: one ReentrantLock guards the queue, the counts, the state, the dispatcher and the counters, so a
   * metrics snapshot is consistent. A task runs only with a permit of `admission` (the executor's), taken by
   * submit (tryAcquire, only when nothing is queued: FIFO) or by the dispatcher for the queue's head. Lock order:
   * pool lock, then the admission's own (never the reverse). Invariants, under `lock`:
   *   - admitted = permits the pool's tasks hold (counted under the lock when taken, counted down after each is
   *     given back);
   *     running <= admitted (running drops just before its permit goes back); queue.size() <= queueCapacity;
   *     a task is in at most one of queue / active.
   *   - a queued task exists only while `dispatcher` runs: one virtual thread that waits for a permit for the
   *     queue's head, polls it under the lock and starts it, and ends when it started the last one (or, after
   *     shutdownNow, giving back the permit it took). With a fixed admission of its own this is the old rule (a
   *     task queues only while every permit is taken); with a shared one, a permit freed by anyone (or a grown
   *     limit) starts the head.
   *   - a submitter blocked under BLOCK is woken, never polls: with a queue, by `notFull` (signalled when the
   *     dispatcher takes the head, a permit comes back, a caller-run ends, or on shutdown); in a hand-off pool
   *     (capacity 0) it waits in admission.acquire() with the lock let go (counted in blockedSubmitters, listed in
   *     permitWaiters), so a permit freed by anyone sharing the admission, or a grown limit, wakes it; it re-takes
   *     the lock before counting the permit in `admitted`, and shutdown interrupts it (a permit it got is given back).
   *   - state only moves OPEN -> SHUTDOWN -> STOPPED (or OPEN -> STOPPED); once not OPEN nothing is queued
   *     or started by submit; STOPPED also empties the queue (handed back) and interrupts the dispatcher.
   *   - terminated (not OPEN, no permit held, no caller-run task, empty queue, no dispatcher) is final; `idle`
   *     is signalled when it is reached.
   * Each task runs on its own new virtual thread, started outside the lock, so an interrupt aimed at one task can
   * never reach another. Caller-run tasks (CALLER_RUNS) take no permit: they are counted in callerRuns.
   * The pool's counters are a TaskTally (the SPI's recording implementation), told under the lock so that a snapshot
   * is consistent; the builder's recorder is told the same events outside the lock, except for rejections (reject()
   * runs under it; the SPI asks recorders to be quick and non-blocking). The executor reports its tasks to the
   * builder's recorder. */
  private final String name;
  private final Admission admission;
  private final TaskExecutor executor;
  private final int queueCapacity;
  private final Overflow overflow;
  private final long taskTimeoutNanos;
  private final RateLimiter rateLimiter;
  private final Sleeper sleeper;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final SerialSection serialSection;
  private final MetricsRecorder recorder;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final Condition idle = lock.newCondition();
  /** @GuardedBy("lock") */
  private final ArrayDeque<PoolTask<?>> queue = new ArrayDeque<>();
  /** Tasks running now, for shutdownNow's interrupts. @GuardedBy("lock") */
  private final Set<PoolTask<?>> active = new HashSet<>();
  /** @GuardedBy("lock") */
  private State state = State.OPEN;
  /** Permits of the admission the pool's tasks hold (from taking one until it is back). @GuardedBy("lock") */
  private int admitted;
  /** Tasks started on pool threads and not yet ended. @GuardedBy("lock") */
  private int running;
  /** Waits for permits for the queue's head while the queue is not empty; null otherwise. @GuardedBy("lock") */
  private Thread dispatcher;
  /** @GuardedBy("lock") */
  private int callerRuns;
  /** Submitters waiting for room under BLOCK. @GuardedBy("lock") */
  private int blockedSubmitters;
  /** Submitters of a hand-off pool waiting on the admission for a permit, the lock let go (shutdown interrupts
   * them). @GuardedBy("lock") */
  private final Set<Thread> permitWaiters = new HashSet<>();
  /** What happened to the pool's tasks: told under the lock (see above); its own counters are threadsafe. */
  private final TaskTally tally = new TaskTally();
  /** @GuardedBy("lock") */
  private int peakQueued;

  private LivePool(Builder b) {
    this.name = b.name;
    this.admission = b.admission != null ? b.admission : Admission.fixed(b.concurrency);
    this.executor = TaskExecutor.virtual("ferry-pool-" + name + "-", admission).reporting(name, b.recorder, b.ticker);
    this.queueCapacity = b.queueCapacity;
    this.overflow = b.overflow;
    this.taskTimeoutNanos = b.taskTimeout.toNanos();
    this.rateLimiter = b.rateLimiter;
    this.sleeper = b.sleeper;
    this.ticker = b.ticker;
    this.scheduler = b.scheduler;
    this.serialSection = new SerialSection(ticker);
    this.recorder = b.recorder;
  }

  /** A builder with the defaults: concurrency 8, queue capacity 1024, BLOCK, no timeout, no rate limit. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Submits a task under the pool's default timeout. See {@link #submit(Callable, Duration)}.
   *
   * @throws PoolRejectedException if the pool refused the task
   * @throws NullPointerException if {@code task} is null
   */
  public <T> CompletableFuture<T> submit(Callable<T> task) {
    return submit(task, Duration.ofNanos(taskTimeoutNanos));
  }

  /**
   * Submits a task that must finish within {@code timeout} of starting ({@link Duration#ZERO}: no timeout).
   * The returned future completes with the task's value, or exceptionally with what it threw, with {@link
   * TaskTimeoutException} (and the task is interrupted) or, if it was handed back by {@link #shutdownNow()},
   * with a {@link java.util.concurrent.CancellationException}. Cancelling the future of a queued task keeps
   * it from running; cancelling a running task's future does not interrupt it.
   *
   * <p>When every slot is busy and the queue is full, the {@link Overflow} policy applies: under BLOCK this
   * call waits for room; under CALLER_RUNS it runs the task before returning (the future is then done).
   *
   * @throws PoolRejectedException if the queue is full under REJECT, the pool is shut down, or the
   *     submitter was interrupted while blocked (its interrupt flag is restored)
   * @throws NullPointerException if {@code task} or {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public <T> CompletableFuture<T> submit(Callable<T> task, Duration timeout) {
    Objects.requireNonNull(task, "task cannot be null");
    Objects.requireNonNull(timeout, "timeout cannot be null");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    PoolTask<T> start;
    recorder.taskSubmitted(name);
    lock.lock();
    try {
      tally.taskSubmitted(name);
      while (true) {
        if (state != State.OPEN) throw reject("it is shut down", null);
        if (queue.isEmpty() && admission.tryAcquire()) {
          admitted++;
          running++;
          start = new PoolTask<>(this, task, timeout.toNanos(), false);
          active.add(start);
          break;
        }
        if (queue.size() < queueCapacity) {
          PoolTask<T> queued = new PoolTask<>(this, task, timeout.toNanos(), false);
          queued.queuedAt = ticker.read();
          queue.add(queued);
          peakQueued = Math.max(peakQueued, queue.size());
          if (dispatcher == null) startDispatcher();
          return queued.future;
        }
        if (overflow == Overflow.REJECT) throw reject("its queue is full", null);
        if (overflow == Overflow.CALLER_RUNS) {
          callerRuns++;
          start = new PoolTask<>(this, task, timeout.toNanos(), true);
          active.add(start);
          break;
        }
        if (queueCapacity == 0) { // a hand-off pool: only a permit makes room, so wait for one on the admission
          if (awaitPermit()) {
            admitted++;
            running++;
            start = new PoolTask<>(this, task, timeout.toNanos(), false);
            active.add(start);
            break;
          }
          continue;
        }
        awaitRoom();
      }
    } finally {
      lock.unlock();
    }
    if (start.callerRuns) {
      runCallerRun(start);
    } else {
      launch(start);
    }
    return start.future;
  }

  /**
   * Waits for room in a pool with a queue: the dispatcher signals {@code notFull} when it takes the head (it waits on
   * the admission itself, so a permit freed anywhere, or a grown limit, moves it), a returned permit and a shutdown
   * signal it too. @GuardedBy("lock")
   */
  private void awaitRoom() {
    blockedSubmitters++;
    try {
      notFull.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw reject("the submitter was interrupted while waiting for room", e);
    } finally {
      blockedSubmitters--;
    }
  }

  /**
   * A hand-off pool's submitter (queue capacity 0) waits for a permit on the admission itself, the pool's lock let go
   * meanwhile: the admission wakes it when a permit comes back, whoever held it (a shared admission's other users
   * included), or when an adaptive limit grows; nothing polls. A shutdown interrupts it.
   *
   * @return true holding a permit for its task (the pool open); false to look again (the pool shut: the loop rejects)
   * @throws PoolRejectedException when the submitter was interrupted by someone else (its flag restored)
   * @GuardedBy("lock") (held on entry and on return)
   */
  private boolean awaitPermit() {
    Thread me = Thread.currentThread();
    blockedSubmitters++;
    permitWaiters.add(me);
    boolean permit = false;
    InterruptedException interrupted = null;
    lock.unlock();
    try {
      admission.acquire();
      permit = true;
    } catch (InterruptedException e) {
      interrupted = e;
    } finally {
      lock.lock();
      permitWaiters.remove(me);
      blockedSubmitters--;
    }
    if (state != State.OPEN) {
      Thread.interrupted(); // the shutdown's interrupt, if it came after the permit: not the caller's
      if (permit) admission.release();
      return false;
    }
    if (interrupted != null) {
      me.interrupt();
      throw reject("the submitter was interrupted while waiting for room", interrupted);
    }
    return true;
  }

  /** @GuardedBy("lock") */
  private PoolRejectedException reject(String why, Throwable cause) {
    tally.taskSettled(name, TaskOutcome.REJECTED);
    recorder.taskSettled(name, TaskOutcome.REJECTED);
    return new PoolRejectedException(name, why, queueCapacity, queue.size(), running + callerRuns, cause);
  }

  /** Starts an admitted task (its permit counted in {@code admitted}) on the executor. */
  private void launch(PoolTask<?> task) {
    try {
      executor.startAdmitted(() -> runTask(task), this::permitReturned);
    } catch (RuntimeException | Error e) {
      // the thread could not start and the executor gave the permit back: the task never ran
      lock.lock();
      try {
        active.remove(task);
        running--;
      } finally {
        lock.unlock();
      }
      permitReturned();
      if (task.future.completeExceptionally(e)) record(TaskOutcome.FAILED);
      throw e;
    }
  }

  /** On the task's thread: runs it, then counts it ended (before the executor gives its permit back). */
  private void runTask(PoolTask<?> task) {
    try {
      task.run();
    } finally {
      lock.lock();
      try {
        active.remove(task);
        running--;
      } finally {
        lock.unlock();
      }
    }
  }

  /** After a permit of the pool went back to the admission: room for a blocked submitter, maybe termination. */
  private void permitReturned() {
    lock.lock();
    try {
      admitted--;
      notFull.signal();
      if (isTerminatedLocked()) idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The dispatcher: while the queue holds tasks, waits for a permit and starts the queue's head with it. Ends once it
   * started the last queued task, or when {@link #shutdownNow()} interrupts it (giving back a permit it took for a
   * queue that was emptied meanwhile). It never holds a permit while the queue is empty but for that moment, and the
   * pool is not terminated while it runs.
   */
  private void dispatch() {
    while (true) {
      boolean permit = false;
      try {
        admission.acquire();
        permit = true;
      } catch (InterruptedException e) {
        // shutdownNow: the queue was handed back
      }
      PoolTask<?> next;
      long waited;
      boolean last;
      lock.lock();
      try {
        next = permit ? queue.poll() : null;
        if (next == null) {
          if (permit) admission.release();
          dispatcher = null;
          if (!queue.isEmpty() && state != State.STOPPED) startDispatcher(); // interrupted by someone else
          if (isTerminatedLocked()) idle.signalAll();
          return;
        }
        admitted++;
        running++;
        waited = ticker.read() - next.queuedAt;
        tally.recordQueueWaitNanos(name, waited);
        active.add(next);
        notFull.signal();
        last = queue.isEmpty();
        if (last) dispatcher = null; // a task queued from now on starts a new dispatcher
      } finally {
        lock.unlock();
      }
      recorder.recordQueueWaitNanos(name, waited);
      try {
        launch(next);
      } catch (RuntimeException | Error e) {
        // the task's future carries the failure; go on with the queue
      }
      if (last) return;
    }
  }

  /** @GuardedBy("lock") */
  private void startDispatcher() {
    dispatcher = Thread.ofVirtual().name("ferry-pool-" + name + "-dispatch").start(this::dispatch);
  }

  private void runCallerRun(PoolTask<?> task) {
    try {
      task.run();
    } finally {
      lock.lock();
      try {
        active.remove(task);
        callerRuns--;
        notFull.signal();
        if (isTerminatedLocked()) idle.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Stops accepting tasks (submits throw {@link PoolRejectedException}, blocked submitters too) and lets
   * every queued task run. Returns at once; see {@link #awaitTermination}. Idempotent.
   */
  public void shutdown() {
    lock.lock();
    try {
      if (state == State.OPEN) state = State.SHUTDOWN;
      notFull.signalAll();
      permitWaiters.forEach(Thread::interrupt);
      if (isTerminatedLocked()) idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting tasks, takes every queued task out of the queue and hands it back (its future is
   * cancelled, it is counted as handed back), and interrupts the running tasks. Returns at once.
   *
   * @return the tasks that were queued and will not run, in queue order
   */
  public List<Callable<?>> shutdownNow() {
    List<PoolTask<?>> drained;
    List<PoolTask<?>> running;
    lock.lock();
    try {
      state = State.STOPPED;
      drained = new ArrayList<>(queue);
      queue.clear();
      for (int i = 0; i < drained.size(); i++) tally.taskSettled(name, TaskOutcome.HANDED_BACK);
      running = new ArrayList<>(active);
      if (dispatcher != null) dispatcher.interrupt(); // nothing left to wait for a permit for
      notFull.signalAll();
      permitWaiters.forEach(Thread::interrupt);
      if (isTerminatedLocked()) idle.signalAll();
    } finally {
      lock.unlock();
    }
    List<Callable<?>> back = new ArrayList<>(drained.size());
    for (PoolTask<?> t : drained) {
      recorder.taskSettled(name, TaskOutcome.HANDED_BACK);
      t.future.cancel(false);
      back.add(t.callable);
    }
    for (PoolTask<?> t : running) t.interrupt();
    return back;
  }

  /**
   * Waits until the pool is terminated: shut down, with nothing running or queued.
   *
   * @return true if terminated, false if {@code timeout} passed first
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!isTerminatedLocked()) {
        if (nanos <= 0) return false;
        nanos = idle.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** True once the pool is shut down and nothing runs or waits any more. */
  public boolean isTerminated() {
    lock.lock();
    try {
      return isTerminatedLocked();
    } finally {
      lock.unlock();
    }
  }

  /** @GuardedBy("lock") */
  private boolean isTerminatedLocked() {
    return state != State.OPEN && admitted == 0 && callerRuns == 0 && queue.isEmpty() && dispatcher == null;
  }

  /** {@link #shutdown()}, then waits for termination; an interrupt makes it {@link #shutdownNow()}. */
  @Override
  public void close() {
    shutdown();
    try {
      while (!awaitTermination(Duration.ofDays(1))) {
        // keep waiting: close() promises the queued tasks ran
      }
    } catch (InterruptedException e) {
      shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The pool's one serial section; its wait and hold times are part of {@link #metrics()}. */
  public SerialSection serialSection() {
    return serialSection;
  }

  /** A consistent snapshot of the pool's counters. */
  public PoolMetrics metrics() {
    lock.lock();
    try {
      return new PoolMetrics(name, tally.submitted(), tally.settled(TaskOutcome.COMPLETED),
          tally.settled(TaskOutcome.FAILED), tally.settled(TaskOutcome.REJECTED), tally.settled(TaskOutcome.TIMED_OUT),
          tally.settled(TaskOutcome.CANCELLED), tally.settled(TaskOutcome.HANDED_BACK), running + callerRuns,
          queue.size(), peakQueued, Duration.ofNanos(tally.queueWaitNanos()),
          Duration.ofNanos(tally.queueWaitMaxNanos()), serialSection.passes(), Duration.ofNanos(serialSection.waitNanos()),
          Duration.ofNanos(serialSection.holdNanos()));
    } finally {
      lock.unlock();
    }
  }

  /** The pool's name (in thread names, exceptions and metrics). */
  public String name() {
    return name;
  }

  /** The most tasks that run at once on pool threads now (a shared adaptive admission's limit moves). */
  public int concurrency() {
    return admission.limit();
  }

  /** The most tasks that wait in the queue. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** The policy when slots and queue are full. */
  public Overflow overflow() {
    return overflow;
  }

  /** The default task timeout ({@link Duration#ZERO}: none). */
  public Duration taskTimeout() {
    return Duration.ofNanos(taskTimeoutNanos);
  }

  @Override
  public String toString() {
    return "LivePool[" + name + ", concurrency=" + admission.limit() + ", queueCapacity=" + queueCapacity
        + ", overflow=" + overflow + "]";
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Ticker ticker() {
    return ticker;
  }

  /** Submitters blocked for room now (for tests that sequence threads). */
  int blockedSubmitters() {
    lock.lock();
    try {
      return blockedSubmitters;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the task's permit of the shared rate limiter, if any, as a prepaid permit its first HTTP attempt through
   * the same limiter uses ({@link RatePermits}). @throws InterruptedException if interrupted while waiting
   */
  Object passRateLimiter() throws InterruptedException {
    return rateLimiter == null ? null : RatePermits.prepay(rateLimiter, sleeper, ticker);
  }

  /** The task on this thread ended: forgets a prepaid permit it did not use. */
  void leaveRateLimiter(Object prepaid) {
    if (prepaid != null) RatePermits.clear(prepaid);
  }

  /** Counts how a task that ran (or was cancelled) ended: completed, failed, timed out or cancelled. */
  void record(TaskOutcome outcome) {
    if (outcome == TaskOutcome.REJECTED || outcome == TaskOutcome.HANDED_BACK) {
      throw new IllegalArgumentException("counted by the pool itself: " + outcome);
    }
    lock.lock();
    try {
      tally.taskSettled(name, outcome);
    } finally {
      lock.unlock();
    }
    recorder.taskSettled(name, outcome);
  }

  /** The pool's lifecycle; it only moves down this list. */
  private enum State {
    /** Accepting tasks. */
    OPEN,
    /** Not accepting; queued tasks still run. */
    SHUTDOWN,
    /** Not accepting; the queue was handed back and running tasks interrupted. */
    STOPPED
  }

  /** Builder; not threadsafe. Every setter checks its argument; {@link #build()} copies the settings. */
  public static final class Builder {
    private String name = "live-pool";
    private int concurrency = 8;
    private int queueCapacity = 1024;
    private Overflow overflow = Overflow.BLOCK;
    private Duration taskTimeout = Duration.ZERO;
    private RateLimiter rateLimiter;
    private Sleeper sleeper = Sleeper.system();
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler = Scheduler.system();
    private MetricsRecorder recorder = MetricsRecorder.none();
    private Admission admission;

    Builder() {}

    /** The pool's name, for thread names, exceptions and metrics. @throws IllegalArgumentException if blank */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name cannot be null");
      if (name.isBlank()) throw new IllegalArgumentException("name must not be blank");
      this.name = name;
      return this;
    }

    /**
     * The most tasks that run at once (a fixed admission of the pool's own; an {@link #admission} given replaces it).
     * @throws IllegalArgumentException if below 1
     */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Admits tasks through {@code admission} instead of a fixed {@link #concurrency}: say
     * {@code Admission.adaptive(limiter)} with the {@link dev.ferry.core.limit.ConcurrencyLimiter} a bulk job runs
     * under, so the pool's tasks and the job's rows share one adaptive limit. Its permits may be taken outside the
     * pool; a queued task starts as soon as one is free.
     */
    public Builder admission(Admission admission) {
      this.admission = Objects.requireNonNull(admission, "admission cannot be null");
      return this;
    }

    /** The most tasks that wait for a slot (0: none wait). @throws IllegalArgumentException if negative */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 0) throw new IllegalArgumentException("queueCapacity must be >= 0, was " + queueCapacity);
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** What a submit does when slots and queue are full. */
    public Builder overflow(Overflow overflow) {
      this.overflow = Objects.requireNonNull(overflow, "overflow cannot be null");
      return this;
    }

    /**
     * The default timeout of a task, counted from its start (after the rate limiter); {@link Duration#ZERO}
     * for none. @throws IllegalArgumentException if negative
     */
    public Builder taskTimeout(Duration taskTimeout) {
      Objects.requireNonNull(taskTimeout, "taskTimeout cannot be null");
      if (taskTimeout.isNegative()) throw new IllegalArgumentException("taskTimeout must not be negative");
      this.taskTimeout = taskTimeout;
      return this;
    }

    /** A limiter every task passes before it starts (shared with other pools or HTTP targets if you like). */
    public Builder rateLimiter(RateLimiter rateLimiter) {
      this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter cannot be null");
      return this;
    }

    /** How waits for the rate limiter sleep (tests: virtual time). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper cannot be null");
      return this;
    }

    /** The clock for queue-wait and serial-section times (tests: virtual time). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
      return this;
    }

    /** Where task timeouts and batch waits are scheduled (tests: virtual time). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler cannot be null");
      return this;
    }

    /** Told about every task as it happens, and given the running and queued tasks as gauges (default: none). */
    public Builder metrics(MetricsRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder cannot be null");
      return this;
    }

    public LivePool build() {
      LivePool pool = new LivePool(this);
      recorder.gauge(Gauge.POOL_TASKS_RUNNING, pool.name, () -> pool.metrics().running());
      recorder.gauge(Gauge.POOL_TASKS_QUEUED, pool.name, () -> pool.metrics().queued());
      return pool;
    }
  }
}
