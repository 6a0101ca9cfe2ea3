package dev.ferry.core.spi;

/** The state store could not read or write (disk full, read-only directory, lost connection). Unchecked. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
