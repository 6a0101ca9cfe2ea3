/**
 * What a row of a job spec goes through (docs/JOBS-STEPS.md). Public: the immutable config records the spec parser
 * fills ({@link dev.ferry.steps.TargetConfig}, {@link dev.ferry.steps.RequestStepConfig},
 * {@link dev.ferry.steps.LookupStepConfig}, {@link dev.ferry.steps.CallConfig}, {@link dev.ferry.steps.BatchSettings},
 * ...) and {@link dev.ferry.steps.JobSteps}, which builds the targets (one {@code HttpTarget} each, with limiters
 * shared by every worker), the steps and the {@code RowProcessor} the engine drives. Package-private: the call runner
 * (response rules, captures), lookups (single-flight, cached in the store), the row batcher and batch calls (mapping
 * back, splitting), the weighed limiters. Time enters through {@code Ticker}, {@code Sleeper} and the pool's
 * {@code Scheduler}, so limits, backoff and linger run in virtual time in tests.
 */
package dev.ferry.steps;
