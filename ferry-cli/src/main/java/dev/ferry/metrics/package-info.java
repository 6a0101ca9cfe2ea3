/**
 * Metrics backends for the SPI of {@code dev.ferry.core.metrics}: {@link dev.ferry.metrics.MicrometerRecorder}
 * (any Micrometer registry) and {@link dev.ferry.metrics.PrometheusEndpoint} ({@code GET /metrics} in the
 * Prometheus text format, behind {@code --metrics-port}). Sits between cli and bench in the layers.
 */
package dev.ferry.metrics;
