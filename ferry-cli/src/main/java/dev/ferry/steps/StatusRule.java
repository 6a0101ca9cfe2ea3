package dev.ferry.steps;

import java.util.Objects;

/**
 * What one status (or class of statuses) means for a step. Immutable.
 *
 * @param action what to do
 * @param then   for {@link StatusAction#EXISTS} only, or null: a call whose answer supplies the step's captures
 *               (WorkOS: a 409 "email already exists" → {@code GET /user_management/users?email=...})
 */
public record StatusRule(StatusAction action, CallConfig then) {
  public StatusRule {
    Objects.requireNonNull(action, "action cannot be null");
    if (then != null && action != StatusAction.EXISTS) {
      throw new IllegalArgumentException("only 'exists' takes a call to recover the existing item's results");
    }
  }

  public static StatusRule of(StatusAction action) {
    return new StatusRule(action, null);
  }
}
