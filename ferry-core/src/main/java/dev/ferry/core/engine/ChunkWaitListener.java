package dev.ferry.core.engine;

import dev.ferry.core.spi.OpenChunks;

/**
 * Told when a run starts waiting for chunks that other processes hold ({@link RunOptions#waitForHeldChunks()}): no
 * chunk was left to claim, and the run waits to take over those whose lease runs out unrenewed (their process died)
 * or that come back released, until every chunk is DONE. Told once per wait, when the first of the run's workers
 * starts waiting, not at every poll; again only if the run worked in between (it took a chunk) and waits anew.
 * Implementations are threadsafe, quick and must not throw (called on a worker's thread).
 */
@FunctionalInterface
public interface ChunkWaitListener {
  /** The listener that ignores every wait. */
  ChunkWaitListener NONE = open -> {};

  /**
   * The run found nothing to claim and waits for {@code open}: chunks held by other processes (with the span of
   * their leases' expiries), and any pending chunk another worker was about to claim.
   */
  void waiting(OpenChunks open);

  /**
   * Every worker of the run waits and none of its rows is in flight: the run sends nothing until it claims a chunk
   * again ({@link #busyAgain}). Said once per such stretch (a process's rate share leaves the job's count here, so
   * the processes still working take its part of the limit).
   */
  default void idle() {}

  /**
   * The run claimed a chunk after {@link #idle}: called on the claiming worker's thread before that chunk's first row,
   * and no other worker of the run starts a row until it returns; it may block (a rate share joins the count again
   * and waits until every other process has counted it).
   *
   * @throws InterruptedException if interrupted while it waits
   */
  default void busyAgain() throws InterruptedException {}
}
