package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Uniqueness under concurrency: many virtual threads released together against one server. */
class SimConcurrencyTest {
  private static final int THREADS = 50;

  /** Runs {@code THREADS} calls released at once and returns their answers. */
  private static List<SimTestClient.Reply> race(IntFunction<Callable<SimTestClient.Reply>> call) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<SimTestClient.Reply>> futures = new ArrayList<>();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < THREADS; i++) {
        Callable<SimTestClient.Reply> c = call.apply(i);
        futures.add(executor.submit(() -> {
          go.await();
          return c.call();
        }));
      }
      go.countDown();
    }
    List<SimTestClient.Reply> replies = new ArrayList<>();
    for (Future<SimTestClient.Reply> f : futures) {
      replies.add(f.get());
    }
    return replies;
  }

  private static long count(List<SimTestClient.Reply> replies, int status) {
    return replies.stream().filter(r -> r.status() == status).count();
  }

  @Test
  void fiftyThreadsCreatingOneEmailCreateExactlyOneUser() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      var replies = race(i -> () -> client.post("/user_management/users",
          "{\"email\":\"" + (i % 2 == 0 ? "same" : "SAME") + "@example.com\"}"));

      assertThat(count(replies, 201)).isEqualTo(1);
      assertThat(replies).filteredOn(r -> r.status() == 422)
          .hasSize(THREADS - 1)
          .allSatisfy(r -> assertThat(r.firstErrorCode()).isEqualTo("email_not_available"));
      SimStats stats = server.stats();
      assertThat(stats.usersCreated()).isEqualTo(1);
      assertThat(stats.duplicatesRefused()).isEqualTo(THREADS - 1);
      assertThat(stats.duplicateCreations()).isZero();
    }
  }

  @Test
  void fiftyThreadsSharingOneExternalIdCreateExactlyOneUser() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      var replies = race(i -> () -> client.post("/user_management/users",
          "{\"email\":\"u" + i + "@example.com\",\"external_id\":\"shared\"}"));

      assertThat(count(replies, 201)).isEqualTo(1);
      assertThat(replies).filteredOn(r -> r.status() == 422)
          .allSatisfy(r -> assertThat(r.firstErrorCode()).isEqualTo("external_id_already_used"));
      assertThat(server.stats().users()).isEqualTo(1);
    }
  }

  @Test
  void fiftyThreadsCreatingOneOrganizationCreateExactlyOne() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      var replies = race(i -> () -> client.post("/organizations", "{\"name\":\"Org " + i + "\",\"external_id\":\"one\"}"));

      assertThat(count(replies, 201)).isEqualTo(1);
      assertThat(count(replies, 409)).isEqualTo(THREADS - 1);
      assertThat(server.stats().organizations()).isEqualTo(1);
    }
  }

  @Test
  void fiftyThreadsJoiningOnePairCreateExactlyOneMembership() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      String user = client.createUser("join@example.com");
      String org = client.createOrganization("Acme", "acme");

      var replies = race(i -> () -> client.post("/user_management/organization_memberships",
          "{\"user_id\":\"" + user + "\",\"organization_id\":\"" + org + "\"}"));

      assertThat(count(replies, 201)).isEqualTo(1);
      assertThat(count(replies, 409)).isEqualTo(THREADS - 1);
      assertThat(server.stats().memberships()).isEqualTo(1);
    }
  }

  @Test
  void aMembershipNeverOutlivesItsUserWhenDeleteAndJoinRace() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      String org = client.createOrganization("Acme", "acme");
      List<String> users = new ArrayList<>();
      for (int i = 0; i < THREADS / 2; i++) {
        users.add(client.createUser("d" + i + "@example.com"));
      }

      race(i -> {
        String user = users.get(i / 2);
        return i % 2 == 0
            ? () -> client.delete("/user_management/users/" + user)
            : () -> client.post("/user_management/organization_memberships",
                "{\"user_id\":\"" + user + "\",\"organization_id\":\"" + org + "\"}");
      });

      SimStats stats = server.stats();
      assertThat(stats.users()).isZero();
      assertThat(stats.memberships()).isZero();
    }
  }

  @Test
  void countsCallsInFlightAndTheirMaximum() throws Exception {
    // Given: every call's latency sleep blocks on the clock's gate
    ManualClock clock = new ManualClock();
    clock.closeGate();
    try (SimServer server = SimServer.start(SimConfig.builder().latency(Duration.ofMillis(1)).build(), clock);
        SimTestClient client = new SimTestClient(server);
        var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<SimTestClient.Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        calls.add(executor.submit(() -> client.get("/user_management/users")));
      }

      // When: all ten are held in their latency
      while (server.stats().inFlight() < 10) {
        Thread.sleep(5);
      }
      clock.openGate();
      for (Future<SimTestClient.Reply> call : calls) {
        assertThat(call.get().status()).isEqualTo(200);
      }

      // Then
      while (server.stats().inFlight() > 0) {
        Thread.sleep(5);
      }
      assertThat(server.stats().maxInFlight()).isEqualTo(10);
    }
  }
}
