package dev.ferry.cli;

import dev.ferry.core.engine.JobProgress;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.CallMetrics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code --timeline FILE}: one CSV line a second of what the run did and what its limits were, so an adaptive
 * run can be read afterwards (and lined up with the target's own counts, e.g. the simulator's
 * {@code /__timeline}). Columns: {@code elapsed_s} (since the run started), {@code rows_settled},
 * {@code requests} and {@code rate_limited} (429s) so far, {@code in_flight} (requests sent and not yet
 * answered), {@code limit} (the adaptive limit on rows in flight; empty when concurrency is fixed) and
 * {@code pace} (the shared pacer's requests per second; empty when unlimited). A last line is written on
 * {@link #close()}.
 *
 * <p>Runs on its own virtual thread; the file is written by that thread only, and by {@link #close()} after
 * it stopped. An I/O error ends the timeline (the run goes on). Threadsafe.
 */
final class Timeline implements AutoCloseable {
  private final BufferedWriter out;
  private final JobProgress progress;
  private final CallMetrics metrics;
  private final ConcurrencyLimiter limiter;
  private final RateLimiter pacer;
  private final long startNanos;
  private final Thread thread;
  private volatile boolean closed;
  /** @GuardedBy("this") */
  private boolean failed;

  /**
   * @param limiter the adaptive limiter, or null when concurrency is fixed
   * @param pacer   the target's rate limiter, or null in a dry run
   * @throws IOException when the file cannot be created
   */
  Timeline(Path file, JobProgress progress, CallMetrics metrics, ConcurrencyLimiter limiter, RateLimiter pacer)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    this.out = Files.newBufferedWriter(file);
    this.progress = progress;
    this.metrics = metrics;
    this.limiter = limiter;
    this.pacer = pacer;
    this.startNanos = Ticker.system().read();
    out.write("elapsed_s,rows_settled,requests,rate_limited,in_flight,limit,pace\n");
    this.thread = Thread.ofVirtual().name("ferry-timeline").start(this::loop);
  }

  private void loop() {
    try {
      long next = startNanos;
      while (!closed) {
        next += 1_000_000_000L;
        long wait = next - Ticker.system().read();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        if (!closed) line();
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  private synchronized void line() {
    if (failed) return;
    double elapsed = (Ticker.system().read() - startNanos) / 1e9;
    double pace = pacer == null ? Double.POSITIVE_INFINITY : pacer.rate();
    try {
      out.write(String.format(Locale.ROOT, "%.1f,%d,%d,%d,%d,%s,%s%n", elapsed, progress.settled(),
          metrics.requests(), metrics.rateLimitedCount(), metrics.inFlight(),
          limiter == null ? "" : Integer.toString(limiter.limit()),
          Double.isInfinite(pace) ? "" : String.format(Locale.ROOT, "%.1f", pace)));
      out.flush();
    } catch (IOException e) {
      failed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    line();
    synchronized (this) {
      try {
        out.close();
      } catch (IOException e) {
        failed = true;
      }
    }
  }
}
