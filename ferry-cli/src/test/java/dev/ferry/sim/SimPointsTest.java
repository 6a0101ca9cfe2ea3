package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Qdrant-compatible points API over real HTTP. */
class SimPointsTest extends DefaultSimTest {
  private static final String UUID = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26";

  static SimTestClient.Reply put(SimTestClient client, String path, String json, String... headers) throws Exception {
    HttpRequest.Builder builder = client.request(path).PUT(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) builder.header(headers[i], headers[i + 1]);
    return client.send(builder.build());
  }

  @Test
  void upsertsPointsAndReadsThemBack() throws Exception {
    // When
    var reply = put(client, "/collections/docs/points?wait=true", "{\"points\":["
        + "{\"id\":42,\"vector\":[0.25,-0.5,1.0],\"payload\":{\"document_id\":42,\"title\":\"Intro\"}},"
        + "{\"id\":\"" + UUID.toUpperCase() + "\",\"vector\":[1,2,3]},"
        + "{\"id\":7,\"vector\":[0.1,0.2,0.3],\"payload\":null}]}");

    // Then
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().path("status").asText()).isEqualTo("ok");
    assertThat(reply.json().path("result").path("status").asText()).isEqualTo("completed");
    assertThat(reply.json().path("result").path("operation_id").asLong()).isZero();
    assertThat(reply.json().path("time").isNumber()).isTrue();
    JsonNode point = client.get("/collections/docs/points/42").json().path("result");
    assertThat(point.path("id").asLong()).isEqualTo(42);
    assertThat(point.path("payload").path("title").asText()).isEqualTo("Intro");
    assertThat(point.path("vector").toString()).isEqualTo("[0.25,-0.5,1.0]");
    JsonNode byUuid = client.get("/collections/docs/points/" + UUID).json().path("result");
    assertThat(byUuid.path("id").asText()).isEqualTo(UUID);
    assertThat(byUuid.path("payload").isObject()).isTrue();
    JsonNode page = client.post("/collections/docs/points/scroll", "{\"limit\":2,\"with_vector\":true}").json()
        .path("result");
    assertThat(page.path("points")).hasSize(2);
    assertThat(page.path("points").get(0).path("id").asLong()).isEqualTo(7); // integers first, ascending
    assertThat(page.path("points").get(1).path("id").asLong()).isEqualTo(42);
    assertThat(page.path("points").get(0).has("vector")).isTrue();
    assertThat(page.path("next_page_offset").asText()).isEqualTo(UUID);
    JsonNode rest = client.post("/collections/docs/points/scroll", "{\"offset\":\"" + UUID + "\"}").json().path("result");
    assertThat(rest.path("points")).hasSize(1);
    assertThat(rest.path("points").get(0).has("vector")).isFalse();
    assertThat(rest.path("next_page_offset").isNull()).isTrue();
    assertThat(client.get("/collections/docs").json().path("result").path("points_count").asLong()).isEqualTo(3);
    assertThat(server.stats().points()).isEqualTo(new PointStats(3, 1, 6, 1, 3, 0, 0, 0, 0));
  }

  @Test
  void anUpsertOfAnExistingIdOverwritesItAndCountsARewrite() throws Exception {
    put(client, "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1,0],\"payload\":{\"v\":1}}]}");

    var again = put(client, "/collections/docs/points", "{\"batch\":{\"ids\":[1,2],\"vectors\":[[0,1],[1,1]],"
        + "\"payloads\":[{\"v\":2},{\"v\":3}]}}");

    assertThat(again.json().path("result").path("status").asText()).isEqualTo("acknowledged"); // no wait=true
    assertThat(again.json().path("result").path("operation_id").asLong()).isEqualTo(1);
    JsonNode one = client.get("/collections/docs/points/1").json().path("result");
    assertThat(one.path("vector").toString()).isEqualTo("[0.0,1.0]");
    assertThat(one.path("payload").path("v").asInt()).isEqualTo(2);
    PointStats stats = server.stats().points();
    assertThat(stats.points()).isEqualTo(2);
    assertThat(stats.written()).isEqualTo(3);
    assertThat(stats.rewrites()).isEqualTo(1);
    assertThat(stats.upserts()).isEqualTo(2);
  }

  @Test
  void concurrentUpsertsOfOverlappingIdsKeepTheCountsExact() throws Exception {
    // Given: 8 writers, 20 upserts each of 3 ids drawn from 30
    java.util.List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < 8; w++) {
        int writer = w;
        statuses.add(threads.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 20; i++) {
            int a = (writer * 7 + i * 3) % 30;
            String body = "{\"points\":[{\"id\":" + a + ",\"vector\":[1,2]},{\"id\":" + (a + 1) % 30
                + ",\"vector\":[3,4]},{\"id\":" + (a + 2) % 30 + ",\"vector\":[5,6]}]}";
            ok += put(client, "/collections/race/points", body).status() == 200 ? 1 : 0;
          }
          return ok;
        }));
      }
    }

    // Then
    int accepted = 0;
    for (var s : statuses) accepted += s.get();
    assertThat(accepted).isEqualTo(160);
    PointStats stats = server.stats().points();
    assertThat(stats.written()).isEqualTo(480);
    assertThat(stats.points()).isEqualTo(stats.written() - stats.rewrites());
    assertThat(stats.points()).isEqualTo(30);
    assertThat(client.get("/collections/race").json().path("result").path("points_count").asLong()).isEqualTo(30);
  }

  @Test
  void namedVectorsAndTheBatchFormWithNamedColumns() throws Exception {
    var list = put(client, "/collections/named/points", "{\"points\":[{\"id\":1,\"vector\":{\"text\":[1,2]}}]}");
    var batch = put(client, "/collections/named/points",
        "{\"batch\":{\"ids\":[2],\"vectors\":{\"text\":[[3,4]]}}}");

    assertThat(list.status()).isEqualTo(200);
    assertThat(batch.status()).isEqualTo(200);
    assertThat(client.get("/collections/named/points/2").json().path("result").path("vector").toString())
        .isEqualTo("{\"text\":[3.0,4.0]}");
  }

  @Test
  void aWrongDimensionRefusesTheWholeBatch() throws Exception {
    put(client, "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1,0,0]}]}");

    var refused = put(client, "/collections/docs/points",
        "{\"points\":[{\"id\":2,\"vector\":[1,0,0]},{\"id\":3,\"vector\":[1,0]}]}");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().path("status").path("error").asText())
        .isEqualTo("Wrong input: Vector dimension error: expected dim: 3, got 2");
    assertThat(client.get("/collections/docs/points/2").status()).isEqualTo(404);
    assertThat(server.stats().points().invalid()).isEqualTo(1);
    assertThat(server.stats().points().points()).isEqualTo(1);
  }

  @Test
  void malformedBodiesAndIdsAreRefusedWith400() throws Exception {
    String[] bodies = {
        "{not json", "{}", "{\"points\":{}}", "{\"points\":[{\"id\":-1,\"vector\":[1]}]}",
        "{\"points\":[{\"id\":\"not-a-uuid\",\"vector\":[1]}]}", "{\"points\":[{\"id\":1}]}",
        "{\"points\":[{\"id\":1,\"vector\":[\"a\"]}]}", "{\"points\":[{\"id\":1,\"vector\":[1],\"payload\":[1]}]}",
        "{\"batch\":{\"ids\":[1,2],\"vectors\":[[1]]}}"};
    for (String body : bodies) {
      var reply = put(client, "/collections/docs/points", body);
      assertThat(reply.status()).as(body).isEqualTo(400);
      assertThat(reply.json().path("status").path("error").asText()).as(body).isNotBlank();
    }
    assertThat(client.get("/collections/docs/points/abc").status()).isEqualTo(400);
    assertThat(server.stats().points().written()).isZero();
  }

  @Test
  void collectionsAreMadeByPutOrByTheFirstUpsertAndMissingOnesAre404() throws Exception {
    var created = put(client, "/collections/sized", "{\"vectors\":{\"size\":2,\"distance\":\"Cosine\"}}");
    var again = put(client, "/collections/sized", "{\"vectors\":{\"size\":2,\"distance\":\"Cosine\"}}");
    var wrongSize = put(client, "/collections/sized/points", "{\"points\":[{\"id\":1,\"vector\":[1,2,3]}]}");

    assertThat(created.status()).isEqualTo(200);
    assertThat(created.json().path("result").asBoolean()).isTrue();
    assertThat(again.status()).isEqualTo(409);
    assertThat(wrongSize.status()).isEqualTo(400);
    assertThat(client.get("/collections/nowhere").status()).isEqualTo(404);
    assertThat(client.get("/collections/sized/points/5").json().path("status").path("error").asText())
        .isEqualTo("Not found: No point with id 5 found");
    assertThat(client.get("/collections/sized").json().path("result").path("config").path("params").path("vectors")
        .path("size").asInt()).isEqualTo(2);
  }

  @Test
  void withoutAutoCreationAnUpsertIntoAMissingCollectionIs404() throws Exception {
    SimConfig config = SimConfig.builder().points(PointsSettings.defaults().withAutoCreateCollections(false)).build();
    try (SimServer strict = SimServer.start(config); SimTestClient c = new SimTestClient(strict)) {
      var missing = put(c, "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1]}]}");
      put(c, "/collections/docs", "{\"vectors\":{\"size\":1,\"distance\":\"Dot\"}}");
      var made = put(c, "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1]}]}");

      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.json().path("status").path("error").asText())
          .isEqualTo("Not found: Collection `docs` doesn't exist!");
      assertThat(made.status()).isEqualTo(200);
      assertThat(strict.stats().points().notFound()).isEqualTo(1);
    }
  }

  @Test
  void checksTheApiKeyWhenGivenOne() throws Exception {
    SimConfig config = SimConfig.builder().points(PointsSettings.defaults().withRequiredKey("qdrant-secret")).build();
    try (SimServer keyed = SimServer.start(config);
        SimTestClient noBearer = new SimTestClient(keyed, null);
        SimTestClient bearer = new SimTestClient(keyed, "qdrant-secret")) {
      String body = "{\"points\":[{\"id\":1,\"vector\":[1]}]}";
      var missing = put(noBearer, "/collections/docs/points", body);
      var wrong = put(noBearer, "/collections/docs/points", body, "api-key", "nope");
      var right = put(noBearer, "/collections/docs/points", body, "api-key", "qdrant-secret");
      var viaBearer = bearer.get("/collections/docs/points/1");

      assertThat(missing.status()).isEqualTo(401);
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain("nope");
      assertThat(right.status()).isEqualTo(200);
      assertThat(viaBearer.status()).isEqualTo(200);
      assertThat(keyed.stats().points().unauthorized()).isEqualTo(2);
    }
  }

  @Test
  void filtersAreRefusedRatherThanIgnored() throws Exception {
    put(client, "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1]}]}");

    var reply = client.post("/collections/docs/points/scroll", "{\"filter\":{\"must\":[]}}");

    assertThat(reply.status()).isEqualTo(400);
  }

  @Test
  void latencyAndInjectedFaultsApplyInQdrantsErrorShape() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().latency(Duration.ofMillis(30)).errorRate(1).build();
    try (SimServer faulty = SimServer.start(config, clock); SimTestClient c = new SimTestClient(faulty)) {
      var reply = put(c, "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1]}]}");

      assertThat(reply.status()).isIn(500, 502, 503);
      assertThat(reply.json().path("status").path("error").asText()).contains("injected");
      assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(30));
      assertThat(faulty.stats().points().written()).isZero();
    }
  }
}
