package dev.ferry.core.limit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A job in virtual time against a {@link ConcurrencyLimiter}: an endless backlog of rows, admitted every poll up to
 * the limit, each row going through a pipeline of targets in turn (a spec's steps, a service's). A target answers
 * every call after a constant latency and takes rows either one per call or gathered into calls of at most
 * {@code batch} rows (every row waiting for it at the poll). Each answer is fed to the limiter as the targets feed it:
 * to the target's own source with the rows the call carried ({@code countRows}) or as one sample, with the rows then in
 * flight at the target as its load (sources) or the limiter's permits (one shared algorithm, as before sources).
 */
final class VirtualPipeline {
  static final long S = 1_000_000_000L;
  static final long POLL = 50_000_000L;

  /**
   * One target of the pipeline: its no-load latency, the most rows it takes in one call (1: a call per row), and the
   * rows it works on at once: beyond them, rows queue and a call's latency grows in proportion.
   */
  record Target(String name, long latencyNanos, int batch, int capacity) {
    Target(String name, long latencyNanos, int batch) {
      this(name, latencyNanos, batch, Integer.MAX_VALUE);
    }

    long latency(int rowsAtTarget) {
      return rowsAtTarget <= capacity ? latencyNanos : (long) ((double) latencyNanos * rowsAtTarget / capacity);
    }
  }

  private record Call(int target, long start, long end, int rows) {}

  private final ConcurrencyLimiter limiter;
  private final List<Target> targets;
  private final boolean countRows;
  private final boolean perTarget;
  private final ConcurrencyLimiter.Source[] sources;
  private final int[] waiting;
  private final int[] inCalls;
  private final PriorityQueue<Call> calls = new PriorityQueue<>(Comparator.comparingLong(Call::end));
  private int inflight;
  /** Answers fed to the limiter so far. */
  int answers;
  /** Rows done (through every target). */
  long done;

  /**
   * @param countRows an answer is fed as the rows its call carried (else as one sample, as before)
   * @param perTarget each target feeds its own source with its own rows in flight (else one source, the permits)
   */
  VirtualPipeline(ConcurrencyLimiter limiter, List<Target> targets, boolean countRows, boolean perTarget) {
    this.limiter = limiter;
    this.targets = targets;
    this.countRows = countRows;
    this.perTarget = perTarget;
    this.sources = new ConcurrencyLimiter.Source[targets.size()];
    for (int i = 0; i < sources.length; i++) sources[i] = limiter.source(perTarget ? targets.get(i).name() : "");
    this.waiting = new int[targets.size()];
    this.inCalls = new int[targets.size()];
  }

  /**
   * Runs until {@code untilNanos} of virtual time, or until the limit first reaches {@code stopAtLimit}.
   *
   * @return the limit at each whole virtual second
   */
  List<Integer> run(long untilNanos, int stopAtLimit) {
    List<Integer> bySecond = new ArrayList<>();
    for (long t = 0; t <= untilNanos; t += POLL) {
      while (!calls.isEmpty() && calls.peek().end() <= t) answer(calls.poll());
      int admit = limiter.limit() - inflight;
      if (admit > 0) {
        inflight += admit;
        waiting[0] += admit;
      }
      for (int i = 0; i < targets.size(); i++) send(i, t);
      if (t % S == 0) bySecond.add(limiter.limit());
      if (limiter.limit() >= stopAtLimit) break;
    }
    return bySecond;
  }

  private void send(int i, long t) {
    Target target = targets.get(i);
    while (waiting[i] > 0) {
      int rows = Math.min(waiting[i], target.batch());
      waiting[i] -= rows;
      inCalls[i] += rows;
      calls.add(new Call(i, t, t + target.latency(inCalls[i]), rows));
    }
  }

  private void answer(Call c) {
    answers++;
    int load = perTarget ? inCalls[c.target()] : inflight;
    sources[c.target()].onSample(c.start(), c.end() - c.start(), load, false, countRows ? c.rows() : 1);
    inCalls[c.target()] -= c.rows();
    if (c.target() + 1 < targets.size()) {
      waiting[c.target() + 1] += c.rows();
      send(c.target() + 1, c.end());
    } else {
      inflight -= c.rows();
      done += c.rows();
    }
  }
}
