package dev.ferry.sim;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/embeddings}, OpenAI-compatible. In order: the bearer key (401), the body (400, uncharged), the
 * quota (429 {@code insufficient_quota}), the RPM and TPM windows (429 {@code rate_limit_exceeded}, type
 * {@code requests} or {@code tokens}), then 200 with one vector per input. Every answer after the key check carries
 * the rate headers ({@link EmbeddingsLimits}).
 *
 * <p>Threadsafe: the limits are atomic ({@link EmbeddingsLimits}), the counters are adders.
 */
final class EmbeddingsEndpoint {
  /** Not a real organization: what the 429 messages name. */
  static final String ORGANIZATION = "org-ferry-simulator";

  private final EmbeddingsSettings settings;
  private final SimCounters shared;
  private final ApiKeyCheck keys;
  private final EmbeddingsLimits limits;
  private final LongAdder requests = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder inputs = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder rateLimitedRequests = new LongAdder();
  private final LongAdder rateLimitedTokens = new LongAdder();
  private final LongAdder insufficientQuota = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder unauthorized = new LongAdder();

  /** @param shared the simulator's counters: 401s and 429s are counted there too */
  EmbeddingsEndpoint(EmbeddingsSettings settings, SimCounters shared, LongSupplier ticker) {
    this.settings = settings;
    this.shared = shared;
    this.keys = new ApiKeyCheck(settings.requiredKey(), Pattern.compile("\\S+"));
    this.limits = new EmbeddingsLimits(settings, ticker);
  }

  ApiResponse create(SimRequest request) {
    requests.increment();
    if (!keys.accepts(request.header("Authorization"))) {
      unauthorized.increment();
      shared.unauthorized.increment();
      return new ApiResponse(401, new OpenAiError("Incorrect API key provided. You can find your API key at"
          + " https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key"));
    }
    EmbeddingsRequest parsed;
    try {
      parsed = EmbeddingsRequest.parse(request.body(), settings);
    } catch (ApiError e) {
      invalid.increment();
      return new ApiResponse(e.response().status(), e.response().body(), limits.headers());
    }
    EmbeddingsLimits.Admission admission = limits.admit(parsed.totalTokens());
    return switch (admission.outcome()) {
      case ADMITTED -> {
        succeeded.increment();
        inputs.add(parsed.inputs().size());
        tokens.add(parsed.totalTokens());
        yield new ApiResponse(200, new EmbeddingList(parsed), admission.headers());
      }
      case QUOTA -> {
        insufficientQuota.increment();
        shared.rateLimited.increment();
        yield new ApiResponse(429, new OpenAiError("You exceeded your current quota, please check your plan and billing"
            + " details.", "insufficient_quota", null, "insufficient_quota"), admission.headers());
      }
      case REQUESTS -> {
        rateLimitedRequests.increment();
        shared.rateLimited.increment();
        yield refusal("requests per min (RPM)", "requests", parsed, 1, admission);
      }
      case TOKENS -> {
        rateLimitedTokens.increment();
        shared.rateLimited.increment();
        yield refusal("tokens per min (TPM)", "tokens", parsed, parsed.totalTokens(), admission);
      }
    };
  }

  /** OpenAI's 429 message; a request larger than a whole window gets its "Request too large" form. */
  private static ApiResponse refusal(String limitName, String type, EmbeddingsRequest parsed, long requested,
      EmbeddingsLimits.Admission a) {
    String message = a.waitNanos() < 0
        ? "Request too large for " + parsed.model() + " in organization " + ORGANIZATION + " on " + limitName
            + ": Limit " + a.limit() + ", Requested " + requested
            + ". The input or output tokens must be reduced in order to run successfully."
        : "Rate limit reached for " + parsed.model() + " in organization " + ORGANIZATION + " on " + limitName
            + ": Limit " + a.limit() + ", Used " + a.used() + ", Requested " + requested + ". Please try again in "
            + OpenAiDuration.format(a.waitNanos()) + ".";
    return new ApiResponse(429, new OpenAiError(message, type, null, "rate_limit_exceeded"), a.headers());
  }

  EmbeddingStats stats() {
    return new EmbeddingStats(requests.sum(), succeeded.sum(), inputs.sum(), tokens.sum(), rateLimitedRequests.sum(),
        rateLimitedTokens.sum(), insufficientQuota.sum(), invalid.sum(), unauthorized.sum());
  }
}
