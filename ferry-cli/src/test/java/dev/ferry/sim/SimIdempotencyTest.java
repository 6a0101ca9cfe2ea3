package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimIdempotencyTest extends DefaultSimTest {
  private static final String USERS = "/user_management/users";

  @Test
  void replaysTheFirstAnswerForTheSameKeyAndBody() throws Exception {
    // Given
    String body = "{\"email\":\"idem@example.com\"}";
    var first = client.post(USERS, body, "Idempotency-Key", "k-1");

    // When
    var second = client.post(USERS, body, "Idempotency-Key", "k-1");

    // Then
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(second.header("X-Request-ID")).isNotEqualTo(first.header("X-Request-ID"));
    SimStats stats = server.stats();
    assertThat(stats.usersCreated()).isEqualTo(1);
    assertThat(stats.idempotentReplays()).isEqualTo(1);
    assertThat(stats.duplicatesRefused()).isZero();
  }

  @Test
  void replaysErrorAnswersToo() throws Exception {
    client.createUser("taken@example.com");
    String body = "{\"email\":\"taken@example.com\"}";

    var first = client.post(USERS, body, "Idempotency-Key", "k-err");
    var second = client.post(USERS, body, "Idempotency-Key", "k-err");

    assertThat(first.status()).isEqualTo(422);
    assertThat(second.status()).isEqualTo(422);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(server.stats().duplicatesRefused()).isEqualTo(1);
  }

  @Test
  void refusesTheSameKeyWithAnotherRequest() throws Exception {
    client.post(USERS, "{\"email\":\"one@example.com\"}", "Idempotency-Key", "k-2");

    var otherBody = client.post(USERS, "{\"email\":\"two@example.com\"}", "Idempotency-Key", "k-2");
    var otherPath = client.post("/organizations", "{\"email\":\"one@example.com\"}", "Idempotency-Key", "k-2");

    assertThat(otherBody.status()).isEqualTo(400);
    assertThat(otherBody.json().path("code").asText()).isEqualTo("idempotency_key_reused");
    assertThat(otherPath.status()).isEqualTo(400);
    assertThat(server.stats().users()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsWithOneKeyCreateOnce() throws Exception {
    // Given
    int threads = 50;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<SimTestClient.Reply>> replies = new ArrayList<>();

    // When
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < threads; i++) {
        replies.add(executor.submit(() -> {
          go.await();
          return client.post(USERS, "{\"email\":\"race@example.com\"}", "Idempotency-Key", "k-race");
        }));
      }
      go.countDown();
    }

    // Then
    String firstBody = replies.getFirst().get().body();
    for (Future<SimTestClient.Reply> reply : replies) {
      assertThat(reply.get().status()).isEqualTo(201);
      assertThat(reply.get().body()).isEqualTo(firstBody);
    }
    SimStats stats = server.stats();
    assertThat(stats.usersCreated()).isEqualTo(1);
    assertThat(stats.idempotentReplays()).isEqualTo(threads - 1);
  }

  @Test
  void keysAreNotUsedOnGetsAndBlankKeysAreRefused() throws Exception {
    var blank = client.post(USERS, "{\"email\":\"b@example.com\"}", "Idempotency-Key", " ");
    var tooLong = client.post(USERS, "{\"email\":\"b@example.com\"}", "Idempotency-Key", "k".repeat(256));

    assertThat(blank.status()).isEqualTo(400);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(server.stats().users()).isZero();
  }

  // --- the cache itself, in virtual time ---

  @Test
  void cacheForgetsKeysAfterTheirTtl() throws Exception {
    // Given
    AtomicLong now = new AtomicLong();
    IdempotencyCache cache = new IdempotencyCache(Duration.ofSeconds(10), 100, now::get);
    AtomicInteger runs = new AtomicInteger();
    ApiResponse ok = new ApiResponse(201, null);

    // When
    var first = cache.execute("k", 1, () -> { runs.incrementAndGet(); return ok; });
    now.addAndGet(Duration.ofSeconds(9).toNanos());
    var replay = cache.execute("k", 1, () -> { runs.incrementAndGet(); return ok; });
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    var afterTtl = cache.execute("k", 2, () -> { runs.incrementAndGet(); return ok; });

    // Then
    assertThat(first.replayed()).isFalse();
    assertThat(replay.replayed()).isTrue();
    assertThat(afterTtl.replayed()).isFalse();
    assertThat(runs).hasValue(2);
  }

  @Test
  void cacheEvictsTheOldestKeysBeyondItsBound() throws Exception {
    IdempotencyCache cache = new IdempotencyCache(Duration.ofHours(1), 3, () -> 0L);
    for (int i = 0; i < 5; i++) {
      cache.execute("k" + i, i, () -> new ApiResponse(201, null));
    }

    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.execute("k0", 0, () -> new ApiResponse(201, null)).replayed()).isFalse();
    assertThat(cache.execute("k4", 4, () -> new ApiResponse(201, null)).replayed()).isTrue();
  }

  @Test
  void aFailedLeaderLeavesTheKeyFree() throws Exception {
    IdempotencyCache cache = new IdempotencyCache(Duration.ofHours(1), 10, () -> 0L);

    assertThatThrownBy(() -> cache.execute("k", 1, () -> { throw new IllegalStateException("boom"); }))
        .isInstanceOf(IllegalStateException.class);
    var retry = cache.execute("k", 1, () -> new ApiResponse(201, null));

    assertThat(retry.replayed()).isFalse();
  }

  @Test
  void fingerprintsDifferByMethodPathAndBody() {
    long base = IdempotencyCache.fingerprint("POST", "/a", "{}".getBytes());

    assertThat(IdempotencyCache.fingerprint("POST", "/a", "{}".getBytes())).isEqualTo(base);
    assertThat(IdempotencyCache.fingerprint("POST", "/b", "{}".getBytes())).isNotEqualTo(base);
    assertThat(IdempotencyCache.fingerprint("POST", "/a", "{ }".getBytes())).isNotEqualTo(base);
    assertThat(IdempotencyCache.fingerprint("PUT", "/a", "{}".getBytes())).isNotEqualTo(base);
    // and it is the first 8 bytes of SHA-256("POST /a\n{}")
    assertThat(base).isEqualTo(sha256Prefix("POST /a\n{}"));
  }

  private static long sha256Prefix(String text) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.nio.ByteBuffer.wrap(hash).getLong();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
