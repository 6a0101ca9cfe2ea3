package dev.ferry.core.engine;

import dev.ferry.core.spi.RowOutcome;

/**
 * Turns one row into its outcome (the recipe: validate, call the API). Implementations are threadsafe: up
 * to workers × concurrency rows are processed at once, each on its own virtual thread.
 */
@FunctionalInterface
public interface RowProcessor {
  /**
   * @return the row's outcome; never null
   * @throws StopJobException to stop the whole job (auth failure): the row gets no outcome and is redone
   *     on resume
   * @throws InterruptedException when the job is being torn down
   */
  RowOutcome process(RowInput row) throws InterruptedException;

  /**
   * True when processing a row touches nothing outside this process and never blocks (a dry run: validate
   * and build the requests). The runner then processes a chunk's rows one after the other on the worker's
   * own thread (no thread per row, no concurrency limit: {@code workers} chunks run in parallel), and
   * records the chunk's outcomes when it completes, in one transaction with the chunk, DONE rows as a
   * count only ({@link dev.ferry.core.spi.JobStore#sealChunk}). A crash before that redoes the chunk, which
   * costs nothing but time. Never true for a processor whose rows can fail retryably.
   */
  default boolean sideEffectFree() {
    return false;
  }
}
