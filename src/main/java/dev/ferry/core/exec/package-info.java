/**
 * The one executor of ferry, written once for both fronts: a bulk job (a source of chunks plus the ledger that
 * feeds it, {@code core.engine.BulkJobRunner}) and the live pool ({@code core.pool.LivePool}, fed by
 * {@code submit}), and the pre-warm of a recipe. {@link dev.ferry.core.exec.Admission} says how many tasks may run
 * at once (fixed, or adaptive through a {@link dev.ferry.core.limit.ConcurrencyLimiter}); {@link
 * dev.ferry.core.exec.TaskExecutor} runs each admitted task on its own virtual thread and gives the permit back when
 * it ends; {@link dev.ferry.core.exec.RatePermits} is the one place a rate permit is charged (per HTTP attempt, a
 * pool task's own permit being used by its first attempt); {@link dev.ferry.core.exec.TimedRun} is the per-call
 * timeout, whose interrupt reaches only the run it was meant for.
 */
package dev.ferry.core.exec;
