package dev.ferry.http;

import java.io.IOException;

/**
 * The proxy in front of a target failed: it could not be reached, or it refused to carry a request (a
 * {@code CONNECT} answered with anything but 2xx, or 407 to a forwarded request). The message names the proxy's
 * address and where it was configured, never its credentials.
 * Immutable.
 */
final class ProxyException extends IOException {
  private final boolean credentialsRefused;

  ProxyException(String message, boolean credentialsRefused, Throwable cause) {
    super(message, cause);
    this.credentialsRefused = credentialsRefused;
  }

  /** True for 407 Proxy Authentication Required: no retry can help. */
  boolean credentialsRefused() {
    return credentialsRefused;
  }
}
