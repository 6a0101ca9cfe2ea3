package dev.ferry.core.metrics;

/** The recorder that keeps nothing: every method is the interface's no-op. Stateless, so threadsafe. */
enum NoMetrics implements MetricsRecorder {
  INSTANCE
}
