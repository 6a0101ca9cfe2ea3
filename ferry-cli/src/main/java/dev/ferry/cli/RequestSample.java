package dev.ferry.cli;

import dev.ferry.steps.RenderedRequest;
import java.io.PrintWriter;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What a dry run prints of the requests it renders ({@code run --dry-run --show-requests N|all}): those of the first
 * N rows, then one line counting the rows whose requests were rendered and not shown. Every row is still rendered
 * and checked; only the printing is sampled (a million rows printed 8 million lines).
 *
 * <p>The shown rows are those of the first worker to render a request: a worker renders its chunk's rows one after
 * the other, each row's requests in a row, so the sample is consecutive rows of one chunk (rows 1 to N of a new
 * job from a file; with a SQL source, whose chunks are queried at once, the first rows of whichever chunk came
 * first), never rows of several chunks interleaved. Should that worker run out of chunks first, fewer rows are shown.
 *
 * <p>Threadsafe: the owner and the shown rows are guarded by this object's lock (taken by the owner's requests
 * only once the owner is known); the hidden counts are adders, and each thread remembers the last row it hid (its
 * rows come in order, so a new number is a new row).
 */
final class RequestSample implements dev.ferry.steps.SampledRequests {
  /** Rows shown when {@code --show-requests} is not given. */
  static final long DEFAULT_ROWS = 10;
  /** {@code --show-requests all}. */
  static final long ALL = Long.MAX_VALUE;

  private final long rows;
  private final Consumer<RenderedRequest> print;
  private volatile Thread owner;
  private long shown; // guarded by this
  private long lastShown = -1; // guarded by this
  private volatile boolean full;
  private final LongAdder hiddenRows = new LongAdder();
  private final LongAdder hiddenRequests = new LongAdder();
  private final ThreadLocal<long[]> lastHidden = ThreadLocal.withInitial(() -> new long[] {-1});

  /**
   * @param rows  how many rows' requests to show: 0 none, {@link #ALL} every one
   * @param print prints one request
   */
  RequestSample(long rows, Consumer<RenderedRequest> print) {
    if (rows < 0) throw new IllegalArgumentException("rows must be >= 0");
    this.rows = rows;
    this.print = print;
  }

  @Override
  public void accept(RenderedRequest r) {
    if (rows == ALL) {
      print.accept(r);
      return;
    }
    if (!full && rows > 0) {
      Thread me = Thread.currentThread();
      if (owner == null) {
        synchronized (this) {
          if (owner == null) owner = me;
        }
      }
      if (owner == me && shows(r.row())) {
        print.accept(r);
        return;
      }
    }
    hidden(r.row());
  }

  @Override
  public boolean full() {
    return rows == 0 || full;
  }

  @Override
  public void hidden(long row) {
    hiddenRequests.increment();
    long[] last = lastHidden.get();
    if (last[0] != row) {
      last[0] = row;
      hiddenRows.increment();
    }
  }

  /** Whether the owner's request of {@code row} is shown: its row is, or is the next one while there is room. */
  private synchronized boolean shows(long row) {
    if (row == lastShown) return true;
    if (shown < rows) {
      shown++;
      lastShown = row;
      return true;
    }
    full = true;
    return false;
  }

  /** Rows whose requests were rendered and not shown. */
  long hiddenRows() {
    return hiddenRows.sum();
  }

  /** The line after the requests: how many rows' requests were not shown, or null when every one was. */
  String summary() {
    long h = hiddenRows.sum();
    if (h == 0) return null;
    boolean some = rows > 0 && owner != null;
    return String.format("%s %,d %srow%s (%,d request%s) rendered and checked, not shown (--show-requests N or all"
        + " to see %s)", some ? "... and the requests of" : "the requests of", h, some ? "more " : "",
        h == 1 ? "" : "s", hiddenRequests.sum(), hiddenRequests.sum() == 1 ? "" : "s", some ? "more" : "them");
  }

  /** Prints {@link #summary()} when there is one. */
  void printSummary(PrintWriter out) {
    String s = summary();
    if (s != null) {
      out.println(s);
      out.flush();
    }
  }
}
