package dev.ferry.http;

/**
 * The target cannot be used at all, so no row should be tried: its first calls could not connect (refused, unknown
 * host, no route), its TLS certificate is not trusted or does not name it, or the proxy refused to carry them (a
 * 407 at any time). Stops the job before any row is marked; the message says what is wrong and what to do, and
 * never holds a secret. Unchecked.
 * Immutable.
 */
public final class TargetUnusableException extends RuntimeException {
  public TargetUnusableException(String message) {
    super(message);
  }
}
