package dev.ferry.core.engine;

/** Thrown by a {@link RowProcessor} to stop the whole job at once (e.g. the API key was refused). */
public final class StopJobException extends RuntimeException {
  public StopJobException(String message) {
    super(message);
  }
}
