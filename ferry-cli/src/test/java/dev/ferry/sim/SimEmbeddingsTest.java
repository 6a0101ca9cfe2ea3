package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/embeddings} over real HTTP: shapes, vectors, keys and validation. */
class SimEmbeddingsTest {
  static final String PATH = "/v1/embeddings";
  static final String MODEL = "text-embedding-3-small";

  static SimTestClient.Reply embed(SimTestClient client, String body) throws Exception {
    return client.post(PATH, body);
  }

  static float[] vectorOf(JsonNode item) {
    float[] v = new float[item.path("embedding").size()];
    for (int i = 0; i < v.length; i++) v[i] = item.path("embedding").get(i).floatValue();
    return v;
  }

  @Test
  void embedsEachInputWithItsOwnTextsVectorInOrder() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      // When
      var reply = embed(client, "{\"model\":\"" + MODEL + "\",\"input\":[\"first document\",\"second\",\"first document\"]}");

      // Then
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
      JsonNode json = reply.json();
      assertThat(json.path("object").asText()).isEqualTo("list");
      assertThat(json.path("model").asText()).isEqualTo(MODEL);
      assertThat(json.path("data")).hasSize(3);
      for (int i = 0; i < 3; i++) {
        JsonNode item = json.path("data").get(i);
        assertThat(item.path("object").asText()).isEqualTo("embedding");
        assertThat(item.path("index").asInt()).isEqualTo(i);
        assertThat(item.path("embedding")).hasSize(16);
      }
      float[] first = vectorOf(json.path("data").get(0));
      assertThat(first).containsExactly(SimEmbedding.vector(MODEL, "first document", 16));
      assertThat(vectorOf(json.path("data").get(1))).containsExactly(SimEmbedding.vector(MODEL, "second", 16));
      assertThat(vectorOf(json.path("data").get(2))).containsExactly(first);
      assertThat(vectorOf(json.path("data").get(1))).isNotEqualTo(first);
      double norm = 0;
      for (float f : first) norm += f * f;
      assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      long tokens = 4 + 2 + 4; // ceil(14/4), ceil(6/4), ceil(14/4)
      assertThat(json.path("usage").path("prompt_tokens").asLong()).isEqualTo(tokens);
      assertThat(json.path("usage").path("total_tokens").asLong()).isEqualTo(tokens);
      assertThat(reply.header("x-ratelimit-limit-tokens")).isNull(); // no limits, no rate headers
      EmbeddingStats stats = server.stats().embeddings();
      assertThat(stats).isEqualTo(new EmbeddingStats(1, 1, 3, tokens, 0, 0, 0, 0, 0));
      assertThat(server.stats().requestsTo("POST /v1/embeddings")).isEqualTo(1);
    }
  }

  @Test
  void aStringInputDimensionsAndBase64AreHonoured() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      var single = embed(client, "{\"model\":\"m\",\"input\":\"hello\",\"dimensions\":4}");
      var base64 = embed(client, "{\"model\":\"m\",\"input\":[\"hello\"],\"dimensions\":4,\"encoding_format\":\"base64\"}");
      var otherModel = embed(client, "{\"model\":\"n\",\"input\":\"hello\",\"dimensions\":4}");

      assertThat(single.status()).isEqualTo(200);
      float[] expected = SimEmbedding.vector("m", "hello", 4);
      assertThat(vectorOf(single.json().path("data").get(0))).containsExactly(expected);
      byte[] raw = Base64.getDecoder().decode(base64.json().path("data").get(0).path("embedding").asText());
      ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      float[] decoded = new float[raw.length / 4];
      for (int i = 0; i < decoded.length; i++) decoded[i] = buffer.getFloat();
      assertThat(decoded).containsExactly(expected);
      assertThat(vectorOf(otherModel.json().path("data").get(0))).isNotEqualTo(expected);
    }
  }

  @Test
  void aShortVectorIsTheNormalisedPrefixOfALongOne() {
    float[] longer = SimEmbedding.vector("m", "text", 64);
    float[] shorter = SimEmbedding.vector("m", "text", 8);
    double norm = 0;
    for (int i = 0; i < 8; i++) norm += (double) longer[i] * longer[i];
    for (int i = 0; i < 8; i++) {
      assertThat((double) shorter[i]).isCloseTo(longer[i] / Math.sqrt(norm), org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @Test
  void checksTheBearerKey() throws Exception {
    SimConfig config = SimConfig.builder()
        .embeddings(EmbeddingsSettings.builder().requiredKey("sk-proj-right").build()).build();
    try (SimServer server = SimServer.start(config);
        SimTestClient none = new SimTestClient(server, null);
        SimTestClient wrong = new SimTestClient(server, "sk-proj-wrong");
        SimTestClient right = new SimTestClient(server, "sk-proj-right")) {
      var missing = embed(none, "{\"model\":\"m\",\"input\":\"x\"}");
      var refused = embed(wrong, "{\"model\":\"m\",\"input\":\"x\"}");
      var accepted = embed(right, "{\"model\":\"m\",\"input\":\"x\"}");

      assertThat(missing.status()).isEqualTo(401);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.json().path("error").path("code").asText()).isEqualTo("invalid_api_key");
      assertThat(refused.body()).doesNotContain("sk-proj-wrong");
      assertThat(accepted.status()).isEqualTo(200);
      assertThat(server.stats().embeddings().unauthorized()).isEqualTo(2);
      assertThat(server.stats().unauthorized()).isEqualTo(2);
    }
  }

  @Test
  void anyBearerKeyPassesByDefaultAndTheWorkOsLimitsDoNotApply() throws Exception {
    SimConfig config = SimConfig.builder().writeRateLimit(1).rateWindow(Duration.ofSeconds(10)).build();
    try (SimServer server = SimServer.start(config); SimTestClient client = new SimTestClient(server, "ollama")) {
      for (int i = 0; i < 3; i++) {
        assertThat(embed(client, "{\"model\":\"m\",\"input\":\"x\"}").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void anInputOverTheContextFailsTheWholeRequest() throws Exception {
    SimConfig config = SimConfig.builder().embeddings(EmbeddingsSettings.builder().contextTokens(10).build()).build();
    try (SimServer server = SimServer.start(config); SimTestClient client = new SimTestClient(server)) {
      String tooLong = "y".repeat(41); // 11 tokens
      var reply = embed(client, "{\"model\":\"m\",\"input\":[\"fine\",\"" + tooLong + "\",\"also fine\"]}");

      assertThat(reply.status()).isEqualTo(400);
      JsonNode error = reply.json().path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("message").asText()).isEqualTo("This model's maximum context length is 10 tokens, however"
          + " you requested 11 tokens (11 in your prompt; 0 for the completion). Please reduce your prompt; or"
          + " completion length.");
      assertThat(embed(client, "{\"model\":\"m\",\"input\":\"" + "y".repeat(40) + "\"}").status()).isEqualTo(200);
      EmbeddingStats stats = server.stats().embeddings();
      assertThat(stats.invalid()).isEqualTo(1);
      assertThat(stats.inputs()).isEqualTo(1);
      assertThat(stats.tokens()).isEqualTo(10);
    }
  }

  @Test
  void refusesTooManyInputsOrTokensAndMalformedBodiesWith400() throws Exception {
    SimConfig config = SimConfig.builder()
        .embeddings(EmbeddingsSettings.builder().maxInputs(2).maxRequestTokens(5).build()).build();
    try (SimServer server = SimServer.start(config); SimTestClient client = new SimTestClient(server)) {
      String[][] cases = {
          {"{\"model\":\"m\",\"input\":[\"a\",\"b\",\"c\"]}", "Too many inputs. The max number of inputs is 2."},
          {"{\"model\":\"m\",\"input\":[\"aaaaaaaaaaaa\",\"bbbbbbbbbbbb\"]}", "Requested 6 tokens, max 5 tokens per request"},
          {"{not json", "We could not parse the JSON body"},
          {"{\"input\":\"a\"}", "you must provide a model parameter"},
          {"{\"model\":\"m\"}", "you must provide an input parameter"},
          {"{\"model\":\"m\",\"input\":[]}", "'$.input' is invalid"},
          {"{\"model\":\"m\",\"input\":\"\"}", "'$.input' is invalid"},
          {"{\"model\":\"m\",\"input\":[[1,2,3]]}", "not token arrays"},
          {"{\"model\":\"m\",\"input\":\"a\",\"dimensions\":0}", "Invalid value for 'dimensions'"},
          {"{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"hex\"}", "Invalid value for 'encoding_format'"}};
      for (String[] c : cases) {
        var reply = embed(client, c[0]);
        assertThat(reply.status()).as(c[0]).isEqualTo(400);
        assertThat(reply.json().path("error").path("type").asText()).as(c[0]).isEqualTo("invalid_request_error");
        assertThat(reply.json().path("error").path("message").asText()).as(c[0]).contains(c[1]);
      }
      assertThat(server.stats().embeddings().invalid()).isEqualTo(cases.length);
      assertThat(server.stats().embeddings().succeeded()).isZero();
    }
  }

  @Test
  void takesBodiesLargerThanTheWorkOsLimitUpToAFullRequestOfTokens() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      // Given: 150 inputs of 2,000 tokens = 300,000 tokens (the default maximum) in a body of 1.2 MB
      StringBuilder body = new StringBuilder("{\"model\":\"m\",\"input\":[");
      for (int i = 0; i < 150; i++) {
        body.append(i == 0 ? "" : ",").append('"').append(String.format("%04d", i)).append("x".repeat(7_996)).append('"');
      }
      body.append("]}");
      assertThat(body.length()).isGreaterThan(ApiHandler.MAX_BODY_BYTES);

      // When
      var reply = embed(client, body.toString());

      // Then
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
      assertThat(reply.json().path("data")).hasSize(150);
      assertThat(reply.json().path("usage").path("total_tokens").asLong()).isEqualTo(300_000);
    }
  }

  @Test
  void latencyAndInjectedFaultsApplyInOpenAisErrorShape() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().latency(Duration.ofMillis(200)).errorRate(1).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      var reply = embed(client, "{\"model\":\"m\",\"input\":\"x\"}");

      assertThat(reply.status()).isIn(500, 502, 503);
      assertThat(reply.json().path("error").path("type").asText()).isEqualTo("server_error");
      assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(200));
      assertThat(server.stats().errorsInjected()).isEqualTo(1);
      assertThat(server.stats().embeddings().succeeded()).isZero();
    }
  }

  @Test
  void aRepeatedIdempotencyKeyIsNotReplayed() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      var first = client.post(PATH, "{\"model\":\"m\",\"input\":\"a\"}", "Idempotency-Key", "k1");
      var second = client.post(PATH, "{\"model\":\"m\",\"input\":\"b\"}", "Idempotency-Key", "k1");

      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.header("Idempotent-Replayed")).isNull();
      assertThat(server.stats().embeddings().succeeded()).isEqualTo(2);
    }
  }

  @Test
  void statsRoundTripThroughTheEndpoint() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().build()); SimTestClient client = new SimTestClient(server)) {
      embed(client, "{\"model\":\"m\",\"input\":[\"a\",\"b\"]}");
      client.send(client.request("/collections/c/points").PUT(HttpRequest.BodyPublishers.ofString(
          "{\"points\":[{\"id\":1,\"vector\":[0.5,0.5]}]}")).build());

      SimStats fromEndpoint = SimStats.fromJson(client.get("/__stats").body());

      assertThat(fromEndpoint).isEqualTo(server.stats());
      assertThat(fromEndpoint.embeddings().inputs()).isEqualTo(2);
      assertThat(fromEndpoint.points().points()).isEqualTo(1);
    }
  }
}
