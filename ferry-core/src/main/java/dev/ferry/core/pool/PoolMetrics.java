package dev.ferry.core.pool;

import java.time.Duration;

/**
 * An immutable snapshot of a {@link LivePool}'s counters, from {@link LivePool#metrics()}.
 *
 * <p>Every submitted task ends in exactly one of completed, failed, timed out, cancelled, rejected or handed
 * back; so once the pool is idle (nothing running, nothing queued) {@link #settled()} equals {@link
 * #submitted()}. A timed-out task that ignores its interrupt is counted as timed out at once and still holds
 * its slot (counts in {@link #running()}) until it returns.
 *
 * @param pool the pool's name
 * @param submitted calls to submit (including those rejected)
 * @param completed tasks that returned a value
 * @param failed tasks that threw (interrupted ones included)
 * @param rejected submits refused (queue full under REJECT, pool shut down, submitter interrupted)
 * @param timedOut tasks that exceeded their timeout
 * @param cancelled tasks whose future the caller cancelled (not run if cancelled while queued)
 * @param handedBack queued tasks handed back by {@link LivePool#shutdownNow()} without running
 * @param running tasks running now (on pool threads, or in callers under CALLER_RUNS)
 * @param queued tasks waiting in the queue now
 * @param peakQueued the most tasks ever waiting in the queue at once
 * @param queueWaitTotal time tasks spent in the queue, summed over the tasks that left it to run
 * @param queueWaitMax the longest time one task spent in the queue
 * @param serialPasses passes through the pool's {@link SerialSection}
 * @param serialWaitTotal time spent waiting to enter the serial section, summed
 * @param serialHoldTotal time spent inside the serial section, summed
 */
public record PoolMetrics(
    String pool,
    long submitted,
    long completed,
    long failed,
    long rejected,
    long timedOut,
    long cancelled,
    long handedBack,
    int running,
    int queued,
    int peakQueued,
    Duration queueWaitTotal,
    Duration queueWaitMax,
    long serialPasses,
    Duration serialWaitTotal,
    Duration serialHoldTotal) {

  /** Tasks that have ended one way or another: completed + failed + timedOut + cancelled + rejected + handedBack. */
  public long settled() {
    return completed + failed + timedOut + cancelled + rejected + handedBack;
  }
}
