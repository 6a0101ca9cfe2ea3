package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.exec.Admission;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.store.WorkQueue;
import dev.ferry.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain's settling rules and its concurrency rule (it follows the queue: {@link QueueScaler}), in virtual time;
 * items run in place or are parked until the test runs them.
 */
class DrainTest {
  @TempDir
  Path dir;
  SqlWorkQueue queue;
  final FakeTicker time = new FakeTicker();
  final List<Runnable> parked = new ArrayList<>();

  @BeforeEach
  void open() {
    queue = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "q");
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private Drain drain(RowProcessor p, int concurrency, java.util.concurrent.Executor items) {
    return new Drain(queue, p, "me", concurrency, Duration.ofSeconds(30), 3, Duration.ofSeconds(5), time, time,
        time, MetricsRecorder.none(), new ItemRates(time), items);
  }

  private static RowOutcome outcome(long row, Outcome o, boolean retryable, String message) {
    return new RowOutcome(row, 0, 0, o, retryable, "k" + row, "embed", o == Outcome.DONE ? 200 : 503, "",
        message, "", "");
  }

  @Test
  void doneFailedAndTransientFailuresSettleAsTheirOutcomeSays() {
    queue.offer("d", List.of("{\"n\":\"ok\"}", "{\"n\":\"bad\"}", "{\"n\":\"flaky\"}", "[1]"), time.millis(), 100);
    RowProcessor p = row -> switch ((String) row.record().get("n")) {
      case "ok" -> outcome(row.row(), Outcome.DONE, false, "");
      case "bad" -> outcome(row.row(), Outcome.FAILED, false, "refused");
      default -> outcome(row.row(), Outcome.FAILED, true, "unavailable");
    };
    Drain d = drain(p, 10, Runnable::run);
    for (int i = 0; i < 3; i++) d.round(); // claims of 1, 2, then the last one (the target doubles on full claims)
    WorkQueue.QueueStats s = queue.stats(time.millis());
    assertThat(s.done()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(2); // "bad", and the stored "[1]" that is not an object
    assertThat(s.pending()).isEqualTo(1); // "flaky": back in the queue, due in 5 s x attempt 1
    d.round();
    assertThat(queue.stats(time.millis()).pending()).isEqualTo(1);
    time.advance(Duration.ofSeconds(5));
    d.round(); // attempt 2: due again 10 s later
    time.advance(Duration.ofSeconds(10));
    d.round(); // attempt 3 of 3: fails for good
    assertThat(queue.stats(time.millis()).failed()).isEqualTo(3);
    assertThat(queue.failed(10)).extracting(WorkQueue.FailedItem::reason)
        .contains("embed: 503 refused (key k2)", "embed: 503 unavailable (key k3)");
  }

  @Test
  void aTargetThatCannotBeUsedKeepsItsItemsUncountedAndTheDrainProbesWithBackoffUntilItWorks() {
    // Given a target refusing connections from the start (the steps stop with a TargetUnusableException as cause)
    queue.offer("d", java.util.Collections.nCopies(10, "{}"), time.millis(), 100);
    boolean[] up = {false};
    List<Long> tried = new ArrayList<>();
    RowProcessor p = row -> {
      tried.add(row.row());
      if (up[0]) return outcome(row.row(), Outcome.DONE, false, "");
      var stop = new dev.ferry.core.engine.StopJobException("cannot connect to 127.0.0.1:1: connection refused");
      stop.initCause(new dev.ferry.http.TargetUnusableException(stop.getMessage()));
      throw stop;
    };
    Drain d = drain(p, 10, Runnable::run);

    // When the drain runs for ten minutes of virtual time (max_attempts is 3)
    d.round();
    assertThat(d.outage()).hasValueSatisfying(o -> assertThat(o.reason()).contains("connection refused"));
    for (int i = 0; i < 600 * 20; i++) {
      time.advance(Drain.IDLE_POLL);
      d.round();
    }

    // Then nothing failed, nothing counted an attempt, and it probed one item at a time with a pause that doubled
    // up to 30 s: 1+2+4+8+16 s, then every 30 s
    assertThat(queue.stats(time.millis()).failed()).isZero();
    assertThat(queue.stats(time.millis()).pending()).isEqualTo(10);
    assertThat(tried.size()).isBetween(20, 26);
    assertThat(d.outage().orElseThrow().probes()).isEqualTo(tried.size());

    // When the target comes up, the next probe gets through, the outage ends, and every item is done once
    up[0] = true;
    tried.clear();
    for (int i = 0; i < 31 * 20 && queue.stats(time.millis()).done() < 10; i++) {
      time.advance(Drain.IDLE_POLL);
      d.round();
    }
    assertThat(d.outage()).isEmpty();
    assertThat(queue.stats(time.millis()).done()).isEqualTo(10);
    assertThat(tried).doesNotHaveDuplicates().hasSize(10);
  }

  @Test
  void aBacklogDoublesTheConcurrencyEveryRoundUpToTheStatedOne() {
    queue.offer("d", java.util.Collections.nCopies(100, "{}"), time.millis(), 1000);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 16, parked::add);
    List<Integer> inFlight = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      d.round();
      inFlight.add(d.inFlight());
    }
    assertThat(inFlight).containsExactly(1, 2, 4, 8, 16, 16, 16);
    assertThat(d.concurrency()).isEqualTo(16);
    assertThat(d.ceiling()).isEqualTo(16);
    assertThat(queue.stats(time.millis()).claimed()).isEqualTo(16);
    parked.remove(0).run(); // one settles: its slot is taken again at once
    d.round();
    assertThat(d.inFlight()).isEqualTo(16);
    assertThat(queue.stats(time.millis()).done()).isEqualTo(1);
  }

  @Test
  void underTheServiceAdaptiveLimitTheCeilingFollowsItAndNeverPassesTheStatedConcurrency() {
    // Given the service's slots: the adaptive limit (starts at 16) under a stated concurrency of 64
    queue.offer("d", java.util.Collections.nCopies(100, "{}"), time.millis(), 1000);
    ConcurrencyLimiter limit = Service.adaptiveLimit(64);
    Drain d = new Drain(queue, row -> outcome(row.row(), Outcome.DONE, false, ""), "me", Admission.adaptive(limit),
        Duration.ofSeconds(30), 3, Duration.ofSeconds(5), time, time, time, MetricsRecorder.none(),
        new ItemRates(time), parked::add);

    // When a backlog waits, the drain doubles up to the adaptive limit, not to 64
    for (int i = 0; i < 7; i++) d.round();
    assertThat(d.ceiling()).isEqualTo(16);
    assertThat(d.inFlight()).isEqualTo(16);

    // When every answer is a drop (429s, timeouts), the limit falls, and so does the ceiling
    for (int i = 0; i < 50; i++) limit.onSample(time.read(), 1_000_000, 16, true);
    assertThat(d.ceiling()).isLessThan(16).isGreaterThanOrEqualTo(4);

    // and a stated concurrency below the adaptive limit's start caps it
    assertThat(Service.adaptiveLimit(2).limit()).isEqualTo(2);
  }

  @Test
  void aShallowQueueRunsWhatItHasAndTheConcurrencyStopsRising() {
    queue.offer("d", java.util.Collections.nCopies(3, "{}"), time.millis(), 100);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 64, parked::add);
    for (int i = 0; i < 5; i++) d.round();
    assertThat(d.inFlight()).isEqualTo(3);
    assertThat(d.concurrency()).as("1, 2, then a claim of 2 that got 1: no further rise").isEqualTo(4);
  }

  @Test
  void whenTheQueueEmptiesTheConcurrencyHalvesOncePerPeriodDownToOne() {
    queue.offer("d", java.util.Collections.nCopies(40, "{}"), time.millis(), 100);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 16, Runnable::run);
    for (int i = 0; i < 6; i++) d.round(); // 1 + 2 + 4 + 8 + 16 + 9: all 40 done
    assertThat(queue.stats(time.millis()).done()).isEqualTo(40);
    assertThat(d.concurrency()).isEqualTo(16);
    List<Integer> targets = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      time.advance(Drain.SCALE_DOWN_AFTER.minusMillis(1));
      d.round();
      int before = d.concurrency();
      time.advance(Duration.ofMillis(1));
      d.round();
      assertThat(before).as("not before the period").isEqualTo(i == 0 ? 16 : targets.get(i - 1));
      targets.add(d.concurrency());
    }
    assertThat(targets).containsExactly(8, 4, 2, 1, 1, 1);
    // a new burst starts from one slot and rises again
    queue.offer("d2", java.util.Collections.nCopies(10, "{}"), time.millis(), 100);
    d.round();
    assertThat(queue.stats(time.millis()).done()).isEqualTo(41);
  }

  @Test
  void unusedSlotsAreTakenAwayButBusyOnesAreNot() {
    queue.offer("d", java.util.Collections.nCopies(4, "{}"), time.millis(), 100);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 8, parked::add);
    for (int i = 0; i < 4; i++) d.round(); // claims of 1, 1, 2 (all full), then of 4 that got none
    assertThat(d.inFlight()).isEqualTo(4);
    assertThat(d.concurrency()).isEqualTo(8);
    time.advance(Drain.SCALE_DOWN_AFTER);
    d.round();
    assertThat(d.concurrency()).as("four slots unused for the period: halved").isEqualTo(4);
    time.advance(Drain.SCALE_DOWN_AFTER.multipliedBy(3));
    d.round();
    assertThat(d.concurrency()).as("every slot busy: no halving").isEqualTo(4);
    parked.forEach(Runnable::run);
    assertThat(queue.stats(time.millis()).done()).isEqualTo(4);
  }

  @Test
  void leasesOfItemsInFlightAreRenewedSoNoOtherProcessTakesThem() {
    queue.offer("d", List.of("{}"), time.millis(), 100);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 4, parked::add);
    d.round();
    for (int i = 0; i < 6; i++) {
      time.advance(Duration.ofSeconds(10));
      d.round();
    }
    assertThat(queue.claim("other", 10, time.millis(), 30_000)).isEmpty(); // 60 s later, still held
    parked.remove(0).run();
    assertThat(queue.stats(time.millis()).done()).isEqualTo(1);
  }

  @Test
  void aStopPastTheDeadlineInterruptsAndTheItemsGoBackToTheQueue() throws Exception {
    queue.offer("d", List.of("{}", "{}"), time.millis(), 100);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 4, parked::add);
    d.round();
    d.stopClaiming();
    assertThat(d.awaitIdle(Duration.ofSeconds(2))).isFalse();
    queue.release("me");
    WorkQueue.QueueStats s = queue.stats(time.millis());
    assertThat(s.pending()).isEqualTo(2);
    assertThat(queue.claim("next", 10, time.millis(), 1000)).extracting(WorkQueue.QueueItem::attempts)
        .containsOnly(1);
  }
}
