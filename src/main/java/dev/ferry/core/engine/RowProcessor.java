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
}
