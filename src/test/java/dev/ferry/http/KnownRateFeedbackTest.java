package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.KnownRateTrim;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The known-rate trim reads refusals through the one classification ({@link ResponseClass}). */
class KnownRateFeedbackTest {

  @Test
  void aForbiddenAnswerWithASpentQuotaTrimsThePaceLikeA429() {
    // Given: a pace of 100/s and GitHub's way of refusing (403 with a spent quota: THROTTLED)
    AtomicReference<Double> pace = new AtomicReference<>(100.0);
    KnownRateFeedback feedback = new KnownRateFeedback(KnownRateTrim.withDefaults(100, 0), pace::set);
    AttemptListener.Attempt refused = new AttemptListener.Attempt("POST", 0, 1_000, 2_000, 403, -1,
        ResponseClass.of(403, true), null, 0);
    // When
    feedback.onAttempt(refused);
    // Then
    assertThat(pace.get()).isLessThan(100.0);
  }

  @Test
  void aPlain403DoesNotTrimThePace() {
    // Given
    AtomicReference<Double> pace = new AtomicReference<>(100.0);
    KnownRateFeedback feedback = new KnownRateFeedback(KnownRateTrim.withDefaults(100, 0), pace::set);
    // When: a 403 without rate-limit headers (AUTH)
    feedback.onAttempt(new AttemptListener.Attempt("POST", 0, 1_000, 2_000, 403, -1));
    // Then
    assertThat(pace.get()).isEqualTo(100.0);
  }
}
