package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.time.Sleeper;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.store.WorkQueue;
import dev.ferry.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedupe window in virtual time, on a real SQLite queue (the queue's own contract runs on PostgreSQL too). */
class CompactorTest {
  static final Duration WINDOW = Duration.ofDays(7);

  @TempDir
  Path dir;

  @Test
  void aRedeliveryWithinTheWindowIsADuplicateAndAfterItIsRunAgain() {
    FakeTicker time = new FakeTicker();
    try (SqlWorkQueue q = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "pages")) {
      Compactor compactor = new Compactor(q, WINDOW, time, time);
      long received = time.millis();
      assertThat(q.offer("d1", List.of("{}"), received, 100)).isEqualTo(WorkQueue.Offer.STORED);
      q.claim("a", 10, received, 60_000).forEach(i -> q.done(i.id(), "a", received + 5));

      // a week less a millisecond later: still remembered
      time.advance(WINDOW.minusMillis(1));
      assertThat(compactor.compactNow()).isZero();
      assertThat(q.offer("d1", List.of("{}"), time.millis(), 100)).isEqualTo(WorkQueue.Offer.DUPLICATE);

      // past the window: forgotten with its done item, and a redelivery is stored and claimed again
      time.advance(Duration.ofMillis(2));
      assertThat(compactor.compactNow()).isEqualTo(1);
      assertThat(q.stats(time.millis()).done()).isZero();
      assertThat(q.offer("d1", List.of("{}"), time.millis(), 100)).isEqualTo(WorkQueue.Offer.STORED);
      assertThat(q.claim("a", 10, time.millis(), 60_000)).hasSize(1);
    }
  }

  @Test
  void itCompactsAtStartAndEveryPeriodInBatchesUntilInterrupted() throws Exception {
    FakeTicker time = new FakeTicker();
    try (SqlWorkQueue q = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "pages")) {
      // Given more old deliveries than one batch, all done
      int old = Compactor.BATCH + 20;
      for (int i = 0; i < old; i++) q.offer("old-" + i, List.of(), time.millis(), 100_000);
      time.advance(WINDOW.plusSeconds(1));
      // and one received later, which becomes old during the run
      q.offer("later", List.of(), time.millis(), 100_000);
      List<Long> slept = new ArrayList<>();
      Sleeper sleeper = nanos -> {
        slept.add(nanos);
        if (slept.size() == 1) time.advance(WINDOW.plusMillis(1)); // the next pass is a window later
        else throw new InterruptedException(); // then the service stops
      };
      Compactor compactor = new Compactor(q, WINDOW, time, sleeper);

      // When
      compactor.run();

      // Then: the first pass forgot the old ones (two transactions), the second the later one, an hour apart
      assertThat(slept).containsExactly(Duration.ofHours(1).toNanos(), Duration.ofHours(1).toNanos());
      for (String id : List.of("old-0", "old-" + (old - 1), "later")) {
        assertThat(q.offer(id, List.of(), time.millis(), 100_000)).as(id).isEqualTo(WorkQueue.Offer.STORED);
      }
      assertThat(Thread.interrupted()).isTrue(); // the interrupt is kept for the caller
    }
  }

  @Test
  void thePeriodIsATenthOfTheWindowBetweenAMinuteAndAnHour() {
    assertThat(Compactor.period(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
    assertThat(Compactor.period(Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(12));
    assertThat(Compactor.period(Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(1));
  }
}
