package dev.ferry.steps;

import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.util.Objects;

/**
 * A rule every row must pass before any step runs (a spec's {@code checks}): a row for which {@code require} renders
 * false, or cannot be rendered at all (e.g. {@code json_parse} of text that is not JSON), is {@code invalid} with
 * {@code code} and the rendered {@code message}; nothing is sent for it. Checks read only {@code row}, {@code job}
 * and {@code source}. Immutable.
 *
 * @param location where the check was declared
 * @param require  the condition a valid row meets (as a {@code when}: false, null, "" and "false" are false)
 * @param code     the invalid row's code in the ledger and the errors file
 * @param message  the invalid row's message, rendered for the row, or null for "check CODE failed"
 */
public record RowCheck(SpecLocation location, Template require, String code, Template message) {
  public RowCheck {
    Objects.requireNonNull(location, "location cannot be null");
    Objects.requireNonNull(require, "require cannot be null");
    Objects.requireNonNull(code, "code cannot be null");
    if (code.isBlank()) throw new IllegalArgumentException("a check's code cannot be empty");
  }
}
