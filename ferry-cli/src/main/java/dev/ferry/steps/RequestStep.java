package dev.ferry.steps;

/** A step that sends one request per row. Threadsafe (immutable). */
final class RequestStep implements Step {
  /** How the note of a successful undo starts. */
  static final String UNDONE = " (undone: ";
  private final RequestStepConfig config;
  private final StepTarget target;
  private final CallRunner runner;
  /** A dry run's render of the call when nobody reads its requests, for CSV rows; else null. */
  private final UnshownCall unshown;
  /** The dry run's sample of rendered requests, when it shows some (an unshown call is used once it is full). */
  private final SampledRequests sample;

  RequestStep(RequestStepConfig config, StepTarget target, CallRunner runner) {
    this(config, target, runner, null, null);
  }

  /**
   * @param unshown what a dry run renders of a CSV row's call when nobody reads its request, or null (all of it)
   * @param sample  the sample that reads them, or null when nothing does
   */
  RequestStep(RequestStepConfig config, StepTarget target, CallRunner runner, UnshownCall unshown,
      SampledRequests sample) {
    this.config = config;
    this.target = target;
    this.runner = runner;
    this.unshown = unshown;
    this.sample = sample;
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public StepResult run(RowState row) throws InterruptedException {
    if (unshown != null && row.input().record() instanceof dev.ferry.sources.CsvRecord
        && (sample == null || sample.full())) {
      StepResult r = unshown.run(row.context()); // its facts hold: the row's fields are text
      if (sample != null && r instanceof StepResult.Ok) sample.hidden(row.input().row()); // as a rendered one is
      return r;
    }
    return runner.run(config.name(), target, config.call(), row.context(), row.input().row());
  }

  boolean hasUndo() {
    return config.undo() != null;
  }

  /**
   * Removes what this step created for the row (its {@link UndoConfig}), when the undo's condition holds.
   *
   * @return a note for the failed row's message: "(undone: ...)" or why not; "" when there is nothing to undo
   */
  String undo(RowState row) throws InterruptedException {
    UndoConfig undo = config.undo();
    if (undo == null) return "";
    try {
      if (undo.when() != null && !undo.when().renderCondition(row.context())) return "";
    } catch (dev.ferry.steps.template.SpecException e) {
      return " (undo of step '" + config.name() + "' not run: " + e.getMessage() + ")";
    }
    StepResult r = runner.run(config.name() + ".undo", target, undo.call(), row.context(), row.input().row());
    if (r instanceof StepResult.Ok || r instanceof StepResult.Failed f && f.status() == 404) {
      return UNDONE + "step '" + config.name() + "')";
    }
    StepResult.Failed f = (StepResult.Failed) r;
    return " (undo of step '" + config.name() + "' failed: " + (f.status() > 0 ? "HTTP " + f.status() : f.code())
        + ")";
  }
}
