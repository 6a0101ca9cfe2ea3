package dev.ferry.cli;

import dev.ferry.core.engine.ChunkWaitListener;
import dev.ferry.core.spi.OpenChunks;
import dev.ferry.core.time.Sleeper;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Says on stderr, once per wait, that a distributed run has nothing left to claim and waits for the chunks other
 * processes hold (to take over those whose lease runs out). Silent with {@code --quiet}. While a progress bar is drawn,
 * the line goes through it so the bar is not torn. Threadsafe: called on a worker's thread; the bar is set by the
 * thread that drives the run.
 */
final class HeldChunksNotice implements ChunkWaitListener {
  private final PrintWriter err;
  private final boolean quiet;
  private volatile ProgressBar bar;
  /** The run's rate shares (distributed): out of the job's count while the run is idle. */
  private final List<RateShare> shares = new CopyOnWriteArrayList<>();

  HeldChunksNotice(PrintWriter err, boolean quiet) {
    this.err = err;
    this.quiet = quiet;
  }

  /** Lines go through {@code bar} while it is drawn; null once it is closed. */
  void drawnBy(ProgressBar bar) {
    this.bar = bar;
  }

  /** A rate share of the run: it leaves the job's count while every worker waits with no row in flight. */
  void shares(RateShare share) {
    shares.add(share);
  }

  @Override
  public void idle() {
    for (RateShare s : shares) s.leaveForNow();
  }

  /** Every share counts this process again; then it waits once until the other processes have counted it. */
  @Override
  public void busyAgain() throws InterruptedException {
    boolean others = false;
    for (RateShare s : shares) others |= s.comeBack() > 1;
    if (others) Sleeper.system().sleepNanos(shares.get(0).joinWait().toNanos());
  }

  @Override
  public void waiting(OpenChunks open) {
    if (quiet) return;
    String line = line(open);
    ProgressBar b = bar;
    if (b != null) {
      b.note(line);
    } else {
      synchronized (err) {
        err.println(line);
        err.flush();
      }
    }
  }

  /**
   * "ferry: waiting for 3 chunks held by other processes (their leases run out by 2026-12-07T12:03:04Z if those
   * processes died, and this one takes them over)": the latest expiry, in UTC to the second. Pure.
   */
  static String line(OpenChunks open) {
    int n = open.heldByOthers();
    String by = Instant.ofEpochMilli(open.lastLeaseEndMillis()).truncatedTo(ChronoUnit.SECONDS).toString();
    return "ferry: waiting for " + n + (n == 1 ? " chunk" : " chunks") + " held by other processes ("
        + (n == 1 ? "its lease runs" : "their leases run") + " out by " + by + " if "
        + (n == 1 ? "its process" : "those processes") + " died, and this one takes " + (n == 1 ? "it" : "them")
        + " over)";
  }
}
