package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {
  /** A Limit whose value the test sets; counts samples. */
  private static final class ManualLimit implements Limit {
    volatile int value;
    final AtomicInteger samples = new AtomicInteger();
    volatile int lastInflight = -1;

    ManualLimit(int value) {
      this.value = value;
    }

    @Override
    public int limit() {
      return value;
    }

    @Override
    public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
      samples.incrementAndGet();
      lastInflight = inflight;
      return value;
    }
  }

  @Test
  void perSourceEachSourceFeedsItsOwnAlgorithmAndTheLimitIsTheirSumOnceTheyAnswered() {
    // Given: a limiter per source at most 50, whose algorithms start at 10, 20, 30
    java.util.List<ManualLimit> made = new java.util.ArrayList<>();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.perSource(() -> {
      ManualLimit l = new ManualLimit(10 * (made.size() + 1));
      made.add(l);
      return l;
    }, 50);
    ConcurrencyLimiter.Source embed = limiter.source("embed");
    ConcurrencyLimiter.Source upsert = limiter.source("upsert");
    ConcurrencyLimiter.Source idle = limiter.source("idle");
    // Then: before any answer, the first algorithm's limit; one source answered: its own limit
    assertThat(limiter.limit()).isEqualTo(10);
    embed.onSample(0, 1_000, 8, false, 8);
    assertThat(limiter.limit()).isEqualTo(10);
    assertThat(made.get(0).samples.get()).isEqualTo(8); // 8 rows: 8 samples
    assertThat(made.get(0).lastInflight).isEqualTo(8);
    // When the second answers with 5 rows of its own in flight: its limit (20) counts at most twice those (10)
    upsert.onSample(0, 1_000, 5, false, 1);
    assertThat(made.get(1).samples.get()).isEqualTo(1);
    assertThat(limiter.limit()).isEqualTo(10 + 10);
    // and with 15 in flight its whole limit counts; the sum stops at 50; the idle source counts for nothing
    upsert.onSample(0, 1_000, 15, false, 1);
    assertThat(limiter.limit()).isEqualTo(10 + 20);
    made.get(0).value = 40;
    embed.onSample(0, 1_000, 25, false, 1);
    assertThat(limiter.limit()).isEqualTo(50);
    assertThat(idle.limit()).isEqualTo(30);
    assertThat(made.get(2).samples.get()).isZero();
    assertThat(limiter.describe()).contains("embed").contains("upsert");
  }

  @Test
  void builtOfOneAlgorithmEverySourceFeedsIt() {
    // Given
    ManualLimit algorithm = new ManualLimit(4);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(algorithm);
    // When two sources answer, one a batch of 3 rows
    limiter.source("a").onSample(0, 1_000, 2, false, 3);
    limiter.source("b").onSample(0, 1_000, 2, false, 1);
    limiter.onSample(0, 1_000, false);
    // Then the one algorithm took 5 samples
    assertThat(algorithm.samples.get()).isEqualTo(5);
    assertThat(limiter.source("a").limit()).isEqualTo(4);
  }

  @Test
  void grantsUpToTheLimit() {
    // Given
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(new ManualLimit(2));
    // When / Then
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    limiter.release();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.inflight()).isEqualTo(2);
  }

  @Test
  void samplesSeeTheInflightCountAndResizeTheLimit() {
    // Given a limiter at 1 with one permit out
    ManualLimit algorithm = new ManualLimit(1);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(algorithm);
    limiter.tryAcquire();
    // When the algorithm raises the limit to 3
    algorithm.value = 3;
    limiter.onSample(0, 1_000_000, false);
    // Then the sample saw 1 in flight, and two more permits are free
    assertThat(algorithm.lastInflight).isEqualTo(1);
    assertThat(limiter.limit()).isEqualTo(3);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.peakLimit()).isEqualTo(3);
  }

  @Test
  void shrinkingBelowThePermitsOutBlocksUntilEnoughReturn() {
    // Given 3 permits out of 3
    ManualLimit algorithm = new ManualLimit(3);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(algorithm);
    for (int i = 0; i < 3; i++) limiter.tryAcquire();
    // When the limit drops to 1
    algorithm.value = 1;
    limiter.onSample(0, 1, true);
    // Then returning one permit is not enough, returning three is
    limiter.release();
    assertThat(limiter.tryAcquire()).isFalse();
    limiter.release();
    limiter.release();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.lowestLimit()).isEqualTo(1);
  }

  @Test
  void aBlockedAcquireWakesWhenTheLimitGrows() throws Exception {
    // Given a full limiter and a thread waiting in acquire()
    ManualLimit algorithm = new ManualLimit(1);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(algorithm);
    limiter.acquire();
    CountDownLatch acquired = new CountDownLatch(1);
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        limiter.acquire();
        acquired.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(acquired.await(100, TimeUnit.MILLISECONDS)).isFalse();
    // When the limit grows
    algorithm.value = 2;
    limiter.onSample(0, 1, false);
    // Then the waiter gets its permit
    assertThat(acquired.await(5, TimeUnit.SECONDS)).isTrue();
    waiter.join();
    assertThat(limiter.inflight()).isEqualTo(2);
  }

  @Test
  void neverGrantsMoreThanTheLimitUnderContention() throws Exception {
    // Given a limit of 8 and 64 threads acquiring and releasing
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(new ManualLimit(8));
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    Thread[] threads = new Thread[64];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 500; i++) {
          try {
            limiter.acquire();
          } catch (InterruptedException e) {
            return;
          }
          maxSeen.accumulateAndGet(holding.incrementAndGet(), Math::max);
          holding.decrementAndGet();
          limiter.release();
        }
      });
    }
    for (Thread t : threads) t.join();
    // Then
    assertThat(maxSeen.get()).isLessThanOrEqualTo(8);
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void releaseWithoutAPermitIsAnError() {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(new ManualLimit(1));
    assertThatThrownBy(limiter::release).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void tryAcquireWithATimeoutGivesUp() throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.of(new ManualLimit(1));
    limiter.acquire();
    assertThat(limiter.tryAcquire(10, TimeUnit.MILLISECONDS)).isFalse();
  }
}
