package dev.ferry.http;

import dev.ferry.core.limit.KnownRateTrim;
import java.util.function.DoubleConsumer;

/**
 * Feeds a {@link KnownRateTrim} from every attempt and applies its pace to the target's shared limiter, so a
 * target that counts its given limit more strictly than ferry paces stops answering 429 after a few. What counts
 * as a refusal is {@link ResponseClass#THROTTLED}, the classification retries and the adaptive limits use.
 * Threadsafe (the trim and the limiter are).
 */
public final class KnownRateFeedback implements AttemptListener {
  private final KnownRateTrim trim;
  private final DoubleConsumer applyPace;

  /** @param applyPace sets the pace on the target's limiter (a limiter's {@code setRate}, or a share of it) */
  public KnownRateFeedback(KnownRateTrim trim, DoubleConsumer applyPace) {
    this.trim = trim;
    this.applyPace = applyPace;
  }

  @Override
  public void onAttempt(Attempt a) {
    double before = trim.pace();
    // one classification (ResponseClass): a 403 whose headers say the quota is spent is a refusal too
    double after = a.outcome() == ResponseClass.THROTTLED ? trim.onRateLimited(a.sentNanos(), a.answeredNanos())
        : trim.onAdmitted(a.answeredNanos());
    if (after != before) applyPace.accept(after);
  }

  /** Both listeners, in order. */
  public static AttemptListener both(AttemptListener first, AttemptListener second) {
    if (first == AttemptListener.NONE) return second;
    if (second == AttemptListener.NONE) return first;
    return a -> {
      first.onAttempt(a);
      second.onAttempt(a);
    };
  }
}
