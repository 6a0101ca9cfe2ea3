package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimAuthTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "Bearer ", "Bearer sk_prod_abc", "Basic sk_test_abc", "sk_test_abc", "Bearer sk_test_"})
  void refusesMissingOrMalformedKeys(String authorization) throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build());
        SimTestClient client = new SimTestClient(server, null)) {
      HttpRequest.Builder request = client.request("/user_management/users?email=a%40b.co").GET();
      if (!authorization.isEmpty()) {
        request.header("Authorization", authorization);
      }

      var reply = client.send(request.build());

      assertThat(reply.status()).isEqualTo(401);
      assertThat(reply.json().path("code").asText()).isEqualTo("unauthorized");
      assertThat(reply.json().path("message").asText()).isEqualTo("Invalid API key");
      assertThat(reply.header("X-Request-ID")).startsWith("req_");
      assertThat(server.stats().unauthorized()).isEqualTo(1);
    }
  }

  @Test
  void acceptsAnyWellShapedKeyByDefaultWithCaseInsensitiveScheme() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build());
        SimTestClient client = new SimTestClient(server, null)) {
      var live = client.send(client.request("/organizations/external_id/x").header("Authorization", "Bearer sk_live_xyz").GET().build());
      var lower = client.send(client.request("/organizations/external_id/x").header("Authorization", "bearer sk_test_xyz").GET().build());

      assertThat(live.status()).isEqualTo(404); // authorized; the organization does not exist
      assertThat(lower.status()).isEqualTo(404);
    }
  }

  @Test
  void withARequiredKeyOnlyThatKeyPassesAndItIsNeverEchoed() throws Exception {
    String secret = "sk_test_the_only_one";
    try (SimServer server = SimServer.start(SimConfig.builder().requiredKey(secret).build());
        SimTestClient good = new SimTestClient(server, secret);
        SimTestClient other = new SimTestClient(server, "sk_test_another_key")) {
      var refused = other.post("/user_management/users", "{\"email\":\"a@example.com\"}");
      var accepted = good.post("/user_management/users", "{\"email\":\"a@example.com\"}");

      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.body()).doesNotContain("sk_test");
      assertThat(accepted.status()).isEqualTo(201);
      assertThat(server.stats().users()).isEqualTo(1);
      assertThat(server.config().toString()).doesNotContain(secret);
    }
  }

  @Test
  void adminRoutesNeedNoKeyAndAreNotCounted() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().requiredKey("sk_test_k").build());
        SimTestClient anonymous = new SimTestClient(server, null)) {
      var stats = anonymous.get("/__stats");
      var reset = anonymous.post("/__reset", "");

      assertThat(stats.status()).isEqualTo(200);
      assertThat(stats.header("Content-Type")).isEqualTo("application/json");
      assertThat(stats.header("X-Request-ID")).startsWith("req_");
      assertThat(reset.status()).isEqualTo(200);
      assertThat(server.stats().requests()).isZero();
    }
  }
}
