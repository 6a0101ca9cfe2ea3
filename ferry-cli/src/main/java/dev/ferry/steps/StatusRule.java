package dev.ferry.steps;

import dev.ferry.steps.template.JsonPath;
import java.util.Map;
import java.util.Objects;

/**
 * What one status (or class of statuses) means for a step. Immutable.
 *
 * @param action what to do
 * @param then   for {@link StatusAction#EXISTS} only, or null: a call whose answer supplies the step's captures
 *               (WorkOS: a 409 "email already exists" → {@code GET /user_management/users?email=...})
 * @param codes  empty: the rule holds for every answer with its status; else only for answers whose error code is one
 *               of these (WorkOS: 422 with {@code email_not_available} means "exists", another 422 does not); the
 *               codes read are {@code code}, {@code error.code}, {@code error.type} and every {@code errors[].code}
 * @param capture empty: the call's captures are read from this answer with the call's paths; else, for {@link
 *               StatusAction#OK} or {@link StatusAction#EXISTS} without {@code then}, the paths given here replace the
 *               call's for their names (a CRM's 409 holding the existing item's id at {@code $.conflict.existing_id}
 *               where a 201 holds it at {@code $.contact.id}); the call's other names keep their paths
 * @param error   null: the rule holds whatever the body holds; else only for answers where this path reads a value
 *               other than null, {@code false} and {@code ""} (an API that answers 200 with {@code {"success": false,
 *               "error": {...}}}: {@code 2xx: {action: final, error: $.error}}); with codes, both must hold
 */
public record StatusRule(StatusAction action, CallConfig then, java.util.Set<String> codes,
    Map<String, JsonPath> capture, JsonPath error) {
  public StatusRule {
    Objects.requireNonNull(action, "action cannot be null");
    codes = codes == null ? java.util.Set.of() : java.util.Set.copyOf(codes);
    capture = capture == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(capture));
    if (then != null && action != StatusAction.EXISTS) {
      throw new IllegalArgumentException("only 'exists' takes a call to recover the existing item's results");
    }
    if (!capture.isEmpty() && (then != null || action != StatusAction.OK && action != StatusAction.EXISTS)) {
      throw new IllegalArgumentException("capture belongs to an ok or exists rule without then");
    }
  }

  /** A rule whose answer is captured with the call's own paths. */
  public StatusRule(StatusAction action, CallConfig then, java.util.Set<String> codes) {
    this(action, then, codes, Map.of(), null);
  }

  /** A rule for every answer with its status. */
  public StatusRule(StatusAction action, CallConfig then) {
    this(action, then, java.util.Set.of());
  }

  public static StatusRule of(StatusAction action) {
    return new StatusRule(action, null);
  }

  /** True when the rule holds only for some answers: some error codes, or an error path that reads a value. */
  public boolean conditional() {
    return !codes.isEmpty() || error != null;
  }
}
