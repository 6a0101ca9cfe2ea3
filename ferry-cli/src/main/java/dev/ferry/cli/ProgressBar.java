package dev.ferry.cli;

import dev.ferry.core.engine.JobProgress;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.CallMetrics;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Draws the progress of a run on stderr: a redrawn bar on a terminal, or a plain line every 10 s otherwise.
 * Runs on its own virtual thread; {@link #close()} draws the last state and stops it. Threadsafe.
 */
final class ProgressBar implements AutoCloseable {
  private static final int WIDTH = 28;
  private final PrintWriter err;
  private final boolean terminal;
  private final long totalRows;
  private final long alreadySettled;
  private final LongSupplier settledThisRun;
  private final IntSupplier inFlight;
  private final LongSupplier rateLimited;
  private final java.util.function.Supplier<String> extra;
  private final Ticker ticker;
  private final Thread thread;
  private final ArrayDeque<long[]> window = new ArrayDeque<>();
  private volatile boolean closed;
  private int lastWidth;

  /** @param extra appended to each line (e.g. the adaptive limit), or null */
  ProgressBar(PrintWriter err, boolean terminal, long totalRows, long alreadySettled, JobProgress progress,
      CallMetrics metrics, java.util.function.Supplier<String> extra) {
    this(err, terminal, totalRows, alreadySettled, progress::settled, progress::rowsInFlight,
        metrics == null ? () -> 0 : metrics::rateLimitedCount, extra, Ticker.system(), true);
  }

  /** The seam tests use: counters as suppliers, a ticker, and no drawing thread when {@code start} is false. */
  ProgressBar(PrintWriter err, boolean terminal, long totalRows, long alreadySettled, LongSupplier settledThisRun,
      IntSupplier inFlight, LongSupplier rateLimited, java.util.function.Supplier<String> extra, Ticker ticker,
      boolean start) {
    this.extra = extra;
    this.err = err;
    this.terminal = terminal;
    this.totalRows = totalRows;
    this.alreadySettled = alreadySettled;
    this.settledThisRun = settledThisRun;
    this.inFlight = inFlight;
    this.rateLimited = rateLimited;
    this.ticker = ticker;
    // The start is the window's first sample, so a run shorter than one drawing period still shows its rate.
    window.addLast(new long[] {ticker.read(), alreadySettled + settledThisRun.getAsLong()});
    this.thread = start ? Thread.ofVirtual().name("ferry-progress").start(this::loop) : null;
  }

  /** True when stderr is an interactive terminal. */
  static boolean isTerminal() {
    java.io.Console c = System.console();
    if (c == null) return false;
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // before Java 22 System.console() is non-null only on a terminal
    }
  }

  private void loop() {
    long period = terminal ? 250 : 10_000;
    try {
      while (!closed) {
        Thread.sleep(period);
        draw(false);
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  /** Draws the current state now (the drawing thread's step; tests call it directly). */
  synchronized void draw(boolean last) {
    long now = ticker.read();
    long settled = alreadySettled + settledThisRun.getAsLong();
    window.addLast(new long[] {now, settled});
    while (window.size() > 2 && now - window.peekFirst()[0] > 10_000_000_000L) window.removeFirst();
    long[] first = window.peekFirst();
    double secs = (now - first[0]) / 1e9;
    double rate = secs > 0.5 ? (settled - first[1]) / secs : 0;
    double frac = totalRows == 0 ? 1 : Math.min(1, settled / (double) totalRows);
    int filled = (int) Math.round(frac * WIDTH);
    String eta = rate > 0 ? Report.duration((totalRows - settled) / rate) : "--";
    String line = String.format("[%s%s] %,d/%,d rows %3.0f%%  %.1f rows/s  ETA %s  in flight %d  rate-limited %d",
        "#".repeat(filled), ".".repeat(WIDTH - filled), settled, totalRows, frac * 100, rate, eta,
        inFlight.getAsInt(), rateLimited.getAsLong())
        + (extra == null ? "" : "  " + extra.get());
    if (terminal) {
      String pad = line.length() < lastWidth ? " ".repeat(lastWidth - line.length()) : "";
      err.print("\r" + line + pad + (last ? "\n" : ""));
      lastWidth = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  /**
   * Prints {@code line} on a line of its own: on a terminal it replaces the bar's line, which the next drawing puts
   * back below it.
   */
  synchronized void note(String line) {
    if (terminal) {
      String pad = line.length() < lastWidth ? " ".repeat(lastWidth - line.length()) : "";
      err.print("\r" + line + pad + "\n");
      lastWidth = 0;
    } else {
      err.println(line);
    }
    err.flush();
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    draw(true);
  }
}
