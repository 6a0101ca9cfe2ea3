package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable snapshot of the simulator's counters, as served by {@code GET /__stats} (snake_case
 * names there). API-call counters exclude the {@code /__stats} and {@code /__reset} admin routes.
 *
 * @param users users that exist now
 * @param usersCreated users created since start or reset
 * @param usersDeleted users deleted
 * @param organizations organizations that exist now
 * @param organizationsCreated organizations created
 * @param memberships memberships that exist now
 * @param membershipsCreated memberships created
 * @param duplicatesRefused creations refused as duplicates: user email or external_id clash (422),
 *     organization external_id clash (409), membership for an existing user+organization pair (409)
 * @param duplicateCreations creations of an object whose natural key (lowercased email; organization
 *     external_id; user email + organization) had been created before (only possible after a delete):
 *     0 proves exactly-once
 * @param requests API calls received, whatever their answer
 * @param requestsByRoute API calls per route ({@code "POST /user_management/users"}, ...,
 *     {@code "unknown"}), sorted by route
 * @param rateLimited calls answered 429
 * @param unauthorized calls answered 401
 * @param errorsInjected calls answered with an injected 500/502/503
 * @param hangsInjected calls that hung, then answered 504
 * @param dropsInjected calls whose connection was closed without an answer
 * @param slowInjected calls that got the extra slow latency
 * @param idempotentReplays answers replayed for a repeated {@code Idempotency-Key}
 * @param inFlight API calls being handled now
 * @param maxInFlight the most API calls handled at once
 * @param serialWait total time calls waited to enter the serialised section
 * @param embeddings the OpenAI-compatible embeddings endpoint's counters ({@code "embeddings": {...}})
 * @param points the Qdrant-compatible points API's counters ({@code "points": {...}})
 * @param crm the CRM-like contacts API's counters ({@code "crm": {...}})
 */
public record SimStats(
    long users,
    long usersCreated,
    long usersDeleted,
    long organizations,
    long organizationsCreated,
    long memberships,
    long membershipsCreated,
    long duplicatesRefused,
    long duplicateCreations,
    long requests,
    Map<String, Long> requestsByRoute,
    long rateLimited,
    long unauthorized,
    long errorsInjected,
    long hangsInjected,
    long dropsInjected,
    long slowInjected,
    long idempotentReplays,
    long inFlight,
    long maxInFlight,
    Duration serialWait,
    EmbeddingStats embeddings,
    PointStats points,
    CrmStats crm) {

  public SimStats {
    requestsByRoute = Collections.unmodifiableMap(new TreeMap<>(requestsByRoute));
    Objects.requireNonNull(embeddings, "embeddings cannot be null");
    Objects.requireNonNull(points, "points cannot be null");
    Objects.requireNonNull(crm, "crm cannot be null");
  }

  /** API calls to one route ({@code "POST /organizations"}); 0 when none. */
  public long requestsTo(String route) {
    return requestsByRoute.getOrDefault(route, 0L);
  }

  /** The JSON served by {@code GET /__stats}. */
  public String toJson() {
    return new String(SimJson.render(this), StandardCharsets.UTF_8);
  }

  /**
   * Parses the JSON of {@code GET /__stats} (e.g. from a simulator in another process).
   *
   * @throws IllegalArgumentException when the text is not stats JSON
   */
  public static SimStats fromJson(String json) {
    JsonNode n;
    try {
      n = SimJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not stats JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject() || !n.has("requests")) {
      throw new IllegalArgumentException("not stats JSON");
    }
    Map<String, Long> byRoute = new TreeMap<>();
    n.path("requests_by_route").properties().forEach(e -> byRoute.put(e.getKey(), e.getValue().asLong()));
    return new SimStats(
        n.path("users").asLong(),
        n.path("users_created").asLong(),
        n.path("users_deleted").asLong(),
        n.path("organizations").asLong(),
        n.path("organizations_created").asLong(),
        n.path("memberships").asLong(),
        n.path("memberships_created").asLong(),
        n.path("duplicates_refused").asLong(),
        n.path("duplicate_creations").asLong(),
        n.path("requests").asLong(),
        byRoute,
        n.path("rate_limited").asLong(),
        n.path("unauthorized").asLong(),
        n.path("errors_injected").asLong(),
        n.path("hangs_injected").asLong(),
        n.path("drops_injected").asLong(),
        n.path("slow_injected").asLong(),
        n.path("idempotent_replays").asLong(),
        n.path("in_flight").asLong(),
        n.path("max_in_flight").asLong(),
        Duration.ofNanos(Math.round(n.path("serial_wait_ms").asDouble() * 1e6)),
        EmbeddingStats.read(n.path("embeddings")),
        PointStats.read(n.path("points")),
        CrmStats.read(n.path("crm")));
  }
}
