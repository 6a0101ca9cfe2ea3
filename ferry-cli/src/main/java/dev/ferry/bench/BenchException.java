package dev.ferry.bench;

/** A rung could not be measured: its job stopped for a reason of its own (auth failure, failures in a row). */
public final class BenchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BenchException(String message) {
    super(message);
  }
}
