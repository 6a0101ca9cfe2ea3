package dev.ferry.steps;

import java.util.function.Consumer;

/**
 * A watcher of a dry run's rendered requests that shows only some rows' ({@code run --dry-run --show-requests N}):
 * once it shows no more, a CSV row's request needs no text, and is rendered as when nobody watches
 * ({@link UnshownCall}: only what can fail) and counted with {@link #hidden}. Threadsafe.
 */
public interface SampledRequests extends Consumer<RenderedRequest> {
  /** Whether no request will be shown from now on (only counted). Once true, it stays true. */
  boolean full();

  /** Counts a request of {@code row} rendered and checked but not shown (instead of {@link #accept}). */
  void hidden(long row);
}
