package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.http.AttemptListener;
import dev.ferry.http.AttemptListener.Attempt;
import dev.ferry.http.CallMetrics;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a target's limiters learn from its 429s, by what the spec states: {@code none} (the default) and a target that
 * states only tokens send unpaced until a 429, then pace the refused kind as {@code import-users --rate-limit none}
 * does; a stated requests limit is trimmed instead (KnownRateFeedback), never learned.
 */
class TargetLimitersLearningTest {
  private static final long SECOND = 1_000_000_000L;
  private final FakeTicker time = new FakeTicker();

  private void answers(AttemptListener l, String method, int n, int status) {
    for (int i = 0; i < n; i++) {
      long now = time.read();
      l.onAttempt(new Attempt(method, now, now, now + 5_000_000L, status, status == 429 ? SECOND : -1));
      time.advance(Duration.ofMillis(20));
    }
  }

  @Test
  void aTargetWithNoStatedLimitPacesTheRefusedKindAfterA429() {
    for (TargetLimits limits : List.of(TargetLimits.NONE,
        TargetLimits.of(List.of(new LimitRule("tokens", 100_000, Duration.ofMinutes(1), false))))) {
      TargetLimiters l = TargetLimiters.of("crm", limits, 0.985, time, time);
      AttemptListener listener = l.listener(new CallMetrics(time));
      // Given writes and reads sent unpaced
      answers(listener, "GET", 50, 200);
      answers(listener, "POST", 50, 201);
      assertThat(l.requests().rate()).as(limits.describe()).isInfinite();
      // When a write is refused
      answers(listener, "POST", 1, 429);
      // Then the requests are paced from then on (the writes: the reads were never refused)
      assertThat(l.requests().rate()).as(limits.describe()).isFinite();
      assertThat(l.requests().reserveNanos(false)).isZero();
    }
  }

  @Test
  void aStatedRequestsLimitIsNotLearned() {
    TargetLimiters l = TargetLimiters.of("crm",
        TargetLimits.of(List.of(new LimitRule("requests", 100, Duration.ofSeconds(1), true))), 0.985, time, time);
    AttemptListener listener = l.listener(new CallMetrics(time));
    answers(listener, "POST", 20, 201);
    answers(listener, "POST", 1, 429);
    // the trim lowers the stated pace a little; nothing learned from what got through (20 requests at 50/s)
    assertThat(l.requests().rate()).isGreaterThan(90);
  }
}
