package dev.ferry.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a spec job stores in {@code JobRecord.config} so that resume, status and worker can run it again: the spec's
 * text as written (no parameter substituted, so no secret), the directory relative paths were read from, the
 * values of the parameters that are not secret, whether it is a dry run, and the job's run defaults. Immutable.
 *
 * @param file       the spec's name as given (for messages)
 * @param text       the spec as written
 * @param baseDir    the directory relative paths in the spec are relative to
 * @param params     the non-secret parameters' values at planning (a resume reads the same input)
 * @param dryRun     render every request, send nothing
 * @param workers    default workers of the job
 * @param concurrency default rows in flight per worker (0 = adaptive)
 * @param rateLimit  the --rate-limit given at planning (for a single-target spec), or null
 * @param requestTimeoutMillis per-request timeout of targets without their own
 */
public record SpecSettings(String file, String text, Path baseDir, Map<String, String> params, boolean dryRun,
    int workers, int concurrency, String rateLimit, long requestTimeoutMillis) {
  /** {@code JobRecord.kind} of a spec job. */
  public static final String KIND = "spec";
  private static final ObjectMapper JSON = new ObjectMapper();

  public SpecSettings {
    params = Map.copyOf(params);
  }

  /** These settings with the parameters' values {@code params} (a resume's --param). */
  public SpecSettings withParams(Map<String, String> params) {
    return new SpecSettings(file, text, baseDir, params, dryRun, workers, concurrency, rateLimit,
        requestTimeoutMillis);
  }

  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("spec_file", file);
    n.put("spec_text", text);
    n.put("base_dir", baseDir.toString());
    ObjectNode p = n.putObject("params");
    params.forEach(p::put);
    n.put("dry_run", dryRun);
    n.put("workers", workers);
    n.put("concurrency", concurrency);
    if (rateLimit != null) n.put("rate_limit", rateLimit);
    n.put("request_timeout_ms", requestTimeoutMillis);
    return n.toString();
  }

  public static SpecSettings fromJson(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      Map<String, String> params = new LinkedHashMap<>();
      n.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
      return new SpecSettings(n.path("spec_file").asText(), n.path("spec_text").asText(),
          Path.of(n.path("base_dir").asText()), params, n.path("dry_run").asBoolean(), n.path("workers").asInt(4),
          n.path("concurrency").asInt(0), n.hasNonNull("rate_limit") ? n.get("rate_limit").asText() : null,
          n.path("request_timeout_ms").asLong(30_000));
    } catch (IOException e) {
      throw new UncheckedIOException("a spec job's settings are not JSON", e);
    }
  }

  /**
   * The spec again, for a resume or another worker: the stored parameters first, the environment for the rest
   * (the secrets).
   *
   * @throws InvalidSpecException when a secret parameter is missing from this environment
   */
  public JobSpec load(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>(env);
    values.putAll(params);
    return SpecLoader.parse(file, text, values, baseDir);
  }
}
