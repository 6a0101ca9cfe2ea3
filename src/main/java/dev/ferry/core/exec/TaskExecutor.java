package dev.ferry.core.exec;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The one executor both fronts run on: a task is started only once its {@link Admission} gave it a permit, runs on a
 * virtual thread of its own, and gives the permit back when it ends. A bulk job's rows
 * ({@code core.engine.BulkJobRunner}), the live pool's tasks ({@code core.pool.LivePool}) and a recipe's pre-warm
 * all start here; rate permits are charged per HTTP attempt through {@link RatePermits}, never here.
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
   * the admission (threadsafe) and the thread factory (threadsafe). */
  private final Admission admission;
  /** Makes each task's thread, or null when {@code launcher} runs tasks. */
  private final ThreadFactory threads;
  private final Executor launcher;

  /**
   * @param threads makes each task's thread (unstarted); a caller may register the thread there, e.g. to interrupt
   *                it later
   */
  public TaskExecutor(Admission admission, ThreadFactory threads) {
    this.admission = Objects.requireNonNull(admission, "admission cannot be null");
    this.threads = Objects.requireNonNull(threads, "threads cannot be null");
    this.launcher = null;
  }

  private TaskExecutor(Admission admission, Executor launcher) {
    this.admission = Objects.requireNonNull(admission, "admission cannot be null");
    this.threads = null;
    this.launcher = Objects.requireNonNull(launcher, "launcher cannot be null");
  }

  /**
   * Admitted tasks run through {@code launcher} instead of a thread of their own (tests: {@code Runnable::run}, in
   * place); the {@code Thread} results are then null.
   */
  public static TaskExecutor launching(Admission admission, Executor launcher) {
    return new TaskExecutor(admission, launcher);
  }

  /** Tasks on virtual threads named {@code prefix0}, {@code prefix1}... */
  public static TaskExecutor virtual(String prefix, Admission admission) {
    return new TaskExecutor(admission, Thread.ofVirtual().name(prefix, 0).factory());
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
    admission.acquire();
    return start(task, ended);
  }

  /** Starts {@code task} if a permit is free now; else returns null and starts nothing. */
  public Thread tryExecute(Runnable task) {
    Objects.requireNonNull(task, "task cannot be null");
    return admission.tryAcquire() ? start(task, null) : null;
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
    return start(task, ended);
  }

  private Thread start(Runnable task, Runnable ended) {
    Runnable admitted = () -> {
      try {
        task.run();
      } finally {
        admission.release();
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
    return "TaskExecutor[" + admission + "]";
  }
}
