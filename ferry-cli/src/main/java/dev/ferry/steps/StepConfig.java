package dev.ferry.steps;

import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;

/**
 * One step of a job spec, as the parser fills it: what a row goes through, in order. Implementations are immutable
 * records.
 */
public sealed interface StepConfig permits RequestStepConfig, LookupStepConfig {
  /** Unique among the job's steps; later templates read its results as {@code steps.NAME}. */
  String name();

  /** Where the step was declared. */
  SpecLocation location();

  /** The step runs only for rows where this renders true ({@link Template#renderCondition}); null = always. */
  Template when();

  /** The target it calls. */
  String target();
}
