/**
 * A WorkOS-compatible simulated API server (users, organizations, organization memberships) bound to
 * 127.0.0.1, with latency, rate limits, fault injection, a serialised section and a stats endpoint that
 * tests use to prove exactly-once.
 *
 * <p>Public: {@link dev.ferry.sim.SimServer}, {@link dev.ferry.sim.SimConfig},
 * {@link dev.ferry.sim.SimStats}, {@link dev.ferry.sim.RateAlgorithm}. Everything else is internal.
 */
package dev.ferry.sim;
