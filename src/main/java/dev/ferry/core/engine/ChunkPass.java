package dev.ferry.core.engine;

import dev.ferry.core.spi.ChunkSpec;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass of a worker over the rows of one claimed chunk, as rows run on their own threads: which rows were
 * started, which ended, which settled. The worker starts the rows and then moves on to its next chunk; the
 * chunk's finisher waits here until the pass is drained and then asks {@link #complete()} whether the chunk
 * can be marked DONE.
 *
 * <p>Concurrency: {@link #rowStarted()} and {@link #allStarted()} are called by the worker thread only, before
 * it hands the pass to the finisher thread ({@code Thread.start} orders those writes before the finisher reads
 * them); row threads call {@link #rowSettled()} at most once and {@link #rowEnded()} exactly once each, the
 * latter last. {@link #awaitDrained()} returns once every started row ended, so after it every settled row's
 * outcome has been handed to the outcome batcher.
 */
final class ChunkPass {
  private final ChunkSpec chunk;
  private final int toDo;
  private final AtomicInteger settled = new AtomicInteger();
  /** One permit per row that ended. */
  private final Semaphore ended = new Semaphore(0);
  /** {@link #rowEnded()} as a task's last act (one object per pass, not per row). */
  final Runnable endRow = this::rowEnded;
  /** Written by the worker thread before the finisher starts. */
  private int started;
  /** Written by the worker thread before the finisher starts: every row without an outcome was started. */
  private boolean allStarted;

  /** @param toDo rows of the chunk without an outcome when the pass began */
  ChunkPass(ChunkSpec chunk, int toDo) {
    this.chunk = chunk;
    this.toDo = toDo;
  }

  ChunkSpec chunk() {
    return chunk;
  }

  /** Rows of the chunk without an outcome when the pass began. */
  int toDo() {
    return toDo;
  }

  /** Worker thread: a row of this pass is about to start. */
  void rowStarted() {
    started++;
  }

  /** Worker thread: the cursor reached the chunk's end with every row started (not stopped, no error). */
  void allStarted() {
    allStarted = true;
  }

  /** Row thread: the row's outcome was handed to the outcome batcher. */
  void rowSettled() {
    settled.incrementAndGet();
  }

  /** Row thread: the row ended, with or without an outcome. Its last act. */
  void rowEnded() {
    ended.release();
  }

  /** Finisher thread: waits (not interruptibly, as rows always end) until every started row ended. */
  void awaitDrained() {
    ended.acquireUninterruptibly(started);
  }

  /** After {@link #awaitDrained()}: true when every row that had no outcome settled in this pass. */
  boolean complete() {
    return allStarted && started == toDo && settled.get() == toDo;
  }
}
