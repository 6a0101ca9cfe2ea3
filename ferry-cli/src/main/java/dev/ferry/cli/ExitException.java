package dev.ferry.cli;

/** Ends a command with an exit code and one message line (or none). */
final class ExitException extends RuntimeException {
  private final int code;

  ExitException(int code, String message) {
    super(message);
    this.code = code;
  }

  int code() {
    return code;
  }
}
