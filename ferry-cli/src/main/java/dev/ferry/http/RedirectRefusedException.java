package dev.ferry.http;

import java.io.IOException;

/**
 * The target answered 3xx: ferry never follows a redirect, so the call fails for good, naming the Location. The
 * advice (which setting holds the address) is the target's to add: {@code --api-url} or {@code targets.NAME.base_url}.
 */
final class RedirectRefusedException extends IOException {
  private final int status;

  RedirectRefusedException(int status, String location) {
    super("the target answered HTTP " + status + (location == null || location.isEmpty() ? " (a redirect without a"
        + " Location)" : " redirecting to " + location) + ": ferry never follows redirects");
    this.status = status;
  }

  int status() {
    return status;
  }
}
