package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.ferry.core.limit.Quota;
import dev.ferry.core.limit.QuotaPace;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.ReadWriteLimiter;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the learners of {@link AdaptiveFeedback} do with each attempt, in virtual time: reads and writes learned
 * apart, each pacing its own kind; rate-limit headers pace the whole target and lift the kinds' paces.
 */
class AdaptiveFeedbackTest {
  private static final long SECOND = 1_000_000_000L;
  private final FakeTicker time = new FakeTicker();
  private final ReadWriteLimiter pacer = new ReadWriteLimiter(time);

  private AdaptiveFeedback unlimitedUntilRefused() {
    return new AdaptiveFeedback(null, pacer, RateLearner::unlimitedUntilRefused, new QuotaPace(0.985), () -> 0, () -> 1);
  }

  /** {@code n} admitted attempts of a kind, one every {@code 1/perSecond} from now. */
  private void admitted(AdaptiveFeedback f, String method, int n, double perSecond) {
    for (int i = 0; i < n; i++) {
      long now = time.read();
      f.onAttempt(new AttemptListener.Attempt(method, now, now, now + 5_000_000L, 201, -1));
      time.advance(java.time.Duration.ofNanos((long) (SECOND / perSecond)));
    }
  }

  private void refused(AdaptiveFeedback f, String method) {
    long now = time.read();
    f.onAttempt(new AttemptListener.Attempt(method, now, now, now + 5_000_000L, 429, SECOND));
  }

  @Test
  void aTargetsBatchAnswerIsOneSampleARowOfItsOwnSourceWithItsRowsInFlightAsTheLoad() {
    // Given: the job's limit with an algorithm per target, and the feedback of the target "embeddings"
    java.util.List<java.util.List<int[]>> bySource = new java.util.ArrayList<>();
    dev.ferry.core.limit.ConcurrencyLimiter limit = dev.ferry.core.limit.ConcurrencyLimiter.perSource(() -> {
      java.util.List<int[]> mine = new java.util.ArrayList<>();
      bySource.add(mine);
      return new dev.ferry.core.limit.Limit() {
        @Override
        public int limit() {
          return 16;
        }

        @Override
        public int onSample(long start, long rtt, int inflight, boolean dropped) {
          return onSample(start, rtt, inflight, dropped, 1);
        }

        @Override
        public int onSample(long start, long rtt, int inflight, boolean dropped, int rows) {
          mine.add(new int[] {rows, inflight, dropped ? 1 : 0});
          return 16;
        }
      };
    }, 1000);
    limit.source("first");
    AdaptiveFeedback embeddings = AdaptiveFeedback.forTarget(limit.source("embeddings"));
    long now = time.read();
    // When a call of 50 rows is answered while 30 rows of other calls are in flight at the target, then one refused
    embeddings.onAttempt(new AttemptListener.Attempt("POST", now, now, now + 8 * SECOND, 200, -1, ResponseClass.FINAL,
        null, 0, null, 50, 30));
    embeddings.onAttempt(new AttemptListener.Attempt("POST", now, now, now + SECOND, 429, SECOND,
        ResponseClass.THROTTLED, null, 0, null, 50, 0));
    // Then only the target's own algorithm heard: 50 rows with 80 in flight, then a drop of 50 rows (one drop)
    assertThat(bySource).hasSize(2);
    assertThat(bySource.get(0)).isEmpty();
    assertThat(bySource.get(1)).containsExactly(new int[] {50, 80, 0}, new int[] {50, 50, 1});
  }

  @Test
  void aRefusedWritePacesTheWritesAndLeavesTheReadsAlone() {
    AdaptiveFeedback f = unlimitedUntilRefused();
    // Given reads and writes sent unpaced, 40 a second each
    for (int s = 0; s < 4; s++) {
      admitted(f, "GET", 20, 80);
      admitted(f, "POST", 20, 80);
    }
    assertThat(pacer.rate()).isInfinite();
    // When a write is refused
    refused(f, "POST");
    // Then the writes are paced, below what got through, and the reads are not
    assertThat(pacer.rate(true)).isFinite().isLessThanOrEqualTo(40);
    assertThat(pacer.rate(false)).isInfinite();
    assertThat(f.learnedRate()).isEqualTo(pacer.rate(true));
  }

  @Test
  void aRefusedReadPacesTheReads() {
    AdaptiveFeedback f = unlimitedUntilRefused();
    admitted(f, "GET", 100, 50);
    admitted(f, "DELETE", 10, 50);
    refused(f, "GET");
    assertThat(pacer.rate(false)).isFinite();
    assertThat(pacer.rate(true)).isInfinite();
    assertThat(f.learnedRate()).isEqualTo(pacer.rate(false));
  }

  @Test
  void autoRampsEachKindFromItsOwnStart() {
    new AdaptiveFeedback(null, pacer, RateLearner::withDefaults, new QuotaPace(0.985), () -> 0, () -> 1);
    assertThat(pacer.rate(false)).isEqualTo(RateLearner.withDefaults().rate());
    assertThat(pacer.rate(true)).isEqualTo(RateLearner.withDefaults().rate());
  }

  @Test
  void rateLimitHeadersPaceTheWholeTargetAndLiftTheLearnedPaces() {
    AdaptiveFeedback f = unlimitedUntilRefused();
    admitted(f, "POST", 50, 50);
    refused(f, "POST");
    assertThat(pacer.rate(true)).isFinite();
    // When an answer states the target's quota: 100 left of 100, whole again in 10 s
    long now = time.read();
    f.onAttempt(new AttemptListener.Attempt("GET", now, now, now + 5_000_000L, 200, -1, ResponseClass.FINAL,
        new Quota(100, 100, 10 * SECOND, -1), 0));
    // Then the headers govern: the kinds are unpaced, the shared pace is the quota's
    assertThat(f.fromHeaders()).isTrue();
    assertThat(pacer.rate(true)).isInfinite();
    assertThat(pacer.rate(false)).isInfinite();
    assertThat(pacer.rate()).isFinite();
    // and a later refusal without headers is not the learners' any more
    double shared = pacer.rate();
    refused(f, "POST");
    assertThat(pacer.rate(true)).isInfinite();
    assertThat(pacer.rate()).isEqualTo(shared);
  }

  @Test
  void aRefusalWithHeadersTrimsTheStatedPace() {
    AdaptiveFeedback f = new AdaptiveFeedback(null, pacer, RateLearner::withDefaults, new QuotaPace(0.985), () -> 0,
        () -> 1);
    // Given a one-token bucket of 100/s stating its window (1 per 10 ms), answered for 2 s
    Quota oneToken = new Quota(1, 0, 0, 10_000_000L);
    long now = time.read();
    f.onAttempt(new AttemptListener.Attempt("POST", now, now, now + 5_000_000L, 201, -1, ResponseClass.FINAL,
        oneToken, 0));
    double stated = pacer.rate();
    time.advance(Duration.ofSeconds(2));
    // When a request is refused anyway (arrivals bunched), its answer carrying the same headers
    now = time.read();
    f.onAttempt(new AttemptListener.Attempt("POST", now, now, now + 5_000_000L, 429, SECOND, ResponseClass.THROTTLED,
        oneToken, 0));
    // Then the shared pace is 5 % under the stated one
    assertThat(stated).isEqualTo(100 * 0.995, offset(1e-6));
    assertThat(pacer.rate()).isEqualTo(stated * 0.95, offset(1e-6));
  }
}
