/**
 * The live pool: a bounded, observable pool of virtual threads for services (seeds 003/004). {@link
 * dev.ferry.core.pool.LivePool} runs submitted tasks with a concurrency limit, a bounded queue and an overflow
 * policy; {@link dev.ferry.core.pool.Batcher} groups items into batch calls on a pool; {@link
 * dev.ferry.core.pool.SerialSection} serialises the part that must run one at a time and shows its cost in
 * the pool's {@link dev.ferry.core.pool.PoolMetrics}. Time enters through {@link dev.ferry.core.time.Ticker}
 * and {@link dev.ferry.core.pool.Scheduler}, so tests run timeouts and batch waits in virtual time.
 */
package dev.ferry.core.pool;
