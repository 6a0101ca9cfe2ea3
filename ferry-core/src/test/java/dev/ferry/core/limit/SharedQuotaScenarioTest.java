package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two processes of a distributed job against one target that states its quota in headers, in virtual time: each
 * process has its own pacer and {@link QuotaPace}, fed the answers to its own requests (as AdaptiveFeedback feeds
 * them), and the target counts both. Paced at their share ({@code processes} = 2) they spend the quota once and meet
 * no 429 once it is known; each pacing as if alone ({@code processes} = 1, ferry before the share) spends it twice
 * as fast and is refused near the end of a window every other window or more (here: one every 10 s at the fixed
 * window, two every 3 s at the sliding one). Deterministic: one event queue, no threads, no randomness.
 */
class SharedQuotaScenarioTest {
  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final long LATENCY = 20 * MS;
  private static final int WORKERS = 4;
  private static final long RUN = 60 * S;

  /** How the model target counts: an exact sliding log of 80 per 2 s, or fixed windows of 400 per 10 s. */
  enum Server {
    SLIDING(80, 2 * S),
    FIXED(400, 10 * S);

    final int limit;
    final long window;

    Server(int limit, long window) {
      this.limit = limit;
      this.window = window;
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void twoProcessesPacingTheirShareSpendTheQuotaOnceAndAreNotRefused(Server server) {
    // Given two processes that know they are two
    Outcome shared = new Model(server, 2).run();
    // Then nothing is refused once the quota is known, and the quota is used (at least 95 % of it)
    assertThat(shared.refusedAfterTwoWindows).isZero();
    assertThat(shared.admitted).isGreaterThanOrEqualTo((long) (0.95 * server.limit * RUN / server.window));
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void twoProcessesPacingAsIfAloneAreRefused(Server server) {
    // Given two processes that each pace the whole quota (the count not shared)
    Outcome alone = new Model(server, 1).run();
    // Then the target refuses some of what they send, window after window
    assertThat(alone.refusedAfterTwoWindows).isGreaterThanOrEqualTo(RUN / server.window / 2 - 2);
  }

  /**
   * @param refusedAfterTwoWindows 429s from the end of the second window on: the requests sent before the first
   *                               answer stated the quota are in no pacer's ring, and leave the target's window only
   *                               a window later
   */
  record Outcome(long admitted, long refusedAfterTwoWindows) {}

  /** Something that happens at {@code time}; events at one time happen in the order they were planned. */
  record Event(long time, long seq, Runnable action) {}

  /** What the target did with a request, and the quota its answer states. */
  record Counted(boolean admitted, Quota quota) {}

  /** The target and the two processes, driven by one queue of events. Not threadsafe. */
  private static final class Model {
    private final long[] clock = {1_000 * S};
    private final Ticker ticker = () -> clock[0];
    private final long start = clock[0];
    private final PriorityQueue<Event> events = new PriorityQueue<>(
        java.util.Comparator.comparingLong(Event::time).thenComparingLong(Event::seq));
    private long seq;
    private final Server server;
    private final int processesSeen;
    private final ArrayDeque<Long> log = new ArrayDeque<>();
    private long fixedIndex = Long.MIN_VALUE;
    private int fixedUsed;
    private long admitted;
    private long refused;

    Model(Server server, int processesSeen) {
      this.server = server;
      this.processesSeen = processesSeen;
    }

    Outcome run() {
      for (int p = 0; p < 2; p++) {
        Process process = new Process();
        // the second starts a little later (processes never start at the same instant)
        for (int w = 0; w < WORKERS; w++) at(clock[0] + p * 7 * MS, () -> process.next());
      }
      while (!events.isEmpty()) {
        Event e = events.poll();
        if (e.time() - start > RUN) break;
        clock[0] = e.time();
        e.action().run();
      }
      return new Outcome(admitted, refused);
    }

    private void at(long time, Runnable action) {
      events.add(new Event(time, seq++, action));
    }

    /** The target counts a request arriving now. */
    private Counted count() {
      long now = clock[0];
      if (server == Server.SLIDING) {
        while (!log.isEmpty() && log.peekFirst() + server.window <= now) log.pollFirst();
        boolean admit = log.size() < server.limit;
        if (admit) log.addLast(now);
        long reset = log.isEmpty() ? 0 : log.peekLast() + server.window - now; // until the quota is whole again
        return answer(admit, server.limit - log.size(), Math.ceilDiv(reset, MS) * MS);
      }
      long index = Math.floorDiv(now - start, server.window);
      if (index != fixedIndex) {
        fixedIndex = index;
        fixedUsed = 0;
      }
      boolean admit = fixedUsed < server.limit;
      if (admit) fixedUsed++;
      long reset = start + (index + 1) * server.window - now;
      return answer(admit, server.limit - fixedUsed, Math.ceilDiv(reset, S) * S); // whole seconds, rounded up
    }

    private Counted answer(boolean admit, long remaining, long resetNanos) {
      if (admit) {
        admitted++;
      } else if (clock[0] - start >= 2 * server.window) {
        refused++;
      }
      return new Counted(admit, new Quota(server.limit, remaining, resetNanos, -1));
    }

    /** One process: its pacer, its quota reader, its workers (each one request at a time). */
    private final class Process {
      private final RateLimiter pacer = RateLimiter.smooth(20, ticker);
      private final QuotaPace quotas = new QuotaPace(0.985);
      private long sends;

      /**
       * A worker takes its next permit and sends when it is due; a permit reserved before a pause began is given up
       * and reserved again behind it (as {@link RateLimiter#acquire} does).
       */
      void next() {
        long pauses = pacer.pauses();
        at(clock[0] + pacer.reserveNanos(), () -> {
          if (pacer.pauses() != pauses) {
            next();
          } else {
            send();
          }
        });
      }

      private void send() {
        long sent = clock[0];
        long seq = sends++;
        at(sent + LATENCY / 2, () -> {
          Counted counted = count();
          at(clock[0] + LATENCY / 2, () -> answered(sent, seq, counted));
        });
      }

      private void answered(long sent, long seq, Counted counted) {
        Quota quota = counted.quota();
        QuotaPace.Step step = quotas.onQuota(sent, clock[0], quota, true, sends - seq - 1, processesSeen);
        if (!Double.isNaN(step.pace()) && step.pace() != pacer.rate()) pacer.setRate(step.pace());
        if (step.pauseNanos() > 0) pacer.pauseFor(Duration.ofNanos(step.pauseNanos()));
        if (step.budgetPermits() > 0) {
          pacer.limitWindow(step.budgetPermits(), Duration.ofNanos(step.budgetWindowNanos()));
          pacer.countedLate(sent, step.countedLateNanos());
        }
        if (!counted.admitted()) pacer.pauseFor(Duration.ofNanos(quota.resetNanos())); // a 429: wait for the quota
        next(); // the next request (a refused one again)
      }
    }
  }
}
