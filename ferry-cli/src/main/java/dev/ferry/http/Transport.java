package dev.ferry.http;

import dev.ferry.core.time.Ticker;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Puts one request on the wire to one target (scheme, host and port fixed at construction) and reads its answer.
 * No retries, rate limits or metrics: those are {@link HttpTarget}'s. Implementations are threadsafe.
 *
 * <p>One implementation: {@link Http1Transport}, ferry's own blocking HTTP/1.1 client over sockets (about a third
 * of the JDK {@code HttpClient}'s CPU per request, and half of Apache HttpClient 5's: see docs/ARCHITECTURE.md,
 * "The HTTP client"). The interface is the seam tests and a future HTTP/2 client plug into.
 */
interface Transport extends AutoCloseable {
  /**
   * Sends one request and reads the whole answer.
   *
   * @param method       HTTP method (a token, e.g. {@code POST})
   * @param pathAndQuery the request target in origin form, e.g. {@code /user_management/users?email=a%40b.c}
   * @param headers      names and values alternating ({@code name0, value0, name1, value1, ...}); a pair whose
   *                     value is null is left out. No {@code Host} or {@code Content-Length}: the transport adds them.
   * @param body         the request body, or null for none
   * @param timeout      the whole exchange must end within it (connecting included)
   * @throws java.net.http.HttpTimeoutException when the timeout passes first (connect timeouts included)
   * @throws java.net.ConnectException          when the target refuses the connection
   * @throws ProxyException                     when the proxy cannot be reached or refuses the request
   * @throws RedirectRefusedException           when the target answers 3xx (never followed)
   * @throws IOException                        for any other failure to send or read (malformed or oversized answer
   *                                            included); the message never holds a header value
   * @throws InterruptedException               when the calling thread is interrupted
   */
  Reply send(String method, String pathAndQuery, String[] headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException;

  /** Closes idle connections and releases threads; requests still in flight may fail. */
  @Override
  void close();

  /**
   * One answer. Immutable.
   *
   * @param status     HTTP status
   * @param body       the body decoded as UTF-8 ("" when none)
   * @param requestId  the {@code X-Request-ID} header, "" when absent
   * @param retryAfter the {@code Retry-After} header, null when absent
   * @param rateHeaders the rate-limit headers ({@link RateLimitHeaders#wanted}): lower-case names and values
   *                   alternating, empty when none
   * @param resent     true when the request went out a second time, on a fresh connection, because a reused idle
   *                   connection failed before any byte of the answer came (see {@link Http1Transport})
   */
  record Reply(int status, String body, String requestId, String retryAfter, java.util.List<String> rateHeaders,
      boolean resent) {}

  /** ferry's transport to the scheme, host and port of {@code base} (its path is ignored), as {@code network} says. */
  static Transport forTarget(URI base, Duration connectTimeout, NetworkSettings network) {
    return Http1Transport.of(base, connectTimeout, Ticker.system(), network);
  }
}
