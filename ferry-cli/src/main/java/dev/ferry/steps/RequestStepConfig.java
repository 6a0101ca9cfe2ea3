package dev.ferry.steps;

import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.util.Objects;

/**
 * A step that sends one HTTP request per row, or, with {@code batch}, one per batch of rows. Immutable.
 *
 * @param name     the step's name
 * @param location where it was declared
 * @param when     condition, or null
 * @param target   the target's name
 * @param call     the request, rules, captures, charge
 * @param batch    batch settings, or null for one request per row
 * @param undo     what removes the item this step created when a later step fails, or null (not in batch steps)
 */
public record RequestStepConfig(String name, SpecLocation location, Template when, String target, CallConfig call,
    BatchSettings batch, UndoConfig undo) implements StepConfig {
  public RequestStepConfig {
    Objects.requireNonNull(name, "name cannot be null");
    Objects.requireNonNull(location, "location cannot be null");
    Objects.requireNonNull(target, "target cannot be null");
    Objects.requireNonNull(call, "call cannot be null");
    if (undo != null && batch != null) throw new IllegalArgumentException("a batch step has no undo");
  }

  /** A step without undo. */
  public RequestStepConfig(String name, SpecLocation location, Template when, String target, CallConfig call,
      BatchSettings batch) {
    this(name, location, when, target, call, batch, null);
  }

  public boolean batched() {
    return batch != null;
  }
}
