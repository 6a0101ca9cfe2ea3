package dev.ferry.steps;

import dev.ferry.steps.template.SpecLocation;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP API a spec's steps call, declared once and referenced by name. Immutable.
 *
 * <p>Every header value is treated as a secret (they carry API keys: {@code Authorization: Bearer ${KEY}},
 * {@code api-key: ${KEY}}): {@link #toString()}, dry-run renderings, errors and reports show {@code ***}, and any
 * answer or message echoing a value is scrubbed before it is recorded. A header whose value is empty (an unset
 * optional key, {@code ${QDRANT_API_KEY:-}}) is not sent.
 *
 * @param name     the name steps use
 * @param location where the target was declared
 * @param baseUrl  http or https URL; steps' paths are relative to it
 * @param headers  sent with every request of the target, in order
 * @param limits   the target's limits
 * @param timeout  per-attempt timeout, or null for the job's default
 * @param refused  the stop reason of a refused key (401) or missing rights (403), by status ({@code {method}} and
 *                 {@code {path}} name the refused request); a status not in it gets ferry's own wording
 */
public record TargetConfig(String name, SpecLocation location, URI baseUrl, Map<String, String> headers,
    TargetLimits limits, Duration timeout, Map<Integer, String> refused) {

  /** A target whose refusals get ferry's own wording. */
  public TargetConfig(String name, SpecLocation location, URI baseUrl, Map<String, String> headers,
      TargetLimits limits, Duration timeout) {
    this(name, location, baseUrl, headers, limits, timeout, Map.of());
  }

  /** The same target with other limits (e.g. {@code --rate-limit}'s). */
  public TargetConfig withLimits(TargetLimits other) {
    return new TargetConfig(name, location, baseUrl, headers, other, timeout, refused);
  }

  public TargetConfig {
    Objects.requireNonNull(name, "name cannot be null");
    Objects.requireNonNull(location, "location cannot be null");
    Objects.requireNonNull(baseUrl, "baseUrl cannot be null");
    Objects.requireNonNull(limits, "limits cannot be null");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    refused = refused == null ? Map.of() : Map.copyOf(refused);
    String scheme = baseUrl.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
      throw new IllegalArgumentException("base_url must be an http:// or https:// URL with a host");
    }
    if (timeout != null && !timeout.isPositive()) throw new IllegalArgumentException("timeout must be positive");
  }

  /** Secrets masked. */
  @Override
  public String toString() {
    StringBuilder h = new StringBuilder();
    headers.keySet().forEach(k -> h.append(h.isEmpty() ? "" : ", ").append(k).append(": ***"));
    return "TargetConfig[" + name + " " + baseUrl + " {" + h + "} limits " + limits.describe() + "]";
  }
}
