package dev.ferry.recipes.workos;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.HttpTarget;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;

/**
 * Lookup-or-create cache of organizations shared by every worker, single-flight per key, so two workers never
 * create the same organization and a cache hit costs no request (and no rate-limit permit).
 *
 * <p>Concurrency: {@code cache} holds one future per key. The thread whose {@code putIfAbsent} installed the
 * future resolves it; every other thread waits on that future. A transient failure removes the future (so a
 * later row tries again); a permanent answer (not found, refused) stays cached.
 */
final class OrgResolver {
  private static final ObjectMapper JSON = Json.MAPPER;
  /**
   * What creates a missing organization, true of the run that planned the job and of a resume (which keeps the job's
   * settings and has no such flag).
   */
  static final String NOT_CREATING = "the job was planned without --create-org-if-missing, which resume cannot add:"
      + " create the organization, or import the errors file's rows as a new job with --create-org-if-missing";
  private final HttpTarget target;
  private final String jobId;
  private final boolean createIfMissing;
  private final ImportStats stats;
  private final BiConsumer<String, String> onResolved;
  private final ConcurrentHashMap<String, CompletableFuture<Resolution>> cache = new ConcurrentHashMap<>();

  /** An organization id, or why there is none. Immutable. */
  record Resolution(String orgId, int status, String code, String message, String requestId, boolean retryable) {
    boolean ok() {
      return orgId != null;
    }

    static Resolution of(String id) {
      return new Resolution(id, 0, "", "", "", false);
    }
  }

  OrgResolver(HttpTarget target, String jobId, boolean createIfMissing, ImportStats stats,
      Map<String, String> known, BiConsumer<String, String> onResolved) {
    this.target = target;
    this.jobId = jobId;
    this.createIfMissing = createIfMissing;
    this.stats = stats;
    this.onResolved = onResolved;
    known.forEach((k, v) -> cache.put(k, CompletableFuture.completedFuture(Resolution.of(v))));
  }

  /** Cache key of a row's organization reference. */
  static String key(UserRow row) {
    return row.orgId().isEmpty() ? "ext:" + row.orgExternalId() : "id:" + row.orgId();
  }

  Resolution resolve(String key, String nameHint) throws InterruptedException {
    CompletableFuture<Resolution> mine = new CompletableFuture<>();
    CompletableFuture<Resolution> existing = cache.putIfAbsent(key, mine);
    if (existing != null) {
      try {
        return existing.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) throw re; // e.g. a 401/403: every waiter stops the job
        throw new IllegalStateException(e.getCause());
      }
    }
    Resolution r;
    try {
      r = key.startsWith("id:") ? verifyId(key.substring(3)) : lookupOrCreate(key.substring(4), nameHint);
    } catch (RuntimeException | InterruptedException e) {
      cache.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
    if (r.ok()) onResolved.accept(key, r.orgId());
    if (r.retryable()) cache.remove(key, mine);
    mine.complete(r);
    return r;
  }

  private Resolution verifyId(String orgId) throws InterruptedException {
    ApiResponse r = call(ApiCall.get("/organizations/" + enc(orgId), "get_org"));
    if (r.ok()) return Resolution.of(orgId);
    return failure(r, r.status() == 404 ? "organization " + orgId + " does not exist" : null);
  }

  private Resolution lookupOrCreate(String externalId, String nameHint) throws InterruptedException {
    ApiResponse found = find(externalId);
    if (found.ok()) {
      stats.orgsExisting.increment();
      return Resolution.of(idOf(found));
    }
    if (found.status() != 404) return failure(found, null);
    if (!createIfMissing) {
      return new Resolution(null, 404, "organization_not_found", "no organization has external_id '"
          + externalId + "' (" + NOT_CREATING + ")", found.requestId(), false);
    }
    String name = nameHint == null || nameHint.isBlank() ? externalId : nameHint;
    ApiResponse created = call(ApiCall.post("/organizations", Payloads.createOrganization(name, externalId),
        "ferry-" + jobId + "-org-" + externalId, "create_org"));
    if (created.ok()) {
      stats.orgsCreated.increment();
      return Resolution.of(idOf(created));
    }
    if (created.status() == 409 || created.status() == 422) {
      ApiResponse again = find(externalId); // created meanwhile by someone else
      if (again.ok()) {
        stats.orgsExisting.increment();
        return Resolution.of(idOf(again));
      }
    }
    return failure(created, null);
  }

  /** One call; a redirect stops the job ({@link Redirects}). */
  private ApiResponse call(ApiCall c) throws InterruptedException {
    return Redirects.refuse(target.call(c), c.callType());
  }

  private ApiResponse find(String externalId) throws InterruptedException {
    return call(ApiCall.get("/organizations/external_id/" + enc(externalId), "find_org"));
  }

  private static Resolution failure(ApiResponse r, String message) {
    ApiError e = ApiError.of(r);
    return new Resolution(null, r.status(), e.detailCode(), message != null ? message : e.message(), r.requestId(),
        r.transientExhausted());
  }

  static String idOf(ApiResponse r) {
    // Streams to the top-level "id" instead of building a tree of the whole answer: this runs once a created
    // user (a row), and the tree cost ~5 % of the client's CPU at 2,000 rows/s (peer benchmarks, docs/PEERS.md).
    try (JsonParser p = JSON.getFactory().createParser(r.body())) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalStateException("answer is not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean isId = "id".equals(p.currentName());
        p.nextToken();
        if (isId) {
          String id = p.getValueAsString("");
          if (id.isEmpty()) break;
          return id;
        }
        p.skipChildren();
      }
      throw new IllegalStateException("answer without an id");
    } catch (Exception e) {
      throw new IllegalStateException("unreadable answer from the API (HTTP " + r.status() + ")", e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
