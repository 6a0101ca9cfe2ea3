package dev.ferry.steps;

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
 */
public record StatusRule(StatusAction action, CallConfig then, java.util.Set<String> codes) {
  public StatusRule {
    Objects.requireNonNull(action, "action cannot be null");
    codes = codes == null ? java.util.Set.of() : java.util.Set.copyOf(codes);
    if (then != null && action != StatusAction.EXISTS) {
      throw new IllegalArgumentException("only 'exists' takes a call to recover the existing item's results");
    }
  }

  /** A rule for every answer with its status. */
  public StatusRule(StatusAction action, CallConfig then) {
    this(action, then, java.util.Set.of());
  }

  public static StatusRule of(StatusAction action) {
    return new StatusRule(action, null);
  }

  /** True when the rule holds only for some error codes. */
  public boolean conditional() {
    return !codes.isEmpty();
  }
}
