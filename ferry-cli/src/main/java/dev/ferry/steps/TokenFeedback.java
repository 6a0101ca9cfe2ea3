package dev.ferry.steps;

import dev.ferry.core.limit.Quota;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.http.AttemptListener;
import dev.ferry.http.RateLimitHeaders;
import dev.ferry.http.ResponseClass;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * What a target's token headers (OpenAI's {@code x-ratelimit-limit-tokens}, {@code -remaining-tokens},
 * {@code -reset-tokens}) tell the target's token limiters:
 * <ul>
 *   <li>the <b>pace</b>, when the spec states no tokens limit ({@code limits: auto}): the stated tokens per minute
 *       at the headroom, set on the learned {@link WeightPace} from the first answer on (and again whenever the
 *       limit or the count of the job's processes changes: each of a distributed job's processes paces its share);
 *       an answer without them leaves it unlimited; a stated limit is honoured as written;</li>
 *   <li>a <b>429 for tokens</b> (the answer has tokens headers, and its requests are not the spent quota, or the
 *       tokens left are fewer than the call carried) pauses every token limiter and the request limiter of the
 *       target until {@code reset-tokens}, the time the target's token window comes back, rather than a back-off
 *       that knows nothing of the window. The retry of the refused call (HttpTarget's) waits for it.</li>
 * </ul>
 * The call being sent is known by thread: {@link #sending} marks the tokens the calling thread's call charged while
 * HttpTarget sends it (the listener runs on that thread, right after each attempt).
 *
 * <p>Threadsafe: the limiters are; the thread-local is the calling thread's own.
 */
final class TokenFeedback implements AttemptListener {
  private static final ThreadLocal<long[]> SENDING = ThreadLocal.withInitial(() -> new long[] {-1});

  private final WeightPace learned;
  private final List<WeightLimiter> tokens;
  private final RateLimiter requests;
  private final double headroom;
  private final IntSupplier processes;

  /**
   * @param learned  the pace to set from the headers, or null when the spec states the tokens limit
   * @param tokens   every token limiter of the target (the learned pace included)
   * @param requests the target's request limiter (HttpTarget's retries wait for it)
   * @param headroom share of the stated rate to pace at
   */
  TokenFeedback(WeightPace learned, List<WeightLimiter> tokens, RateLimiter requests, double headroom) {
    this(learned, tokens, requests, headroom, () -> 1);
  }

  /**
   * @param processes the live processes of a distributed job that share the stated tokens limit, read at each answer
   *                  ({@code () -> 1} for a process alone)
   */
  TokenFeedback(WeightPace learned, List<WeightLimiter> tokens, RateLimiter requests, double headroom,
      IntSupplier processes) {
    this.processes = processes;
    this.learned = learned;
    this.tokens = List.copyOf(tokens);
    this.requests = requests;
    this.headroom = headroom;
  }

  /** Marks the tokens of the call the current thread sends (-1: none) until {@link #sent}. */
  static void sending(long tokens) {
    SENDING.get()[0] = tokens;
  }

  static void sent() {
    SENDING.get()[0] = -1;
  }

  @Override
  public void onAttempt(Attempt a) {
    Optional<Quota> read = RateLimitHeaders.tokens(a.rateHeaders());
    if (read.isEmpty()) {
      if (learned != null && a.status() > 0) learned.noLimitStated(); // a server that states no tokens limit
      return;
    }
    Quota t = read.get();
    if (learned != null && t.limit() > 0) {
      double pace = t.limit() * 1e9 / t.windowNanos() * headroom / Math.max(1, processes.getAsInt());
      if (pace != learned.rate()) learned.setRate(pace);
    }
    if (a.outcome() == ResponseClass.THROTTLED && t.resetNanos() > 0 && forTokens(a.quota(), t)) {
      Duration pause = Duration.ofNanos(t.resetNanos());
      for (WeightLimiter l : tokens) l.pauseFor(pause);
      requests.pauseFor(pause);
    }
  }

  /** Whether a 429 refused the call's tokens rather than its request. */
  private static boolean forTokens(Quota requests, Quota tokens) {
    long carried = SENDING.get()[0];
    return requests == null || requests.remaining() > 0 || tokens.remaining() == 0
        || (carried > 0 && tokens.remaining() < carried);
  }
}
