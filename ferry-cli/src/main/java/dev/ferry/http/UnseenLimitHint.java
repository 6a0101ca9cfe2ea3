package dev.ferry.http;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once, under {@code --rate-limit auto}, that a target has shown no limit for a while although the learner's
 * careful ramp still holds rows back: no 429, no rate-limit headers, and attempts still waiting for a rate permit
 * {@link #AFTER} after the first. Against a target with no limit that ramp is what makes {@code auto} slow
 * (docs/ARCHITECTURE.md, "The trade-off auto keeps"); the user who knows there is none can say so. A target that
 * refused once or sent rate-limit headers has a limit, and is never hinted at.
 *
 * <p>Threadsafe: the first sent time is set once (compare-and-set), the hint is given at most once ({@code ended}).
 */
public final class UnseenLimitHint implements AttemptListener {
  /** How long a target must show no limit while the pace holds rows back before the hint. */
  public static final long AFTER = TimeUnit.SECONDS.toNanos(15);
  private static final Logger log = LoggerFactory.getLogger(UnseenLimitHint.class);

  private final String target;
  private final String advice;
  private final DoubleSupplier pace;
  private final Consumer<String> sink;
  private final AtomicLong firstSent = new AtomicLong(Long.MIN_VALUE);
  private final AtomicBoolean ended = new AtomicBoolean();

  /**
   * @param target what the message calls the target (its host, or a spec's target name)
   * @param advice what to say instead, e.g. {@code --rate-limit none}
   * @param pace   the current pace, per second
   */
  public UnseenLimitHint(String target, String advice, DoubleSupplier pace) {
    this(target, advice, pace, log::warn);
  }

  UnseenLimitHint(String target, String advice, DoubleSupplier pace, Consumer<String> sink) {
    this.target = Objects.requireNonNull(target, "target");
    this.advice = Objects.requireNonNull(advice, "advice");
    this.pace = Objects.requireNonNull(pace, "pace");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  @Override
  public void onAttempt(Attempt a) {
    if (ended.get()) return;
    if (a.outcome() == ResponseClass.THROTTLED || a.quota() != null) {
      ended.set(true); // the target has a limit: the learner is right to be careful
      return;
    }
    firstSent.compareAndSet(Long.MIN_VALUE, a.sentNanos());
    long shown = a.answeredNanos() - firstSent.get();
    if (!a.waitedForPermit() || shown < AFTER || !ended.compareAndSet(false, true)) return;
    sink.accept(String.format("%s has shown no rate limit in %d s (no 429, no rate-limit headers) while the pace, "
        + "raised carefully from 50/s, held requests back (now %.0f requests/s); if it has none, %s fills it at once "
        + "(a 429 is still honoured), and if you know its limit, state it", target,
        TimeUnit.NANOSECONDS.toSeconds(shown), pace.getAsDouble(), advice));
  }
}
