package dev.ferry.core.pool;

import dev.ferry.testing.FakeScheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BatcherTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final LivePool pool = LivePool.builder().name("batches").concurrency(2).queueCapacity(10)
      .overflow(Overflow.REJECT).ticker(ticker).scheduler(scheduler).build();
  private final List<List<String>> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void closePool() {
    pool.close();
  }

  /** A batch function that records its batch and answers each item with its upper-case form. */
  private List<ItemOutcome<String>> upper(List<String> items) {
    calls.add(items);
    return items.stream().map(s -> ItemOutcome.success(s.toUpperCase())).toList();
  }

  private Batcher<String, String> batcher(int size, Duration wait) {
    return Batcher.<String, String>builder(pool, this::upper).maxBatchSize(size).maxWait(wait).build();
  }

  @Test
  void aFullBatchIsSentAtOnceAndEachItemGetsItsOwnResult() throws Exception {
    // Given
    Batcher<String, String> batcher = batcher(3, Duration.ofSeconds(1));

    // When
    CompletableFuture<String> a = batcher.add("a");
    CompletableFuture<String> b = batcher.add("b");
    CompletableFuture<String> c = batcher.add("c");

    // Then
    assertThat(a.get() + b.get() + c.get()).isEqualTo("ABC");
    assertThat(calls).containsExactly(List.of("a", "b", "c"));
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aPartBatchIsSentWhenItsOldestItemHasWaitedMaxWait() throws Exception {
    // Given
    Batcher<String, String> batcher = batcher(10, Duration.ofMillis(100));
    CompletableFuture<String> a = batcher.add("a");
    scheduler.advance(Duration.ofMillis(60));
    CompletableFuture<String> b = batcher.add("b");

    // When: 99 ms after the first item, then 100 ms
    scheduler.advance(Duration.ofMillis(39));
    boolean sentEarly = !calls.isEmpty() || batcher.pendingItems() != 2;
    scheduler.advance(Duration.ofMillis(1));

    // Then
    assertThat(sentEarly).isFalse();
    assertThat(a.get() + b.get()).isEqualTo("AB");
    assertThat(calls).containsExactly(List.of("a", "b"));
  }

  @Test
  void theTimerOfABatchSentBySizeDoesNotCutTheNextBatchEarly() throws Exception {
    // Given: a batch cut by size at t=0, whose timer was armed for t=100 ms
    List<Scheduler.Cancellable> ignoredCancels = new ArrayList<>();
    Scheduler cancelLosesTheRace = (action, delay) -> {
      Scheduler.Cancellable real = scheduler.schedule(action, delay);
      ignoredCancels.add(real);
      return () -> false;
    };
    LivePool racy = LivePool.builder().name("racy").concurrency(2).ticker(ticker).scheduler(cancelLosesTheRace)
        .build();
    Batcher<String, String> batcher = Batcher.<String, String>builder(racy, this::upper).maxBatchSize(2)
        .maxWait(Duration.ofMillis(100)).build();
    batcher.add("a");
    batcher.add("b").get();

    // When: the next item arrives at t=50 ms and the stale timer fires at t=100 ms
    scheduler.advance(Duration.ofMillis(50));
    CompletableFuture<String> c = batcher.add("c");
    scheduler.advance(Duration.ofMillis(50));

    // Then: c is still pending; it goes at t=150 ms
    assertThat(c).isNotDone();
    assertThat(batcher.pendingItems()).isEqualTo(1);
    scheduler.advance(Duration.ofMillis(50));
    assertThat(c.get()).isEqualTo("C");
    assertThat(calls).containsExactly(List.of("a", "b"), List.of("c"));
    racy.close();
  }

  @Test
  void perItemFailuresFailOnlyTheirItems() throws Exception {
    // Given
    Batcher<String, String> batcher = Batcher.<String, String>builder(pool, items -> items.stream()
            .map(s -> s.startsWith("!") ? ItemOutcome.<String>failure(new IllegalArgumentException("bad " + s))
                : ItemOutcome.success(s))
            .toList())
        .maxBatchSize(2).build();

    // When
    CompletableFuture<String> ok = batcher.add("ok");
    CompletableFuture<String> bad = batcher.add("!x");

    // Then
    assertThat(ok.get()).isEqualTo("ok");
    assertThatThrownBy(bad::get).cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad !x");
  }

  @Test
  void anAnswerOfTheWrongSizeFailsEveryItemWithAClearMessage() {
    // Given
    Batcher<String, String> batcher = Batcher.<String, String>builder(pool,
        items -> List.of(ItemOutcome.success("only one"))).maxBatchSize(2).build();

    // When
    CompletableFuture<String> a = batcher.add("a");
    CompletableFuture<String> b = batcher.add("b");

    // Then
    for (CompletableFuture<String> f : List.of(a, b)) {
      assertThatThrownBy(f::get).cause().isInstanceOf(IllegalStateException.class)
          .hasMessage("batch function returned 1 outcomes for a batch of 2 items");
    }
  }

  @Test
  void aThrowingBatchFunctionFailsEveryItemWithItsException() {
    // Given
    Batcher<String, String> batcher = Batcher.<String, String>builder(pool, items -> {
      throw new IllegalStateException("downstream is down");
    }).maxBatchSize(2).build();

    // When
    CompletableFuture<String> a = batcher.add("a");
    CompletableFuture<String> b = batcher.add("b");

    // Then
    assertThatThrownBy(a::get).cause().hasMessage("downstream is down");
    assertThatThrownBy(b::get).cause().hasMessage("downstream is down");
  }

  @Test
  void aBatchTheFullPoolRejectsFailsEveryItemWithTheRejection() throws Exception {
    // Given: a pool with one slot, no queue, busy
    LivePool full = LivePool.builder().name("full").concurrency(1).queueCapacity(0).overflow(Overflow.REJECT)
        .ticker(ticker).scheduler(scheduler).build();
    Gate gate = Gate.occupying(full, 1);
    Batcher<String, String> batcher = Batcher.<String, String>builder(full, this::upper).maxBatchSize(2).build();

    // When
    CompletableFuture<String> a = batcher.add("a");
    CompletableFuture<String> b = batcher.add("b");

    // Then
    assertThatThrownBy(a::get).cause().isInstanceOf(PoolRejectedException.class).hasMessageContaining("'full'");
    assertThatThrownBy(b::get).cause().isInstanceOf(PoolRejectedException.class);
    gate.open();
    full.close();
  }

  @Test
  void closeSendsWhatIsPendingAndRefusesNewItems() throws Exception {
    // Given
    Batcher<String, String> batcher = batcher(10, Duration.ofSeconds(1));
    CompletableFuture<String> a = batcher.add("a");

    // When
    batcher.close();

    // Then
    assertThat(a.get()).isEqualTo("A");
    assertThat(scheduler.pending()).isZero();
    assertThatThrownBy(() -> batcher.add("b")).isInstanceOf(IllegalStateException.class)
        .hasMessage("batcher is closed");
  }
}
