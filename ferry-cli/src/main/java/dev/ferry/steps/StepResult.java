package dev.ferry.steps;

import java.util.Map;

/** What one step did for one row. Immutable. */
public sealed interface StepResult {

  /** The step succeeded (or found the thing existing); {@code captures} are its results for later steps. */
  record Ok(Map<String, Object> captures, int status, String note, String requestId) implements StepResult {
    public Ok {
      captures = FrozenCaptures.of(captures); // a read-only copy, made once: another Ok's captures are kept as they are
      note = note == null ? "" : note;
      requestId = requestId == null ? "" : requestId;
    }
  }

  /** The step's {@code when} was false (or a lookup's key was empty): nothing was sent. */
  record Skipped() implements StepResult {}

  /**
   * The row fails at this step.
   *
   * @param status    HTTP status of the deciding answer, 0 when none
   * @param code      machine code (the API's error code, or ferry's: {@code template}, {@code no_item}...)
   * @param message   why, never holding a secret
   * @param requestId the target's request id, may be ""
   * @param retryable transient (retries exhausted): {@code ferry resume} sends the row again
   */
  record Failed(int status, String code, String message, String requestId, boolean retryable) implements StepResult {
    public Failed {
      code = code == null ? "" : code;
      message = message == null ? "" : message;
      requestId = requestId == null ? "" : requestId;
    }
  }

  StepResult SKIPPED = new Skipped();
}
