package dev.ferry.steps;

import dev.ferry.core.spi.JobStore;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Lookup-or-create keyed by a template, single-flight per key across every worker of the process, cached in the job
 * store so other processes and resumes reuse the answer (see {@link LookupStepConfig}).
 *
 * <p>Concurrency: {@code cache} holds one future per key. The thread whose {@code putIfAbsent} installed a future
 * resolves it (find, then create); every other thread with the key waits on that future. A result that is not a
 * retryable failure stays cached for the run; a retryable failure, an interrupt or a stop removes the future (so a
 * later row tries again) after completing it for the threads already waiting. A found or created item is written to
 * the store before its future completes, so a row never reports done on a value a resume could not see.
 */
final class LookupStep implements Step {
  private final LookupStepConfig config;
  private final StepTarget target;
  private final CallRunner runner;
  private final JobStore store;
  private final String jobId;
  private final ConcurrentHashMap<String, CompletableFuture<StepResult>> cache = new ConcurrentHashMap<>();
  /**
   * A dry run's find call rendered once per key (its result by key), as a real run sends it once per key: the other
   * rows with the key get that result. Two rows racing for a new key may both render it (nothing is sent).
   */
  private final ConcurrentHashMap<String, StepResult> dryRendered = new ConcurrentHashMap<>();

  /**
   * @param store the job's store, or null to keep the cache in memory only; its lookups under the step's namespace
   *              are loaded now
   */
  LookupStep(LookupStepConfig config, StepTarget target, CallRunner runner, JobStore store, String jobId) {
    this.config = config;
    this.target = target;
    this.runner = runner;
    this.store = store;
    this.jobId = jobId;
    if (store != null && !runner.dryRun()) {
      store.lookups(jobId, config.namespace()).forEach((key, json) -> {
        if (Json.readOrNull(json) instanceof Map<?, ?> m) {
          Map<String, Object> captures = new LinkedHashMap<>();
          m.forEach((k, v) -> captures.put(String.valueOf(k), v));
          cache.put(key, CompletableFuture.completedFuture(new StepResult.Ok(captures, 0, "cached", "")));
        }
      });
    }
  }

  @Override
  public String name() {
    return config.name();
  }

  /** Whether {@code key} is known now (cached, or being resolved by a row). */
  boolean knows(String key) {
    return cache.containsKey(key);
  }

  /** Keys known now (cached or being resolved). */
  int size() {
    return cache.size();
  }

  @Override
  public StepResult run(RowState row) throws InterruptedException {
    RenderContext ctx = row.context();
    String key;
    try {
      key = config.key().renderText(ctx);
    } catch (SpecException e) {
      return CallRunner.templateFailure(e);
    }
    if (key.isEmpty()) return StepResult.SKIPPED;
    if (runner.dryRun()) return dryRun(key, ctx, row.input().row());
    CompletableFuture<StepResult> mine = new CompletableFuture<>();
    CompletableFuture<StepResult> existing = cache.putIfAbsent(key, mine);
    if (existing != null) return shared(existing);
    StepResult r;
    try {
      r = resolve(key, ctx, row.input().row());
    } catch (RuntimeException | InterruptedException e) {
      cache.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
    if (r instanceof StepResult.Failed f && f.retryable()) cache.remove(key, mine);
    mine.complete(r);
    return r;
  }

  /** The find call rendered for the key's first row, its result reused by the key's other rows (docs/JOBS.md). */
  private StepResult dryRun(String key, RenderContext ctx, long row) throws InterruptedException {
    StepResult r = dryRendered.get(key);
    if (r != null) return r;
    r = runner.run(config.name(), target, config.find(), ctx, row);
    dryRendered.putIfAbsent(key, r);
    return r;
  }

  private static StepResult shared(CompletableFuture<StepResult> f) throws InterruptedException {
    try {
      StepResult r = f.get();
      return r instanceof StepResult.Ok ok && !ok.note().equals("cached")
          ? new StepResult.Ok(ok.captures(), ok.status(), "cached", ok.requestId()) : r;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re; // a stop: every waiter stops the job
      if (e.getCause() instanceof InterruptedException) {
        return new StepResult.Failed(0, "interrupted", "the row resolving this key was interrupted", "", true);
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private StepResult resolve(String key, RenderContext ctx, long row) throws InterruptedException {
    StepResult found = find(ctx, row);
    if (found != null) return remember(key, found, "found");
    if (config.create() == null) return notFound(key, "", ctx);
    if (config.createWhen() != null) {
      try {
        if (!config.createWhen().renderCondition(ctx)) return notFound(key, " (create_when is false)", ctx);
      } catch (SpecException e) {
        return CallRunner.templateFailure(e);
      }
    }
    StepResult created = runner.run(config.name(), target, config.create(), ctx, row);
    boolean exists = created instanceof StepResult.Failed f && f.status() == 409
        || created instanceof StepResult.Ok ok && firstCapture(ok) == null; // "409: exists" without the item's id
    if (exists) {
      StepResult again = find(ctx, row); // created meanwhile by another process
      if (again != null) return remember(key, again, "existing");
    }
    if (created instanceof StepResult.Ok ok && firstCapture(ok) != null) {
      return remember(key, ok, ok.note().isEmpty() ? "created" : ok.note());
    }
    return created;
  }

  private StepResult notFound(String key, String why, RenderContext ctx) {
    LookupStepConfig.NotFound nf = config.notFound();
    String message = "step '" + config.name() + "': nothing found for key '" + key + "'" + why;
    if (nf != null && nf.message() != null) {
      try {
        message = nf.message().renderText(ctx);
      } catch (SpecException e) {
        message += " (" + e.getMessage() + ")";
      }
    }
    return new StepResult.Failed(404, nf == null ? "not_found" : nf.code(), message, "", false);
  }

  /** The find call's result when it found something; null when not found; a failure as it is. */
  private StepResult find(RenderContext ctx, long row) throws InterruptedException {
    StepResult r = runner.run(config.name(), target, config.find(), ctx, row);
    if (r instanceof StepResult.Failed f) return f.status() == 404 ? null : f;
    if (r instanceof StepResult.Ok ok) {
      return firstCapture(ok) == null ? null : ok;
    }
    return null;
  }

  /** The first value the find call captures (the item's id, usually): null means nothing was found. */
  private Object firstCapture(StepResult.Ok ok) {
    return ok.captures().get(config.find().capture().keySet().iterator().next());
  }

  private StepResult remember(String key, StepResult r, String note) {
    if (!(r instanceof StepResult.Ok ok)) return r;
    if (store != null) store.putLookup(jobId, config.namespace(), key, Json.write(ok.captures()));
    return new StepResult.Ok(ok.captures(), ok.status(), note, ok.requestId());
  }
}
