package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.pool.Batcher;
import dev.ferry.core.pool.ItemOutcome;
import dev.ferry.core.pool.LivePool;
import dev.ferry.core.pool.Overflow;
import dev.ferry.core.pool.PoolMetrics;
import dev.ferry.core.pool.SerialSection;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live pool as a service would use it (seeds 003/004), over real HTTP: users are added one at a time to a
 * {@link Batcher}, each batch creates its users against the simulator on the pool, and every outcome is
 * written to one shared, non-threadsafe log inside the pool's {@link SerialSection} (the seed's stream
 * mutex).
 */
@Timeout(120)
class LivePoolHttpTest {
  private static final String KEY = "sk_test_live_pool";
  private static final int USERS = 120;

  @Test
  void batchesOfUsersAreCreatedExactlyOnceAndTheMetricsAddUp() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(5))
            .seed(11).build());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      // Given: a small pool with backpressure, a batcher of 10 users, a log only the serial section touches
      LivePool pool = LivePool.builder().name("users").concurrency(4).queueCapacity(3).overflow(Overflow.BLOCK)
          .taskTimeout(Duration.ofSeconds(60)).build();
      SerialSection logLock = pool.serialSection();
      List<String> log = new ArrayList<>();
      Batcher<String, String> batcher = Batcher.<String, String>builder(pool, emails -> {
        List<ItemOutcome<String>> outcomes = new ArrayList<>();
        for (String email : emails) {
          HttpResponse<String> r = http.send(createUser(sim.baseUrl(), email), HttpResponse.BodyHandlers.ofString());
          String id = r.statusCode() == 201 ? Ferry.json(r.body()).path("id").asText() : null;
          logLock.run(() -> log.add(email + " " + r.statusCode()));
          outcomes.add(id != null ? ItemOutcome.success(id)
              : ItemOutcome.failure(new IllegalStateException(email + " -> " + r.statusCode() + " " + r.body())));
        }
        return outcomes;
      }).maxBatchSize(10).maxWait(Duration.ofMillis(20)).build();

      // When: users arrive one at a time
      List<CompletableFuture<String>> ids = new ArrayList<>();
      for (int i = 0; i < USERS; i++) ids.add(batcher.add("user" + i + "@pool.example"));
      batcher.close();
      List<String> created = new ArrayList<>();
      for (CompletableFuture<String> f : ids) created.add(f.get());
      pool.close();

      // Then: the simulator saw each user created exactly once
      SimStats stats = sim.stats();
      assertThat(stats.usersCreated()).isEqualTo(USERS);
      assertThat(stats.users()).isEqualTo(USERS);
      assertThat(stats.duplicatesRefused()).isZero();
      assertThat(stats.duplicateCreations()).isZero();
      assertThat(stats.requestsTo("POST /user_management/users")).isEqualTo(USERS);
      assertThat(new HashSet<>(created)).hasSize(USERS);
      assertThat(log).hasSize(USERS).doesNotHaveDuplicates().allSatisfy(line -> assertThat(line).endsWith(" 201"));
      // and the pool's counts add up: one task per batch, every batch completed, every item logged once
      PoolMetrics m = pool.metrics();
      assertThat(m.submitted()).isBetween((long) USERS / 10, (long) USERS);
      assertThat(m.completed()).isEqualTo(m.submitted());
      assertThat(m.failed() + m.rejected() + m.timedOut() + m.cancelled() + m.handedBack()).isZero();
      assertThat(m.settled()).isEqualTo(m.submitted());
      assertThat(m.running()).isZero();
      assertThat(m.queued()).isZero();
      assertThat(m.peakQueued()).isLessThanOrEqualTo(3);
      assertThat(m.serialPasses()).isEqualTo(USERS);
    }
  }

  private static HttpRequest createUser(URI base, String email) {
    return HttpRequest.newBuilder(base.resolve("/user_management/users"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\"}"))
        .build();
  }
}
