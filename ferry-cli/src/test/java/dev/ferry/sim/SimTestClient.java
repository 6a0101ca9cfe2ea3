package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A JDK HttpClient speaking to a running simulator over loopback, with the test API key. */
final class SimTestClient implements AutoCloseable {
  static final String KEY = "sk_test_ferry_simulator";
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final URI base;
  private final String key;

  SimTestClient(SimServer server) {
    this(server, KEY);
  }

  SimTestClient(SimServer server, String key) {
    this.base = server.baseUrl();
    this.key = key;
  }

  /** The answer, with the body as text and (when any) as JSON. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** {@code errors[0].code} of an error answer. */
    String firstErrorCode() {
      return json().path("errors").path(0).path("code").asText(null);
    }
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    return key == null ? builder : builder.header("Authorization", "Bearer " + key);
  }

  Reply post(String path, String json, String... headerPairs) throws IOException, InterruptedException {
    HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json");
    for (int i = 0; i < headerPairs.length; i += 2) {
      builder.header(headerPairs[i], headerPairs[i + 1]);
    }
    return send(builder.build());
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(request(path).GET().build());
  }

  Reply delete(String path) throws IOException, InterruptedException {
    return send(request(path).DELETE().build());
  }

  Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.headers(), response.body());
  }

  /** Creates a user and returns its id; fails the test unless the answer is 201. */
  String createUser(String email) throws IOException, InterruptedException {
    Reply reply = post("/user_management/users", "{\"email\":\"" + email + "\"}");
    if (reply.status() != 201) {
      throw new AssertionError("expected 201, got " + reply.status() + " " + reply.body());
    }
    return reply.json().path("id").asText();
  }

  String createOrganization(String name, String externalId) throws IOException, InterruptedException {
    Reply reply = post("/organizations", "{\"name\":\"" + name + "\",\"external_id\":\"" + externalId + "\"}");
    if (reply.status() != 201) {
      throw new AssertionError("expected 201, got " + reply.status() + " " + reply.body());
    }
    return reply.json().path("id").asText();
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    http.close();
  }
}
