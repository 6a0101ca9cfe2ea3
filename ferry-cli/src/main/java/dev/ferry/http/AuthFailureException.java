package dev.ferry.http;

/** The target answered 401 or 403: the key is wrong or lacks rights. Stops the job. Unchecked. */
public final class AuthFailureException extends RuntimeException {
  private final int status;

  public AuthFailureException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
