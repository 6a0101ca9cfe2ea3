package dev.ferry.steps;

import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.Template;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP call of a step: the request, its idempotency key, how its answer's statuses read, what it captures and
 * what it charges against the target's weighed limits. Immutable.
 *
 * @param request        the request
 * @param idempotencyKey rendered per row into the {@code Idempotency-Key} header (stable across retries and
 *                       resumes: build it from the row's key, e.g. {@code contact-{{ row.id }}}; {@code job.id}
 *                       makes it unique per job), or null for none
 * @param rules          status rules
 * @param capture        results for later steps and sinks: name → path into the answer (an absent path gives
 *                       null); in a batch step the paths read the row's own item of the answer
 * @param charge         weight permits one call takes from the target's limits, by unit: {@code tokens →
 *                       {{ batch.weight }}}; a unit the target does not limit is ignored
 */
public record CallConfig(RequestTemplate request, Template idempotencyKey, ResponseRules rules,
    Map<String, JsonPath> capture, Map<String, Template> charge) {
  public CallConfig {
    Objects.requireNonNull(request, "request cannot be null");
    rules = rules == null ? ResponseRules.DEFAULTS : rules;
    capture = Collections.unmodifiableMap(new LinkedHashMap<>(capture == null ? Map.of() : capture));
    charge = Collections.unmodifiableMap(new LinkedHashMap<>(charge == null ? Map.of() : charge));
  }

  /** A call with default rules, no key, no capture, no charge. */
  public static CallConfig of(RequestTemplate request) {
    return new CallConfig(request, null, ResponseRules.DEFAULTS, Map.of(), Map.of());
  }
}
