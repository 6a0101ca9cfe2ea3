package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the simulator reads request bodies: with a Content-Length, chunked, and too large. */
class SimRequestBodyTest extends DefaultSimTest {
  private static final String USERS = "/user_management/users";

  @Test
  void readsABodyOfDeclaredLength() throws Exception {
    // When a body is sent with its Content-Length (what HttpClient does for a string)
    var reply = client.post(USERS, "{\"email\":\"fixed@example.com\",\"first_name\":\"Fixed\"}");
    // Then all of it was read
    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.json().path("first_name").asText()).isEqualTo("Fixed");
  }

  @Test
  void readsAChunkedBody() throws Exception {
    // Given a body of unknown length: HttpClient sends it chunked, without Content-Length
    byte[] json = "{\"email\":\"chunked@example.com\",\"last_name\":\"Chunked\"}".getBytes(StandardCharsets.UTF_8);
    HttpRequest request = client.request(USERS)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(json)))
        .build();
    // When
    var reply = client.send(request);
    // Then
    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.json().path("last_name").asText()).isEqualTo("Chunked");
  }

  @Test
  void refusesABodyOverTheLimitWithOrWithoutALength() throws Exception {
    String big = "{\"email\":\"big@example.com\",\"first_name\":\"" + "x".repeat(ApiHandler.MAX_BODY_BYTES) + "\"}";
    // When sent with its length
    var declared = client.post(USERS, big);
    // and chunked
    byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
    var chunked = client.send(client.request(USERS)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build());
    // Then both are refused, and nothing was created
    assertThat(declared.status()).isEqualTo(413);
    assertThat(chunked.status()).isEqualTo(413);
    assertThat(server.stats().usersCreated()).isZero();
  }

  @Test
  void contentLengthIsReadLeniently() {
    assertThat(ApiHandler.contentLength(null)).isEqualTo(-1);
    assertThat(ApiHandler.contentLength("42")).isEqualTo(42);
    assertThat(ApiHandler.contentLength(" 7 ")).isEqualTo(7);
    assertThat(ApiHandler.contentLength("-3")).isEqualTo(-1);
    assertThat(ApiHandler.contentLength("lots")).isEqualTo(-1);
  }
}
