package dev.ferry.core.source;

/**
 * The input cannot be used at all (missing required column, changed since planning, unreadable): the CLI
 * prints the message on one line and exits with code 2. The message names the file, and the line and field
 * when there is one. Unchecked.
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
