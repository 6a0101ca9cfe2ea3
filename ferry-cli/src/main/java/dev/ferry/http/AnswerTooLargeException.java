package dev.ferry.http;

import java.io.IOException;

/**
 * The target answered, but with a body larger than ferry keeps ({@link Http1Limits#maxBodyBytes}): the status stands
 * (the target did what it says), the body is dropped, and sending the request again would only bring the same body
 * back, so it is not retried. The connection is closed.
 */
final class AnswerTooLargeException extends IOException {
  private final int status;

  AnswerTooLargeException(int status, int maxBodyBytes) {
    super("answer body larger than " + maxBodyBytes + " bytes");
    this.status = status;
  }

  /** What a user reads: the status, the limit, and that the body was dropped. */
  String explain() {
    return "the answer (HTTP " + status + ") has a body " + getMessage().substring("answer body ".length())
        + ", more than ferry keeps: its status stands, its body is dropped";
  }

  int status() {
    return status;
  }
}
