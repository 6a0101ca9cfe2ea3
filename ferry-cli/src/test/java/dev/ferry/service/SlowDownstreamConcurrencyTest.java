package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.ConcurrencyLimiter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * {@code ferry serve}'s adaptive concurrency in front of a downstream that takes 8 s a call (a new-user trial), in
 * virtual time: the drain's limit ({@link Service#adaptiveLimit}) fed by the target's answers as the targets feed it,
 * an answer counting the items its call carried ({@link ConcurrencyLimiter.Source#onSample}):
 * <ul>
 *   <li>A backlog, one call per item: the limit doubles per window of answers and reaches 64 within 40 s.</li>
 *   <li>A backlog through a batch step that puts every item in flight into one call per round: the same, 64 within
 *       40 s, from one answer a round. Before an answer counted its items, a window needed 10 answers, one per 8 s
 *       round here, so each doubling waited 80 s (16 for the first 80 s, 64 after 160 s): the trial's reading,
 *       kept below as the "one sample a call" case.</li>
 *   <li>Deliveries of 2 items/s: Little's law puts 16 items in flight (2/s × 8 s), and 16 are; the limit above them
 *       still rises (a window at least half used doubles it while no queueing shows), unused: the drain's
 *       queue scaler, not the limit, holds what is in flight to what the queue has.</li>
 * </ul>
 */
class SlowDownstreamConcurrencyTest {
  private static final long S = 1_000_000_000L;
  private static final long TICK = 50_000_000L; // the drain's poll
  private static final long LATENCY = 8 * S;

  /** One call: its start, answer time and the items it carried. */
  private record Call(long start, long end, int items) {}

  /**
   * Runs the drain's limit for {@code seconds}: every poll, up to {@code limit − in flight} items are claimed (at
   * most {@code arrivalsPerPoll} new ones; -1: an endless backlog) and sent, each alone or all in one batch call.
   *
   * @return the limit at each whole second
   */
  private static List<Integer> run(int seconds, boolean batched, int arrivalsPerPoll) {
    return run(seconds, batched, arrivalsPerPoll, true);
  }

  /** @param countItems an answer counts the items it carried (else one sample a call, as before) */
  private static List<Integer> run(int seconds, boolean batched, int arrivalsPerPoll, boolean countItems) {
    ConcurrencyLimiter limit = Service.adaptiveLimit(64);
    ConcurrencyLimiter.Source target = limit.source("embeddings");
    PriorityQueue<Call> calls = new PriorityQueue<>(Comparator.comparingLong(Call::end));
    List<Integer> bySecond = new ArrayList<>();
    int inflight = 0;
    int waiting = 0;
    for (long t = 0; t <= seconds * S; t += TICK) {
      while (!calls.isEmpty() && calls.peek().end() <= t) {
        Call c = calls.poll();
        target.onSample(c.start(), c.end() - c.start(), inflight, false, countItems ? c.items() : 1);
        inflight -= c.items();
      }
      waiting = arrivalsPerPoll < 0 ? Integer.MAX_VALUE : waiting + arrivalsPerPoll;
      int claim = Math.min(waiting, limit.limit() - inflight);
      if (claim > 0) {
        if (batched) {
          calls.add(new Call(t, t + LATENCY, claim));
        } else {
          for (int i = 0; i < claim; i++) calls.add(new Call(t, t + LATENCY, 1));
        }
        inflight += claim;
        if (arrivalsPerPoll >= 0) waiting -= claim;
      }
      if (t % S == 0) bySecond.add(limit.limit());
    }
    return bySecond;
  }

  @Test
  void deliveriesAtTwoPerSecondKeepSixteenInFlightWhateverTheLimit() {
    int[] peak = new int[1];
    List<Integer> limit = runShallow(peak);
    assertThat(peak[0]).isEqualTo(16); // Little's law: 2 items/s × 8 s
    assertThat(limit.get(299)).isEqualTo(64); // unused headroom, not a stuck limit
  }

  @Test
  void aBacklogOfSingleCallsFillsTheLimitWithinFortySeconds() {
    List<Integer> limit = run(300, false, -1);
    assertThat(limit.get(40)).isEqualTo(64);
  }

  @Test
  void aBacklogThroughOneBatchCallPerRoundFillsTheLimitAsFastAsSingleCalls() {
    List<Integer> batched = run(300, true, -1);
    List<Integer> single = run(300, false, -1);
    assertThat(batched.get(40)).isEqualTo(64);
    assertThat(batched.subList(0, 41)).isEqualTo(single.subList(0, 41));
  }

  @Test
  void oneSampleABatchCallDoubledOnlyEveryTenAnswers() {
    List<Integer> limit = run(300, true, -1, false);
    assertThat(limit.get(60)).isEqualTo(16); // the trial's reading, before an answer counted its items
    assertThat(limit.get(100)).isEqualTo(32);
    assertThat(limit.get(200)).isEqualTo(64);
  }

  /** 2 items/s: one item every 10th poll; {@code peak[0]}: the most items in flight at once. */
  private static List<Integer> runShallow(int[] peak) {
    ConcurrencyLimiter limit = Service.adaptiveLimit(64);
    PriorityQueue<Call> calls = new PriorityQueue<>(Comparator.comparingLong(Call::end));
    List<Integer> bySecond = new ArrayList<>();
    int inflight = 0;
    long poll = 0;
    for (long t = 0; t <= 300 * S; t += TICK, poll++) {
      while (!calls.isEmpty() && calls.peek().end() <= t) {
        Call c = calls.poll();
        limit.onSample(c.start(), c.end() - c.start(), inflight, false);
        inflight -= c.items();
      }
      if (poll % 10 == 0 && inflight < limit.limit()) {
        calls.add(new Call(t, t + LATENCY, 1));
        inflight++;
        peak[0] = Math.max(peak[0], inflight);
      }
      if (t % S == 0) bySecond.add(limit.limit());
    }
    return bySecond;
  }
}
