package dev.ferry.core.exec;

import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.time.Ticker;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The one executor both fronts run on: a task is started only once its {@link Admission} gave it a permit, runs on a
 * virtual thread of its own, and gives the permit back when it ends. A bulk job's rows
 * ({@code core.engine.BulkJobRunner}), the live pool's tasks ({@code core.pool.LivePool}) and a recipe's pre-warm
 * all start here; rate permits are charged per HTTP attempt through {@link RatePermits}, never here.
 *
 * <p>An executor given a recorder ({@link #reporting}) tells the metrics SPI about every task it starts: {@link
 * MetricsRecorder#taskAdmitted} (with the time it waited for its permit) when it starts and {@link
 * MetricsRecorder#taskEnded} (with the time it ran) once its permit is back. The rows in flight of the progress bar,
 * bench and {@code ferry_rows_in_flight} are the tasks in flight of the {@link MetricsRecorder#ROWS} executor.
 *
 * <pre>{@code
 * TaskExecutor rows = TaskExecutor.virtual("ferry-row-", Admission.adaptive(limiter));
 * rows.execute(() -> process(row));       // waits for admission, then runs on its own virtual thread
 * }</pre>
 *
 * <p>This class is threadsafe.
 */
public final class TaskExecutor {
  /* Concurrency: every task started holds one permit of `admission`, taken before its thread is created (execute,
   * tryExecute; or by the caller, for startAdmitted) and given back in that thread's last finally, after the task's own
   * code (with a launcher, in the launched runnable's; a launcher that refuses a task before running it gets its permit
   * given back at once): so the admission's limit bounds the tasks running, and a permit never leaks, whatever the task
   * throws. A thread that cannot be started gives its permit back at once. The executor has no state of its own beyond
   * the admission (threadsafe), the thread factory (threadsafe) and the recorder (threadsafe, by the SPI). */
  private final Admission admission;
  /** Makes each task's thread, or null when {@code launcher} runs tasks. */
  private final ThreadFactory threads;
  private final Executor launcher;
  /** This executor's name in the recorder's events. */
  private final String name;
  /** Told about every task; {@link MetricsRecorder#none()} when nobody listens (no clock is then read). */
  private final MetricsRecorder recorder;
  private final Ticker ticker;

  /**
   * @param threads makes each task's thread (unstarted); a caller may register the thread there, e.g. to interrupt
   *                it later
   */
  public TaskExecutor(Admission admission, ThreadFactory threads) {
    this(admission, Objects.requireNonNull(threads, "threads cannot be null"), null, "tasks", MetricsRecorder.none(),
        Ticker.system());
  }

  private TaskExecutor(Admission admission, ThreadFactory threads, Executor launcher, String name,
      MetricsRecorder recorder, Ticker ticker) {
    this.admission = Objects.requireNonNull(admission, "admission cannot be null");
    this.threads = threads;
    this.launcher = launcher;
    this.name = Objects.requireNonNull(name, "name cannot be null");
    this.recorder = Objects.requireNonNull(recorder, "recorder cannot be null");
    this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
  }

  /**
   * Admitted tasks run through {@code launcher} instead of a thread of their own (tests: {@code Runnable::run}, in
   * place); the {@code Thread} results are then null.
   */
  public static TaskExecutor launching(Admission admission, Executor launcher) {
    return new TaskExecutor(admission, null, Objects.requireNonNull(launcher, "launcher cannot be null"), "tasks",
        MetricsRecorder.none(), Ticker.system());
  }

  /** Tasks on virtual threads named {@code prefix0}, {@code prefix1}... */
  public static TaskExecutor virtual(String prefix, Admission admission) {
    return new TaskExecutor(admission, Thread.ofVirtual().name(prefix, 0).factory());
  }

  /**
   * This executor (same admission, same threads) telling {@code recorder} about its tasks under {@code name}:
   * {@link MetricsRecorder#taskAdmitted} and {@link MetricsRecorder#taskEnded}, timed by the system ticker.
   */
  public TaskExecutor reporting(String name, MetricsRecorder recorder) {
    return reporting(name, recorder, Ticker.system());
  }

  /** As {@link #reporting(String, MetricsRecorder)}, timed by {@code ticker} (tests). */
  public TaskExecutor reporting(String name, MetricsRecorder recorder, Ticker ticker) {
    return new TaskExecutor(admission, threads, launcher, name, recorder, ticker);
  }

  /** The admission every task passes. */
  public Admission admission() {
    return admission;
  }

  /**
   * Waits for a permit, then starts {@code task} on its own thread.
   *
   * @return the task's thread, started
   * @throws InterruptedException if interrupted while waiting for the permit (none is then held)
   */
  public Thread execute(Runnable task) throws InterruptedException {
    return execute(task, null);
  }

  /**
   * As {@link #execute(Runnable)}; {@code ended} (if not null) runs on the task's thread once the permit is back,
   * as its last act: whoever waits for the task to end (a chunk's finisher) then also sees its permit returned.
   *
   * @throws InterruptedException if interrupted while waiting for the permit (none is then held, nothing runs)
   */
  public Thread execute(Runnable task, Runnable ended) throws InterruptedException {
    Objects.requireNonNull(task, "task cannot be null");
    if (recorder == MetricsRecorder.none()) {
      admission.acquire();
      return start(task, ended, 0);
    }
    long asked = ticker.read();
    admission.acquire();
    return start(task, ended, ticker.read() - asked);
  }

  /** Starts {@code task} if a permit is free now; else returns null and starts nothing. */
  public Thread tryExecute(Runnable task) {
    Objects.requireNonNull(task, "task cannot be null");
    return admission.tryAcquire() ? start(task, null, 0) : null;
  }

  /**
   * Starts {@code task} on its own thread with a permit the caller already took from this executor's admission
   * (a pool that decides under its own lock which task gets a free permit); the permit is given back when the task
   * ends.
   */
  public Thread startAdmitted(Runnable task) {
    return startAdmitted(task, null);
  }

  /**
   * As {@link #startAdmitted(Runnable)}, with {@code ended} run once the permit is back (see
   * {@link #execute(Runnable, Runnable)}).
   */
  public Thread startAdmitted(Runnable task, Runnable ended) {
    Objects.requireNonNull(task, "task cannot be null");
    return start(task, ended, 0);
  }

  private Thread start(Runnable task, Runnable ended, long waitedNanos) {
    boolean told = recorder != MetricsRecorder.none();
    Runnable admitted = () -> {
      long began = told ? ticker.read() : 0;
      try {
        if (told) recorder.taskAdmitted(name, waitedNanos);
        task.run();
      } finally {
        admission.release();
        if (told) recorder.taskEnded(name, ticker.read() - began);
        if (ended != null) ended.run();
      }
    };
    if (launcher != null) {
      java.util.concurrent.atomic.AtomicBoolean began = new java.util.concurrent.atomic.AtomicBoolean();
      try {
        launcher.execute(() -> {
          began.set(true);
          admitted.run();
        });
      } catch (RuntimeException | Error e) {
        if (!began.get()) admission.release(); // refused before it ran (else its own finally gave the permit back)
        throw e;
      }
      return null;
    }
    Thread t;
    try {
      t = threads.newThread(admitted);
      t.start();
    } catch (RuntimeException | Error e) {
      admission.release();
      throw e;
    }
    return t;
  }

  @Override
  public String toString() {
    return "TaskExecutor[" + name + ", " + admission + "]";
  }
}
