package dev.ferry.recipes.workos;

import dev.ferry.core.source.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Whether a resumed job's input is still the file that was planned. The cheap part is checked at once by
 * {@link WorkosImport#checkInput}: the file exists, and its size and modification time are the planned ones.
 * The SHA-256 of the whole file (a second per gigabyte or so) is then computed on a thread of its own while the
 * run starts, so a resume starts sending at once whatever the size of the input; when the hash differs,
 * {@link #whenChanged} listeners stop the run and {@link #await} refuses the job. A changed file therefore never
 * finishes a job, and rows are sent from a changed file only when it kept the planned size and modification time
 * (content rewritten in place and the time set back), and only until the hash is known.
 *
 * <p>Threadsafe. Concurrency: the one hashing thread completes {@code result} (null = same file, else the reason
 * it is refused); listeners run on that thread, or on the registering thread when the result is already known.
 * {@link #close} asks the hashing thread to give up (it checks between reads).
 */
public final class InputCheck implements AutoCloseable {
  private static final int BUFFER = 1 << 20;

  private final CompletableFuture<String> result;
  private volatile boolean closed;

  private InputCheck(CompletableFuture<String> result) {
    this.result = result;
  }

  /** A check already decided: {@code refusal} null for "same file". */
  static InputCheck decided(String refusal) {
    return new InputCheck(CompletableFuture.completedFuture(refusal));
  }

  /** The check of an input that was just planned (and hashed): the same file. */
  public static InputCheck unchanged() {
    return decided(null);
  }

  /**
   * Starts hashing {@code input} on a new daemon platform thread (not a virtual one: hashing is CPU work that
   * would hold a carrier thread the rows need), comparing it with {@code sha256Hex}.
   *
   * @param refusal the reason given when the hash differs
   */
  static InputCheck hashInBackground(Path input, String sha256Hex, String refusal) {
    CompletableFuture<String> result = new CompletableFuture<>();
    InputCheck check = new InputCheck(result);
    Thread.ofPlatform().daemon().name("ferry-input-check").start(() -> {
      try {
        String hash = check.sha256(input);
        result.complete(hash == null || hash.equals(sha256Hex) ? null : refusal);
      } catch (IOException e) {
        result.complete(input + ": cannot read the file to check it is the planned one ("
            + e.getClass().getSimpleName() + "); resuming would risk mixing two inputs");
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return check;
  }

  /**
   * Calls {@code listener} with the reason once the input is known to have changed (at once when it already is);
   * never when it is the planned file. Threadsafe.
   */
  public void whenChanged(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener cannot be null");
    result.thenAccept(reason -> {
      if (reason != null) listener.accept(reason);
    });
  }

  /**
   * Waits for the hash.
   *
   * @throws InputException when the input changed since the job was planned
   * @throws InterruptedException if interrupted while waiting
   */
  public void await() throws InterruptedException {
    String reason;
    try {
      reason = result.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("checking the input failed", e.getCause());
    }
    if (reason != null) throw new InputException(reason);
  }

  /** Stops the hashing thread early (its result no longer matters); idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  /** The file's SHA-256, or null when closed meanwhile. */
  private String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (closed) return null;
        d.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
