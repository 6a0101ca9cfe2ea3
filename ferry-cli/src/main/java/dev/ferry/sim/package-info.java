/**
 * A simulated API server bound to 127.0.0.1: WorkOS-compatible (users, organizations, organization memberships),
 * OpenAI-compatible embeddings and Qdrant-compatible points, with latency, rate limits, fault injection, a
 * serialised section and a stats endpoint that tests use to prove exactly-once.
 *
 * <p>Public: {@link dev.ferry.sim.SimServer}, {@link dev.ferry.sim.SimConfig},
 * {@link dev.ferry.sim.SimStats}, {@link dev.ferry.sim.RateAlgorithm}, {@link dev.ferry.sim.LatencyStep},
 * {@link dev.ferry.sim.EmbeddingsSettings}, {@link dev.ferry.sim.PointsSettings},
 * {@link dev.ferry.sim.EmbeddingStats}, {@link dev.ferry.sim.PointStats} and {@link dev.ferry.sim.SimEmbedding}
 * (the vector a text gets, for tests). Everything else is internal.
 */
package dev.ferry.sim;
