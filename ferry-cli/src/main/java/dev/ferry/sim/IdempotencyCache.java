package dev.ferry.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Remembers the first answer per {@code Idempotency-Key} and replays it for the same key and the same
 * request; the same key with another request is refused (400 {@code idempotency_key_reused}). Keys are
 * kept for {@code ttl} and at most {@code maxEntries} of them (the oldest evicted first). Threadsafe.
 */
final class IdempotencyCache {
  /*
   * Concurrency: single flight per key through entries.putIfAbsent. The thread whose entry is installed
   * (the leader) runs the action and completes the entry's future; any other thread with that key waits
   * on the future and replays it. If the action throws, the leader removes its entry before failing the
   * future, and waiters start over (one of them becomes the leader).
   * An expired entry (done, older than ttl) is swapped out with entries.replace(key, old, new), so only
   * one thread takes over. Eviction order lives in `order`, guarded by evictionLock (a short,
   * non-blocking critical section); it may hold entries already replaced, which is why removal uses
   * entries.remove(key, entry). Bound caveat: an entry still in flight can be evicted when more than
   * maxEntries keys arrive during it; keep maxEntries far above the number of requests in flight.
   */
  /** The answer and whether it was replayed from an earlier request. */
  record Outcome(ApiResponse response, boolean replayed) {}

  private static final MessageDigest SHA256_PROTOTYPE = newSha256(); // never updated: only cloned

  private final long ttlNanos;
  private final int maxEntries;
  private final LongSupplier ticker;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final ReentrantLock evictionLock = new ReentrantLock();
  private final ArrayDeque<Entry> order = new ArrayDeque<>(); // guarded by evictionLock

  IdempotencyCache(Duration ttl, int maxEntries, LongSupplier ticker) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    this.ticker = ticker;
  }

  /**
   * Runs {@code action} for a new key, or replays the stored answer.
   *
   * @param fingerprint identifies the request (see {@link #fingerprint})
   * @throws ApiError 400 {@code idempotency_key_reused} when the key was used for another request
   * @throws InterruptedException while waiting for a concurrent request with the same key
   */
  Outcome execute(String key, long fingerprint, Supplier<ApiResponse> action) throws InterruptedException {
    while (true) {
      long now = ticker.getAsLong();
      Entry mine = new Entry(key, fingerprint, now);
      Entry current = entries.putIfAbsent(key, mine);
      if (current == null || current.expired(now, ttlNanos) && entries.replace(key, current, mine)) {
        remember(mine, now);
        return new Outcome(lead(mine, action), false);
      }
      if (current.expired(now, ttlNanos)) {
        continue; // another thread replaced it first
      }
      if (current.fingerprint != fingerprint) {
        throw ApiError.badRequest("idempotency_key_reused",
            "This Idempotency-Key was already used with a different request.");
      }
      ApiResponse stored = current.await();
      if (stored != null) {
        return new Outcome(stored, true);
      }
    }
  }

  /** How many keys are remembered now. */
  int size() {
    return entries.size();
  }

  /**
   * A 64-bit digest (SHA-256 prefix) of {@code method + ' ' + path + '\n' + body}. The digest is cloned from
   * a prototype: {@code MessageDigest.getInstance} looks the provider up on every call (one per keyed POST).
   */
  static long fingerprint(String method, String path, byte[] body) {
    MessageDigest digest = sha256();
    digest.update(method.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) ' ');
    digest.update(path.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) '\n');
    byte[] hash = digest.digest(body);
    long value = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      value = (value << 8) | (hash[i] & 0xFF);
    }
    return value;
  }

  private static MessageDigest sha256() {
    try {
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newSha256();
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private ApiResponse lead(Entry mine, Supplier<ApiResponse> action) {
    ApiResponse response;
    try {
      response = action.get();
    } catch (RuntimeException | Error e) {
      entries.remove(mine.key, mine);
      mine.result.completeExceptionally(e);
      throw e;
    }
    mine.result.complete(response);
    return response;
  }

  private void remember(Entry entry, long now) {
    evictionLock.lock();
    try {
      order.addLast(entry);
      while (!order.isEmpty() && (order.size() > maxEntries || order.peekFirst().expired(now, ttlNanos))) {
        Entry old = order.pollFirst();
        entries.remove(old.key, old);
      }
    } finally {
      evictionLock.unlock();
    }
  }

  private static final class Entry {
    final String key;
    final long fingerprint;
    final long createdNanos;
    final CompletableFuture<ApiResponse> result = new CompletableFuture<>();

    Entry(String key, long fingerprint, long createdNanos) {
      this.key = key;
      this.fingerprint = fingerprint;
      this.createdNanos = createdNanos;
    }

    boolean expired(long now, long ttlNanos) {
      return result.isDone() && now - createdNanos >= ttlNanos;
    }

    /** The leader's answer, or null when the leader failed (the caller starts over). */
    ApiResponse await() throws InterruptedException {
      try {
        return result.get();
      } catch (ExecutionException e) {
        return null;
      }
    }
  }
}
