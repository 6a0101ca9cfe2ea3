package dev.ferry.spec;

import dev.ferry.steps.template.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code serve} section of a service spec: routes, and how the queue is bounded and drained. Immutable.
 *
 * @param routes      the ingest routes
 * @param queue       the queue's name in the store
 * @param backlog     unsettled items at which deliveries get 503
 * @param maxBody     bytes a delivery may have (413 above)
 * @param concurrency items in flight at most
 * @param lease       how long a claim lasts unless renewed
 * @param maxAttempts claims of an item before a retryable failure is final
 * @param retryAfter  a 503's Retry-After, and the delay of a retryable item
 * @param adminToken  the bearer token the admin routes require, or null for none (never shown by toString)
 * @param dedupeWindow how long a delivery id is remembered at least (a redelivery within it is a duplicate); a
 *                    delivery older than this whose items are all done is compacted away
 */
public record ServeConfig(List<Route> routes, String queue, long backlog, long maxBody, int concurrency,
    Duration lease, int maxAttempts, Duration retryAfter, String adminToken, Duration dedupeWindow) {
  public static final long DEFAULT_BACKLOG = 10_000;
  public static final long DEFAULT_MAX_BODY = 10L << 20;
  public static final int DEFAULT_CONCURRENCY = 64;
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
  /** A week: webhook senders retry for hours to a few days (e.g. 3 days), so a week outlasts their redeliveries. */
  public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofDays(7);

  public ServeConfig {
    routes = List.copyOf(routes);
  }

  @Override
  public String toString() {
    return "ServeConfig[routes=" + routes + ", queue=" + queue + ", backlog=" + backlog + ", maxBody=" + maxBody
        + ", concurrency=" + concurrency + ", lease=" + lease + ", maxAttempts=" + maxAttempts + ", retryAfter="
        + retryAfter + ", adminToken=" + (adminToken == null ? "none" : "***") + ", dedupeWindow=" + dedupeWindow
        + "]";
  }

  /**
   * One ingest route. Immutable.
   *
   * @param path           the URL path
   * @param signature      the signature check, or null for none
   * @param deliveryId     path of the delivery id in the body, or null when it is in {@code deliveryHeader}
   * @param deliveryHeader the header holding the delivery id, or null
   * @param items          path of the items list, or null when the body is one item
   * @param only           body paths and the text each must have for the delivery to be stored
   */
  public record Route(String path, Signature signature, JsonPath deliveryId, String deliveryHeader, JsonPath items,
      Map<JsonPath, String> only) {
    public Route {
      only = Map.copyOf(only);
    }
  }

  /**
   * An HMAC-SHA256 signature of the raw body, hex in {@code header} after {@code prefix}. Immutable; the secret is
   * never shown by {@link #toString()}.
   */
  public record Signature(String header, String prefix, String secret) {
    @Override
    public String toString() {
      return "Signature[header=" + header + ", prefix=" + prefix + ", secret=***]";
    }
  }
}
