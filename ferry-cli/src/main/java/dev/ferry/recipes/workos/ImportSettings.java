package dev.ferry.recipes.workos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.limit.RateLimitSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a WorkOS import job needs to run and resume: stored with the job as JSON. Immutable. Holds no secret
 * (the API key comes from the environment on every run).
 *
 * @param apiUrl             base URL of the API
 * @param dryRun             validate and build payloads only, no HTTP calls
 * @param orgId              organization id for every row without its own org column, or ""
 * @param orgExternalId      organization external id for every row without its own org column, or ""
 * @param createOrgIfMissing create referenced organizations that do not exist
 * @param orgName            name for an organization created from {@code orgExternalId}, or ""
 * @param requireMembership  delete a user this job created when its membership fails
 * @param roleMapping        user external_id → role slug (from --role-mapping)
 * @param prewarm            resolve every referenced organization before the rows
 * @param run                worker count, concurrency and rate limit the job was started with (resume's defaults)
 */
public record ImportSettings(String apiUrl, boolean dryRun, String orgId, String orgExternalId,
    boolean createOrgIfMissing, String orgName, boolean requireMembership, Map<String, String> roleMapping,
    boolean prewarm, RunDefaults run) {

  /**
   * Run settings remembered for resume. Immutable.
   *
   * @param rateLimit the target's limit as the user stated it (a rate or a budget per window)
   */
  public record RunDefaults(int workers, int concurrency, RateLimitSpec rateLimit, long requestTimeoutMillis) {
    public RunDefaults {
      Objects.requireNonNull(rateLimit, "rateLimit cannot be null");
    }
  }

  public static final String KIND = "workos-import";
  private static final ObjectMapper JSON = Json.MAPPER;

  public ImportSettings {
    orgId = orgId == null ? "" : orgId.strip();
    orgExternalId = orgExternalId == null ? "" : orgExternalId.strip();
    orgName = orgName == null ? "" : orgName.strip();
    roleMapping = roleMapping == null ? Map.of() : Map.copyOf(roleMapping);
  }

  /** These settings with another API base URL (a job moved on resume). */
  public ImportSettings withApiUrl(String url) {
    return url.equals(apiUrl) ? this : new ImportSettings(url, dryRun, orgId, orgExternalId, createOrgIfMissing,
        orgName, requireMembership, roleMapping, prewarm, run);
  }

  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("api_url", apiUrl);
    n.put("dry_run", dryRun);
    n.put("org_id", orgId);
    n.put("org_external_id", orgExternalId);
    n.put("create_org_if_missing", createOrgIfMissing);
    n.put("org_name", orgName);
    n.put("require_membership", requireMembership);
    n.put("prewarm", prewarm);
    ObjectNode r = n.putObject("run");
    r.put("workers", run.workers());
    r.put("concurrency", run.concurrency());
    r.put("rate_limit", run.rateLimit().perSecond());
    r.put("rate_window_ms", run.rateLimit().window().toMillis());
    if (run.rateLimit().isAuto()) r.put("rate_learn", true);
    r.put("request_timeout_ms", run.requestTimeoutMillis());
    ObjectNode roles = n.putObject("role_mapping");
    new TreeMap<>(roleMapping).forEach(roles::put);
    return n.toString();
  }

  private static RateLimitSpec rateLimitOf(JsonNode run) {
    if (run.path("rate_learn").asBoolean(false)) return RateLimitSpec.AUTO;
    double perSecond = run.path("rate_limit").asDouble(50);
    long windowMillis = run.path("rate_window_ms").asLong(0);
    return windowMillis > 0
        ? RateLimitSpec.budget(Math.round(perSecond * windowMillis / 1000.0), Duration.ofMillis(windowMillis))
        : RateLimitSpec.rate(perSecond);
  }

  public static ImportSettings fromJson(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      Map<String, String> roles = new TreeMap<>();
      n.path("role_mapping").properties().forEach(e -> roles.put(e.getKey(), e.getValue().asText()));
      return new ImportSettings(n.path("api_url").asText(), n.path("dry_run").asBoolean(),
          n.path("org_id").asText(), n.path("org_external_id").asText(),
          n.path("create_org_if_missing").asBoolean(), n.path("org_name").asText(),
          n.path("require_membership").asBoolean(), roles, n.path("prewarm").asBoolean(true),
          new RunDefaults(n.path("run").path("workers").asInt(4), n.path("run").path("concurrency").asInt(10),
              rateLimitOf(n.path("run")), n.path("run").path("request_timeout_ms").asLong(30_000)));
    } catch (Exception e) {
      throw new IllegalStateException("the job's stored settings are unreadable: " + e.getMessage(), e);
    }
  }
}
