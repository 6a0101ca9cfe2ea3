package dev.ferry.steps;

/** A step that sends one request per row. Threadsafe (immutable). */
final class RequestStep implements Step {
  private final RequestStepConfig config;
  private final StepTarget target;
  private final CallRunner runner;

  RequestStep(RequestStepConfig config, StepTarget target, CallRunner runner) {
    this.config = config;
    this.target = target;
    this.runner = runner;
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public StepResult run(RowState row) throws InterruptedException {
    return runner.run(config.name(), target, config.call(), row.context(), row.input().row());
  }
}
