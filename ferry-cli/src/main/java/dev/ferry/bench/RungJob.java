package dev.ferry.bench;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.spi.JobStore;
import dev.ferry.http.CallMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What a rung runs: a fresh job of one run's input, planned into the rung's own store and wired through the same
 * code as the command it stands for ({@link WorkosRungJob}: {@code ferry import-users}; {@link SpecRungJob}: {@code
 * ferry run}). {@link BenchRunner} measures it. Implementations are used by one study at a time.
 */
public interface RungJob {

  /**
   * Before the ladder: fails with a {@link BenchException} when the target cannot be used, so that it is not
   * measured as a slow one.
   */
  default void preflight() throws InterruptedException {}

  /**
   * Plans and wires the job of one run, ready to {@linkplain BulkJobRunner#run() run}.
   *
   * @param run   which input: {@code round × ladder size + rung index}; -1 for the unmeasured JVM warm-up
   * @param phase told what is being done ("planning", ...)
   */
  Started start(JobStore store, String jobId, int run, int workers, int concurrency, Consumer<String> phase)
      throws IOException, InterruptedException;

  /**
   * A planned, wired job. {@link #close()} after its runner returned.
   *
   * @param runner the job's runner
   * @param toDo   rows the run has to settle
   * @param calls  where the job's HTTP attempts are counted
   * @param waited nanoseconds the job's callers have waited so far (rate permits, pauses, back-offs); -1 when not
   *               counted
   * @param closer what {@link #close()} releases (the job's target, its run)
   */
  record Started(BulkJobRunner runner, long toDo, CallMetrics calls, LongSupplier waited, Closeable closer)
      implements AutoCloseable {
    /** Nanoseconds waited so far; -1 when not counted. */
    public long waitNanos() {
      return waited.getAsLong();
    }

    @Override
    public void close() throws IOException {
      closer.close();
    }
  }
}
