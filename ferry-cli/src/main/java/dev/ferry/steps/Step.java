package dev.ferry.steps;

/**
 * A step at run time, built from a {@link StepConfig}: takes a row's state (its record and the results of the
 * steps before it) and says what happened. Implementations are threadsafe: every row in flight runs steps at once.
 */
public interface Step {
  String name();

  /**
   * Runs the step for one row. A batch step hands the row's item to its batcher and waits for the row's own
   * outcome.
   *
   * @return the step's result; never null
   * @throws dev.ferry.core.engine.StopJobException to stop the job (401/403, or a status declared {@code stop})
   * @throws InterruptedException when the job is being torn down
   */
  StepResult run(RowState row) throws InterruptedException;
}
