package dev.ferry.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of one API call, in this order:
 * <ol>
 *   <li>at arrival: count it in the timeline; draw the call's {@link RequestPlan} (its delay from the
 *       latency schedule's step at that time); check the API key (401); take a rate-limit
 *       permit (429 + Retry-After computed now; the rate-limit headers of {@link SimConfig#rateHeaders()},
 *       on every answer, computed now too);
 *   <li>a hang sleeps {@code hangDuration} and answers 504; otherwise sleep the planned delay (also
 *       before a 401/429), then pass the serialised section;
 *   <li>a drop closes the connection, an error answers 500/502/503;
 *   <li>unknown route 404, else the endpoint, through the idempotency cache when the POST has an
 *       {@code Idempotency-Key}.
 * </ol>
 * So every injected fault happens before any state change. The OpenAI and Qdrant routes ({@link Family}) skip
 * the WorkOS key check, rate limits and idempotency cache (their endpoints check their own keys and limits, when
 * they run), take bodies up to {@link #MAX_VECTOR_BODY_BYTES}, and get the pipeline's errors in their own shape.
 * Threadsafe: one instance serves every
 * exchange; no lock is held while sleeping except the serialised section's own.
 */
final class ApiHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  static final int MAX_BODY_BYTES = 1 << 20;
  /** Bodies of the OpenAI and Qdrant routes: batches of texts or vectors (Qdrant's own default limit: 32 MB). */
  static final int MAX_VECTOR_BODY_BYTES = 32 << 20;
  static final int MAX_IDEMPOTENCY_KEY = 255;

  private final SimConfig config;
  private final SimClock clock;
  private final IdGenerator ids;
  private final Supplier<SimState> state;
  private final ApiKeyCheck keys;
  private final SerialSection serial;

  ApiHandler(SimConfig config, SimClock clock, IdGenerator ids, Supplier<SimState> state) {
    this.config = config;
    this.clock = clock;
    this.ids = ids;
    this.state = state;
    this.keys = new ApiKeyCheck(config.requiredKey());
    this.serial = new SerialSection(config.serialTime(), clock);
  }

  @Override
  public void handle(HttpExchange exchange) {
    SimState s = state.get();
    long start = clock.nanoTime();
    String requestId = ids.requestId();
    String method = exchange.getRequestMethod();
    URI uri = exchange.getRequestURI();
    List<String> segments = SimRequest.segments(uri.getRawPath()); // split once: the route and the endpoint use them
    Route.Match match = Route.match(method, segments);
    String route = match == null ? Route.UNKNOWN : match.route().label();
    s.counters.started(route);
    boolean inFlight = true;
    String outcome = "dropped";
    try {
      ApiResponse response = process(exchange, s, match, uri, segments);
      if (response != null && match != null) response = match.route().family().dialect(response);
      s.counters.finished(); // before the answer leaves, so a client never sees its own call in flight
      inFlight = false;
      if (response != null) {
        HttpReplies.send(exchange, requestId, response);
        outcome = Integer.toString(response.status());
      }
    } catch (InterruptedException e) {
      outcome = "interrupted (closing)";
      Thread.currentThread().interrupt(); // the server is closing: drop the call
    } catch (IOException e) {
      outcome = "client gone";
    } catch (RuntimeException e) {
      log.warn("{} {} failed", requestId, route, e);
      outcome = "500 (bug)";
      sendQuietly(exchange, requestId, ApiResponse.error(500, "internal_error", "The simulator failed: " + e));
    } finally {
      exchange.close();
      if (inFlight) {
        s.counters.finished();
      }
      if (log.isDebugEnabled()) {
        log.debug("{} {} -> {} in {} ms", requestId, route, outcome, (clock.nanoTime() - start) / 1_000_000);
      }
    }
  }

  /** @return the answer, or null to drop the connection */
  private ApiResponse process(HttpExchange exchange, SimState s, Route.Match match, URI uri, List<String> segments)
      throws IOException, InterruptedException {
    boolean workOs = match == null || match.route().family() == Family.WORKOS;
    int maxBody = workOs ? MAX_BODY_BYTES : MAX_VECTOR_BODY_BYTES;
    byte[] body = readBody(exchange, maxBody);
    long arrived = clock.nanoTime();
    s.timeline.arrived(arrived);
    RequestPlan plan = s.planner.next(s.timeline.sinceStart(arrived));
    ApiResponse refusal = workOs ? admit(exchange, s, arrived) : null;
    if (refusal == null && plan.fault() == RequestPlan.Fault.HANG) {
      s.counters.hangsInjected.increment();
      clock.sleep(config.hangDuration());
      return ApiResponse.error(504, "gateway_timeout", "The request timed out (injected).");
    }
    if (plan.slow()) {
      s.counters.slowInjected.increment();
    }
    clock.sleep(plan.delay());
    if (refusal != null) {
      return refusal;
    }
    s.counters.serialWaitNanos.add(serial.pass());
    switch (plan.fault()) {
      case DROP -> {
        s.counters.dropsInjected.increment();
        return null;
      }
      case ERROR -> {
        s.counters.errorsInjected.increment();
        return ApiResponse.error(plan.errorStatus(), "server_error", "Internal server error (injected).");
      }
      default -> {
        // answer normally
      }
    }
    if (match == null) {
      return ApiResponse.error(404, "not_found",
          "No route for " + exchange.getRequestMethod() + " " + uri.getRawPath() + ".");
    }
    if (body == null) {
      return ApiResponse.error(413, "request_too_large", "The request body exceeds " + maxBody + " bytes.");
    }
    SimRequest request = new SimRequest(exchange.getRequestMethod(), segments, SimRequest.query(uri.getRawQuery()), body,
        exchange.getRequestHeaders());
    return answer(exchange, s, match, request);
  }

  /** @return a 401 or 429 answer, or null when the call may go on */
  private ApiResponse admit(HttpExchange exchange, SimState s, long arrived) {
    if (!keys.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
      s.counters.unauthorized.increment();
      return ApiResponse.error(401, "unauthorized", "Invalid API key");
    }
    RateLimiter limiter = s.limits.forMethod(exchange.getRequestMethod());
    long wait = limiter.tryAcquire();
    if (config.rateHeaders() != RateHeaders.NONE) {
      // stated on every answer, admitted or refused, as the quota stood when the call was counted
      config.rateHeaders().render(limiter.state(), clock.epochMillis()).forEach(exchange.getResponseHeaders()::set);
    }
    if (wait > 0) {
      s.counters.rateLimited.increment();
      s.timeline.rateLimited(arrived);
      Map<String, String> headers = config.retryAfterHeader()
          ? Map.of("Retry-After", Long.toString(RateLimiter.retryAfterSeconds(wait)))
          : Map.of();
      return new ApiResponse(429, new ErrorBody("rate_limit_exceeded", "Too many requests"), headers);
    }
    return null;
  }

  private ApiResponse answer(HttpExchange exchange, SimState s, Route.Match match, SimRequest request)
      throws InterruptedException {
    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    if (key == null || !"POST".equals(request.method()) || match.route().family() != Family.WORKOS) {
      return s.api.handle(match, request);
    }
    if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
      return ApiResponse.error(400, "invalid_idempotency_key",
          "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters.");
    }
    long fingerprint = IdempotencyCache.fingerprint(request.method(), exchange.getRequestURI().getRawPath(), request.body());
    try {
      IdempotencyCache.Outcome outcome = s.idempotency.execute(key, fingerprint, () -> s.api.handle(match, request));
      if (!outcome.replayed()) {
        return outcome.response();
      }
      s.counters.idempotentReplays.increment();
      Map<String, String> headers = new HashMap<>(outcome.response().headers());
      headers.put("Idempotent-Replayed", "true");
      return new ApiResponse(outcome.response().status(), outcome.response().body(), headers);
    } catch (ApiError e) {
      return e.response();
    }
  }

  /**
   * The body, or null when it exceeds {@code maxBytes}. With a {@code Content-Length} (every client
   * here sends one) the body is read into an array of exactly that size: {@code readNBytes(int)} allocates
   * and zeroes a 16 KB buffer per call and copies out of it, which cost ~7 % of the simulator's CPU.
   */
  static byte[] readBody(HttpExchange exchange, int maxBytes) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      boolean chunked = exchange.getRequestHeaders().getFirst("Transfer-Encoding") != null;
      long declared = chunked ? -1 : contentLength(exchange.getRequestHeaders().getFirst("Content-Length"));
      if (declared > maxBytes) {
        discard(in);
        return null;
      }
      if (declared >= 0) {
        byte[] body = new byte[(int) declared];
        int n = in.readNBytes(body, 0, body.length);
        return n == body.length ? body : Arrays.copyOf(body, n); // a short body: the client went away
      }
      byte[] body = in.readNBytes(maxBytes + 1); // chunked: no length given
      if (body.length <= maxBytes) return body;
      discard(in);
      return null;
    }
  }

  /** Most bytes of a refused body read and dropped, so that the client, still sending, reads the 413. */
  static final long DISCARD_LIMIT = 16L * MAX_BODY_BYTES;

  /**
   * Reads and drops the rest of a refused body (up to {@link #DISCARD_LIMIT}): answering while the client is still
   * sending would make the connection's close reset it, and the client would see no answer at all.
   */
  private static void discard(InputStream in) throws IOException {
    byte[] sink = new byte[64 * 1024];
    long left = DISCARD_LIMIT;
    int n;
    while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) left -= n;
  }

  /** The declared length, or -1 when absent or unreadable (the server itself refuses a malformed one). */
  static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(header.strip());
      return n < 0 ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void sendQuietly(HttpExchange exchange, String requestId, ApiResponse response) {
    if (exchange.getResponseCode() != -1) {
      return; // headers already sent: closing is all that is left
    }
    try {
      HttpReplies.send(exchange, requestId, response);
    } catch (IOException | RuntimeException e) {
      log.debug("{} could not send the error answer", requestId, e);
    }
  }
}
