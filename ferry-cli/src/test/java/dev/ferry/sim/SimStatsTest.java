package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimStatsTest {

  @Test
  void statsEndpointServesEveryCounterUnderItsSnakeCaseName() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      // Given
      String user = client.createUser("s@example.com");
      client.post("/user_management/users", "{\"email\":\"s@example.com\"}");
      String org = client.createOrganization("Acme", "acme");
      client.post("/user_management/organization_memberships",
          "{\"user_id\":\"" + user + "\",\"organization_id\":\"" + org + "\"}");
      client.get("/user_management/users?email=s%40example.com");

      // When
      JsonNode stats = client.get("/__stats").json();

      // Then
      List<String> names = new ArrayList<>();
      stats.fieldNames().forEachRemaining(names::add);
      assertThat(names).containsExactly("users", "users_created", "users_deleted", "organizations",
          "organizations_created", "memberships", "memberships_created", "duplicates_refused",
          "duplicate_creations", "requests", "requests_by_route", "rate_limited", "unauthorized",
          "errors_injected", "hangs_injected", "drops_injected", "slow_injected", "idempotent_replays",
          "in_flight", "max_in_flight", "serial_wait_ms", "embeddings", "points", "crm");
      assertThat(stats.path("users").asLong()).isEqualTo(1);
      assertThat(stats.path("users_created").asLong()).isEqualTo(1);
      assertThat(stats.path("organizations").asLong()).isEqualTo(1);
      assertThat(stats.path("memberships_created").asLong()).isEqualTo(1);
      assertThat(stats.path("duplicates_refused").asLong()).isEqualTo(1);
      assertThat(stats.path("duplicate_creations").asLong()).isZero();
      assertThat(stats.path("requests").asLong()).isEqualTo(5);
      JsonNode byRoute = stats.path("requests_by_route");
      assertThat(byRoute.path("POST /user_management/users").asLong()).isEqualTo(2);
      assertThat(byRoute.path("POST /organizations").asLong()).isEqualTo(1);
      assertThat(byRoute.path("POST /user_management/organization_memberships").asLong()).isEqualTo(1);
      assertThat(byRoute.path("GET /user_management/users").asLong()).isEqualTo(1);
      assertThat(stats.path("max_in_flight").asLong()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void inProcessSnapshotMatchesTheEndpointAndRoundTripsThroughJson() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      client.createUser("r@example.com");

      SimStats fromEndpoint = SimStats.fromJson(client.get("/__stats").body());
      SimStats inProcess = server.stats();

      assertThat(fromEndpoint).isEqualTo(inProcess);
      assertThat(SimStats.fromJson(inProcess.toJson())).isEqualTo(inProcess);
      assertThat(inProcess.requestsTo("POST /user_management/users")).isEqualTo(1);
      assertThat(inProcess.requestsTo("GET /nowhere")).isZero();
    }
  }

  @Test
  void snapshotIsImmutable() {
    SimStats stats = new SimStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of("b", 1L, "a", 2L), 0, 0, 0, 0, 0, 0, 0, 0, 0,
        Duration.ZERO, EmbeddingStats.NONE, PointStats.NONE, CrmStats.NONE);

    assertThat(stats.requestsByRoute().keySet()).containsExactly("a", "b");
    assertThatThrownBy(() -> stats.requestsByRoute().put("c", 3L)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> SimStats.fromJson("[]")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resetClearsDataCountersAndIdempotencyKeys() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      // Given
      client.post("/user_management/users", "{\"email\":\"x@example.com\"}", "Idempotency-Key", "k");
      client.createOrganization("Acme", "acme");

      // When
      var reset = client.post("/__reset", "");

      // Then
      assertThat(reset.status()).isEqualTo(200);
      SimStats cleared = server.stats();
      assertThat(cleared.users()).isZero();
      assertThat(cleared.organizations()).isZero();
      assertThat(cleared.requests()).isZero();
      assertThat(cleared.requestsByRoute()).isEmpty();
      var again = client.post("/user_management/users", "{\"email\":\"x@example.com\"}", "Idempotency-Key", "k");
      assertThat(again.status()).isEqualTo(201);
      assertThat(again.header("Idempotent-Replayed")).isNull();
      assertThat(client.createOrganization("Acme", "acme")).startsWith("org_");
      assertThat(server.stats().duplicateCreations()).isZero();
    }
  }

  @Test
  void inProcessResetWorksToo() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      client.createUser("y@example.com");

      server.reset();

      assertThat(server.stats().users()).isZero();
      assertThat(client.get("/user_management/users?email=y%40example.com").json().path("data")).isEmpty();
    }
  }
}
