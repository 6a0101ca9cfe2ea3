package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowProcessor;
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

/** The drain's settling rules and its concurrency rule, in virtual time, items run in place. */
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
        time, MetricsRecorder.none(), items);
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
    d.round();
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
  void inFlightFollowsTheQueueUpToTheConcurrency() {
    queue.offer("d", java.util.Collections.nCopies(10, "{}"), time.millis(), 100);
    Drain d = drain(row -> outcome(row.row(), Outcome.DONE, false, ""), 4, parked::add);
    d.round();
    assertThat(d.inFlight()).isEqualTo(4);
    d.round(); // no free slot: nothing claimed
    assertThat(queue.stats(time.millis()).claimed()).isEqualTo(4);
    parked.remove(0).run();
    d.round();
    assertThat(d.inFlight()).isEqualTo(4);
    assertThat(queue.stats(time.millis()).claimed()).isEqualTo(4);
    assertThat(queue.stats(time.millis()).done()).isEqualTo(1);
    while (!parked.isEmpty()) {
      parked.remove(0).run();
      d.round();
    }
    assertThat(queue.stats(time.millis()).done()).isEqualTo(10);
    assertThat(d.inFlight()).isZero();
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
