package dev.ferry.steps;

import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.QuotaPace;
import dev.ferry.core.limit.RateLearner;
import dev.ferry.core.limit.ReadWriteLimiter;
import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.AdaptiveFeedback;
import dev.ferry.http.AttemptListener;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.KnownRateFeedback;
import dev.ferry.http.UnseenLimitHint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The limiters of one target, built from its {@link TargetLimits}: one request limiter (every HTTP attempt takes a
 * permit; several request rules combine, {@code auto} adds a pace learned from 429s) and weighed budgets by unit
 * (a call charges them once, before it is sent). Shared by every worker of the process. Threadsafe.
 *
 * <p>{@code auto} uses what {@code --rate-limit auto} uses: an unlimited pacer that {@link AdaptiveFeedback} sets
 * to the pace the target's rate-limit headers state ({@link QuotaPace}: {@code x-ratelimit-*}, IETF
 * {@code RateLimit}) or, without headers, the rate a {@link RateLearner} learns from 429s and Retry-After. Without a
 * stated {@code tokens} limit, {@code auto} also adds a {@link WeightPace} for tokens, paced at the tokens per minute
 * OpenAI's {@code x-ratelimit-*-tokens} headers state ({@link TokenFeedback}, which also pauses the target after a
 * 429 for tokens, stated limits or learned). In a distributed run both learned paces are this process's share of what
 * the headers state ({@link #shareLearnedBy}).
 */
final class TargetLimiters {
  static final String TOKENS = "tokens";
  private final String target;
  private final RateLimiter requests;
  /** The pace learned from the answers (auto, or no stated requests limit), or null. */
  private final ReadWriteLimiter learned;
  /** {@code auto}: the learned pace ramps up from {@link RateLearner#withDefaults()}'s start; else unpaced until a 429. */
  private final boolean auto;
  private final Map<String, List<WeightLimiter>> weights;
  /** {@link #listener(CallMetrics, ConcurrencyLimiter, boolean)} without a concurrency limit (fixed concurrency). */
  AttemptListener listener(CallMetrics metrics) {
    return listener(metrics, null, false);
  }

  /**
   * How a user says that {@code target} has no limit, for {@link UnseenLimitHint}: {@code limits: none} on the
   * target in the spec, which every front reads ({@code ferry run}, {@code ferry serve}, {@code bench --spec}); and
   * {@code --rate-limit none} too where the front has that flag for a spec of one target ({@code ferry run}). A
   * service has no such flag: its hint named one it does not have.
   */
  static String noLimitAdvice(String target, boolean rateLimitFlag) {
    String spec = "'limits: none' on targets." + target + " in the spec";
    return rateLimitFlag ? spec + " (or --rate-limit none, for a spec of one target)" : spec;
  }

  /** The tokens pace learned from the headers ({@code auto} without a stated tokens limit), or null. */
  private final WeightPace learnedTokens;
  private final List<SharedRate> shared;
  private final Sleeper sleeper;
  private final double headroom;
  /** The one stated requests limit (not auto), trimmed by a 429 as the import's is; null otherwise. */
  private final RateLimiter stated;
  /** Its pace in permits per second (headroom applied). */
  private final double statedRate;
  private final Ticker ticker;
  /**
   * Where the trim's pace goes: the stated limiter itself, or a distributed run's share of it ({@link #paceBy});
   * written once before the rows start, read by the attempts' threads.
   */
  private volatile java.util.function.DoubleConsumer statedPace;
  /**
   * The live processes of the job, which share the paces learned from the headers ({@link #shareLearnedBy}); 1 unless
   * distributed. Written once before the rows start, read by the attempts' threads.
   */
  private volatile IntSupplier processes = () -> 1;

  private TargetLimiters(String target, RateLimiter requests, ReadWriteLimiter learned, boolean auto,
      Map<String, List<WeightLimiter>> weights, WeightPace learnedTokens, List<SharedRate> shared, Sleeper sleeper,
      double headroom, RateLimiter stated, double statedRate, Ticker ticker) {
    this.stated = stated;
    this.statedRate = statedRate;
    this.ticker = ticker;
    this.statedPace = stated == null ? null : stated::setRate;
    this.target = target;
    this.learnedTokens = learnedTokens;
    this.requests = requests;
    this.learned = learned;
    this.auto = auto;
    this.weights = weights;
    this.shared = shared;
    this.sleeper = sleeper;
    this.headroom = headroom;
  }

  /**
   * @param headroom share of a stated limit used (a budget's window is widened by {@code 1 / headroom})
   */
  static TargetLimiters of(String target, TargetLimits limits, double headroom, Ticker ticker, Sleeper sleeper) {
    List<RateLimiter> requestParts = new ArrayList<>();
    List<SharedRate> shared = new ArrayList<>();
    Map<String, List<WeightLimiter>> weights = new LinkedHashMap<>();
    // auto, and a target that states no requests limit (none, or tokens only), pace requests as the answers say:
    // by rate-limit headers, else by what 429s show (auto ramps up to a limit; none sends unpaced until the first)
    boolean statesRequests = limits.rules().stream().anyMatch(LimitRule::isRequests);
    ReadWriteLimiter learned = null;
    if (limits.auto() || !statesRequests) {
      learned = new ReadWriteLimiter(ticker);
      requestParts.add(learned);
    }
    for (LimitRule r : limits.rules()) {
      Duration widened = Duration.ofNanos(Math.round(r.per().toNanos() / headroom));
      if (r.isRequests()) {
        // a smooth rule paces evenly (a pacer); else a budget of the window, which may be spent at once
        RateLimitSpec spec = !r.smooth() && r.amount() <= 1_000_000 ? RateLimitSpec.budget(r.amount(), r.per())
            : RateLimitSpec.rate(r.perSecond());
        RateLimiter l = RateLimiter.forLimit(spec, headroom, ticker);
        requestParts.add(l);
        shared.add(new SharedRate(target, r.unit(), l, spec.perSecond() * headroom));
      } else {
        WeightBudgetLimiter l = new WeightBudgetLimiter(r.amount(), widened, ticker);
        weights.computeIfAbsent(r.unit(), u -> new ArrayList<>()).add(l);
        shared.add(new SharedRate(target, r.unit(), l, l.rate()));
      }
    }
    WeightPace learnedTokens = null;
    if (limits.auto() && !weights.containsKey(TOKENS)) {
      learnedTokens = new WeightPace(ticker);
      weights.put(TOKENS, new ArrayList<>(List.of(learnedTokens)));
      shared.add(new SharedRate(target, TOKENS, learnedTokens, 0));
    }
    RateLimiter requests = switch (requestParts.size()) {
      case 0 -> RateLimiter.unlimited(ticker);
      case 1 -> requestParts.get(0);
      default -> new AllOfLimiter(requestParts);
    };
    // one stated requests limit: a 429 trims its pace, as import-users' given limit is trimmed
    boolean oneStated = statesRequests && !limits.auto() && requestParts.size() == 1;
    double statedRate = oneStated ? shared.stream().filter(r -> r.limiter() == requests).mapToDouble(SharedRate::pace)
        .findFirst().orElse(0) : 0;
    return new TargetLimiters(target, requests, learned, limits.auto(), weights, learnedTokens, List.copyOf(shared),
        sleeper, headroom, statedRate > 0 ? requests : null, statedRate, ticker);
  }

  /**
   * A distributed run paces {@code limiter} at this process's share: the trim of a stated limit then goes to the
   * share ({@code pace}: the whole job's trimmed pace), not straight to the limiter. Before the rows start.
   */
  void paceBy(RateLimiter limiter, java.util.function.DoubleConsumer pace) {
    if (stated != null && stated == limiter) statedPace = pace;
  }

  /**
   * A distributed run: the paces learned from the target's headers (requests and tokens) are this process's share,
   * {@code processes} being the job's live processes (cli's RateShare count, read at each answer). Before the rows
   * start.
   */
  void shareLearnedBy(IntSupplier processes) {
    this.processes = java.util.Objects.requireNonNull(processes, "processes cannot be null");
  }

  /** Whether a pace is learned from the target's answers ({@code auto}, or no stated requests limit). */
  boolean learns() {
    return learned != null;
  }

  /** The limiter every HTTP attempt to the target passes (HttpTarget's). */
  RateLimiter requests() {
    return requests;
  }

  /**
   * What learns from the target's answers: the learned request pace with {@code auto}, the target's own source of the
   * job's adaptive concurrency limit (a latency sample per row the attempt carried, or a drop, through {@link
   * AdaptiveFeedback}, with the rows of the target's own attempts in flight as its load: a batch call counts its rows),
   * the token limiters' {@link TokenFeedback} (the learned tokens pace, and the pause after a 429 for tokens) when
   * the target weighs tokens, and the trim of one stated requests limit (a {@link KnownRateFeedback}); else nothing.
   *
   * @param concurrency the job's row limiter under {@code --concurrency auto} (the target feeds its own {@link
   *                    ConcurrencyLimiter#source}, named after it), or null
   * @param rateLimitFlag the front takes {@code --rate-limit} for a spec of one target ({@link #noLimitAdvice})
   */
  AttemptListener listener(CallMetrics metrics, ConcurrencyLimiter concurrency, boolean rateLimitFlag) {
    ConcurrencyLimiter.Source mine = concurrency == null ? null : concurrency.source(target);
    IntSupplier sharedBy = () -> processes.getAsInt(); // set after the listener is built (shareLearnedBy)
    // its load: the rows of this target's own attempts in flight, carried by each attempt
    AttemptListener learning = learned != null && auto
        ? KnownRateFeedback.both(
            AdaptiveFeedback.forTarget(mine, learned, RateLearner::withDefaults, new QuotaPace(headroom), sharedBy),
            new UnseenLimitHint("target " + target, noLimitAdvice(target, rateLimitFlag), learned::rate))
        : learned != null
        ? AdaptiveFeedback.forTarget(mine, learned, RateLearner::unlimitedUntilRefused, new QuotaPace(headroom),
            sharedBy)
        : mine != null ? AdaptiveFeedback.forTarget(mine)
        : AttemptListener.NONE;
    // A stated limit the target counts more strictly (429s anyway) trims the pace a little each time; a budget the
    // target refuses turns into even pacing at the first trim (as import-users' --rate-limit).
    AttemptListener paces = stated == null ? learning : KnownRateFeedback.both(learning,
        new KnownRateFeedback(dev.ferry.core.limit.KnownRateTrim.withDefaults(statedRate, ticker.read()),
            pace -> statedPace.accept(pace)));
    List<WeightLimiter> tokens = weights.get(TOKENS);
    if (tokens == null) return paces;
    TokenFeedback fromTokens = new TokenFeedback(learnedTokens, tokens, requests, headroom, sharedBy);
    return paces == AttemptListener.NONE ? fromTokens : a -> {
      paces.onAttempt(a);
      fromTokens.onAttempt(a);
    };
  }

  /** The tokens pace learned from the target's headers; null when the spec states it or the target is not auto. */
  WeightPace learnedTokens() {
    return learnedTokens;
  }

  /**
   * Trues the charges of a call up to what the target counted ({@link WeightLimiter#settle}); units the target does
   * not limit are ignored.
   */
  void settle(String unit, long charged, long counted) {
    List<WeightLimiter> ls = weights.get(unit);
    if (ls == null) return;
    for (WeightLimiter l : ls) l.settle(charged, counted);
  }

  /** The units the target weighs. */
  java.util.Set<String> units() {
    return weights.keySet();
  }

  /**
   * Takes each unit's weight from the target's budgets of that unit, waiting as long as the slowest needs; units the
   * target does not limit are ignored.
   *
   * @return true when it waited
   */
  boolean charge(Map<String, Long> charge) throws InterruptedException {
    long start = ticker.read();
    boolean weighed = false;
    for (Map.Entry<String, Long> e : charge.entrySet()) {
      List<WeightLimiter> ls = weights.get(e.getKey());
      if (ls == null) continue;
      weighed = true;
      for (WeightLimiter l : ls) l.acquire(e.getValue(), sleeper);
    }
    return weighed && ticker.read() != start;
  }

  List<SharedRate> shared() {
    return shared;
  }

  String target() {
    return target;
  }
}
