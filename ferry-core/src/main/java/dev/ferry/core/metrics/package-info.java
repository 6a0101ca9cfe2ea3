/**
 * The metrics SPI: {@link dev.ferry.core.metrics.MetricsRecorder}, told by the engine, the HTTP targets and the
 * live pool what they do, with a no-op instance and a composite. Backends (Micrometer, Prometheus) live outside
 * {@code core}, in {@code dev.ferry.metrics}.
 */
package dev.ferry.core.metrics;
