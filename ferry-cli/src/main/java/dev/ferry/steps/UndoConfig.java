package dev.ferry.steps;

import dev.ferry.steps.template.Template;
import java.util.Objects;

/**
 * A request step's compensation (a spec's {@code undo}): when a later step of the row fails for good, the item this
 * step created for the row (answered ok: not {@code exists}, not found by a lookup) is removed with {@code call}, so a
 * row never stays half done (the WorkOS import's {@code --require-membership}: a user whose membership failed is
 * deleted). The row stays failed; its message says whether the undo worked. Immutable.
 *
 * @param when condition rendered for the row when it fails, or null (always)
 * @param call the undo request; reads the step's own captures ({@code steps.NAME.id}); ok or 404 means undone
 */
public record UndoConfig(Template when, CallConfig call) {
  public UndoConfig {
    Objects.requireNonNull(call, "call cannot be null");
  }
}
