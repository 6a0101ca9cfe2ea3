package dev.ferry.steps;

import dev.ferry.core.exec.RatePermits;
import dev.ferry.core.pool.Scheduler;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * A step that sends one request per batch of rows: each row computes its weight (and bytes, when bounded), hands its
 * item to the step's {@link RowBatcher} and waits for its own result, so per-row outcomes still reach the ledger one
 * by one. In a dry run each row is rendered as a batch of one and nothing waits. Threadsafe.
 */
final class BatchStep implements Step, AutoCloseable {
  private final RequestStepConfig config;
  private final StepTarget target;
  private final CallRunner runner;
  private final RowBatcher batcher;

  /**
   * @param sleeper what a batch waits for its request permit through, and {@code ticker} what measures that wait
   */
  BatchStep(RequestStepConfig config, StepTarget target, CallRunner runner, Scheduler scheduler, Executor sender,
      Sleeper sleeper, Ticker ticker) {
    this.config = config;
    this.target = target;
    this.runner = runner;
    BatchCall call = new BatchCall(config, target, runner);
    this.batcher = new RowBatcher(config.batch(), scheduler, sender, call::send, permit(target, sleeper, ticker));
  }

  /**
   * A batch waits for its call's request permit still open (rows in flight keep joining it), then takes it to the
   * call: the permit is prepaid on the batch's sender thread, and the call's first attempt ({@code HttpTarget}'s
   * {@link RatePermits#charge}, on the same thread and limiter) uses it instead of taking another. A pause begun
   * since (a 429) makes that attempt take a fresh one behind the pause.
   */
  private static RowBatcher.Permit permit(StepTarget target, Sleeper sleeper, Ticker ticker) {
    return new RowBatcher.Permit() {
      @Override
      public Object take() throws InterruptedException {
        return RatePermits.prepay(target.requestLimiter(), sleeper, ticker);
      }

      @Override
      public void release(Object token) {
        RatePermits.clear(token);
      }
    };
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public StepResult run(RowState row) throws InterruptedException {
    RenderContext ctx = row.context();
    long weight;
    long bytes;
    try {
      BatchSettings s = config.batch();
      weight = s.weight() == null ? 1 : Weights.whole(s.weight(), s.weight().render(ctx), "weight");
      bytes = s.maxBytes() > 0 && config.call().request().body() != null
          ? config.call().request().body().renderJson(alone(ctx, weight, 0), false).length() : 0;
    } catch (SpecException e) {
      return CallRunner.templateFailure(e);
    }
    if (runner.dryRun()) {
      return runner.run(config.name(), target, config.call(), alone(ctx, weight, bytes), row.input().row());
    }
    CompletableFuture<StepResult> result = batcher.add(new RowBatcher.Item(row.input().row(), ctx, weight, bytes,
        new CompletableFuture<>()));
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof dev.ferry.core.engine.StopJobException stop) throw stop;
      if (e.getCause() instanceof dev.ferry.http.TargetUnusableException unusable) throw unusable;
      return new StepResult.Failed(0, "batch", "the batch call failed: " + e.getCause(), "", true);
    }
  }

  private static RenderContext alone(RenderContext ctx, long weight, long bytes) {
    return RenderContext.ofBatch(List.of(ctx), Map.of("size", 1L, "weight", weight, "bytes", bytes));
  }

  /** Sends the rows waiting in the batcher now. */
  void flush() {
    batcher.flush();
  }

  @Override
  public void close() {
    batcher.close();
  }
}
