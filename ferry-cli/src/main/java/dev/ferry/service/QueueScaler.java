package dev.ferry.service;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * The drain's concurrency: how many items it may hold in flight, following the queue (seed 003's "scale on queue
 * depth", done by the drain itself). It rises while the queue gives every slot it is offered and falls when the
 * queue stops doing so, between a floor and a ceiling (the spec's {@code concurrency}, or whatever limit the supplier
 * gives at the time):
 *
 * <ul>
 *   <li><b>up</b>: when a claim came back full (the queue held at least as many due items as the free slots asked
 *       for, so more may wait), the target doubles for the next claim, up to the ceiling: a backlog reaches the full
 *       concurrency in log2(ceiling) rounds (1 → 64 in six polls, ~300 ms).</li>
 *   <li><b>down</b>: when no claim came back full for {@code scaleDownAfter} while some slot stood unused (the queue
 *       holds less than the slots offered), the target halves, once per {@code scaleDownAfter}, down to the floor. A quiet service so holds few
 *       slots, and the next burst starts small and grows with it instead of sending {@code concurrency} requests at
 *       once to a downstream that has been idle.</li>
 * </ul>
 *
 * <p>What it cannot see: how many items wait in all (it only learns "at least as many as asked for"). That is
 * enough: in flight never exceeds what was claimed, so a target above the demand costs nothing, and one below it
 * doubles on the next round.
 *
 * <p>Pure (time is passed in) and not threadsafe: the drain's loop is its only caller; {@link #target()} may be read
 * by any thread (a volatile field) for metrics and status.
 */
final class QueueScaler {
  private final int floor;
  private final IntSupplier ceiling;
  private final long scaleDownAfterNanos;
  private volatile int target;
  private boolean lastClaimFull;
  /** When a claim last came back full, every slot was last busy, or the target last halved (ticker nanos). */
  private long busySince;

  /**
   * @param floor          the fewest slots (at least 1), and the first target
   * @param ceiling        the most slots: the stated concurrency, or an adaptive limit's current value
   * @param scaleDownAfter how long without a full claim before the target halves
   * @param nowNanos       the ticker's now
   */
  QueueScaler(int floor, IntSupplier ceiling, Duration scaleDownAfter, long nowNanos) {
    if (floor < 1) throw new IllegalArgumentException("floor must be at least 1");
    this.floor = floor;
    this.ceiling = ceiling;
    this.scaleDownAfterNanos = scaleDownAfter.toNanos();
    this.target = Math.min(floor, ceiling());
    this.busySince = nowNanos;
  }

  /** The current target: items in flight at most. */
  int target() {
    return target;
  }

  /** The current ceiling (at least 1). */
  int ceiling() {
    return Math.max(1, ceiling.getAsInt());
  }

  /**
   * Before a claim: applies the last claim's lesson and the idle rule (never while every slot is busy: those slots
   * are in use, whatever the queue holds).
   *
   * @param inFlight the items in flight now
   * @return the target for this round's claim
   */
  int beforeClaim(int inFlight, long nowNanos) {
    int max = ceiling();
    int t = target;
    if (inFlight >= t) busySince = nowNanos;
    if (lastClaimFull) {
      t = (int) Math.min(max, 2L * t);
    } else if (nowNanos - busySince >= scaleDownAfterNanos && t > floor) {
      t = Math.max(floor, t / 2);
      busySince = nowNanos;
    }
    target = Math.max(Math.min(floor, max), Math.min(t, max));
    return target;
  }

  /**
   * After a claim of {@code asked} items that gave {@code got}. A round that asked for nothing (every slot busy)
   * teaches nothing: the last lesson stands.
   */
  void afterClaim(int asked, int got, long nowNanos) {
    if (asked <= 0) return;
    lastClaimFull = got >= asked;
    if (lastClaimFull) busySince = nowNanos;
  }
}
