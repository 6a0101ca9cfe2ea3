package dev.ferry.core.pool;

import dev.ferry.testing.FakeScheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SerialSectionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final LivePool pool = LivePool.builder().name("serial").concurrency(4).ticker(ticker)
      .scheduler(new FakeScheduler(ticker)).build();

  @Test
  void waitAndHoldTimesShowInThePoolMetrics() throws Exception {
    // Given: task A holds the section until let go; task B queues for it
    SerialSection section = pool.serialSection();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    CompletableFuture<String> a = pool.submit(() -> section.run(() -> {
      inside.countDown();
      letGo.await();
      return "a";
    }));
    inside.await();
    CompletableFuture<String> b = pool.submit(() -> section.run(() -> {
      ticker.advance(Duration.ofMillis(200));
      return "b";
    }));
    Gate.until(() -> section.waiting() == 1);

    // When: A holds it 2 s (virtual) while B waits
    ticker.advance(Duration.ofSeconds(2));
    letGo.countDown();

    // Then
    assertThat(a.get() + b.get()).isEqualTo("ab");
    PoolMetrics m = pool.metrics();
    assertThat(m.serialPasses()).isEqualTo(2);
    assertThat(m.serialWaitTotal()).isEqualTo(Duration.ofSeconds(2));
    assertThat(m.serialHoldTotal()).isEqualTo(Duration.ofMillis(2_200));
    pool.close();
  }

  @Test
  void onlyOneThreadIsInsideAtATime() throws Exception {
    // Given
    SerialSection section = pool.serialSection();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();

    // When: 4 tasks pass 200 times each, yielding while inside
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      futures.add(pool.submit(() -> {
        for (int i = 0; i < 200; i++) {
          section.run(() -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            Thread.yield();
            return inside.decrementAndGet();
          });
        }
        return null;
      }));
    }
    for (CompletableFuture<Void> f : futures) f.get();

    // Then
    assertThat(most).hasValue(1);
    assertThat(pool.metrics().serialPasses()).isEqualTo(800);
    pool.close();
  }

  @Test
  void aNestedPassIsRefused() {
    // Given
    SerialSection section = pool.serialSection();

    // When / Then
    assertThatThrownBy(() -> section.run(() -> section.run(() -> 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already inside");
    pool.close();
  }
}
