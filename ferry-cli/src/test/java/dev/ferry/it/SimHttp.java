package dev.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Seeds a running simulator over HTTP (users and organizations that exist before an import). */
final class SimHttp {
  private SimHttp() {}

  static JsonNode post(SimServer sim, String key, String path, String json) {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
          .timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + key)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json))
          .build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
      return Ferry.json(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code GET path} (an admin endpoint such as {@code /__timeline}: no key). */
  static JsonNode get(SimServer sim, String path) {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
          .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
      return Ferry.json(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String createOrg(SimServer sim, String key, String externalId) {
    return post(sim, key, "/organizations", "{\"name\":\"" + externalId + "\",\"external_id\":\"" + externalId + "\"}")
        .path("id").asText();
  }

  static String createUser(SimServer sim, String key, String email) {
    return post(sim, key, "/user_management/users", "{\"email\":\"" + email + "\"}").path("id").asText();
  }

  /** The user with this email (the first of {@code GET /user_management/users?email=}), or a missing node. */
  static JsonNode findUser(SimServer sim, String key, String email) {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/user_management/users?email="
              + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + key)
          .GET()
          .build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new IllegalStateException("find user -> " + r.statusCode() + " " + r.body());
      return Ferry.json(r.body()).path("data").path(0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
