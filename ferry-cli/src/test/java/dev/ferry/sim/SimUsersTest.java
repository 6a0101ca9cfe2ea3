package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SimUsersTest extends DefaultSimTest {
  private static final String USERS = "/user_management/users";

  @Test
  void createsUserInWorkOsShape() throws Exception {
    // When
    var reply = client.post(USERS, """
        {"email":"Alice@Example.com","first_name":"Alice","last_name":"Liddell","email_verified":true,
         "external_id":"crm-1","metadata":{"plan":"pro"},"password":"correct horse"}""");

    // Then
    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    assertThat(reply.header("X-Request-ID")).matches("req_[0-9A-HJKMNP-TV-Z]{26}");
    JsonNode user = reply.json();
    assertThat(user.path("object").asText()).isEqualTo("user");
    assertThat(user.path("id").asText()).matches("user_[0-7][0-9A-HJKMNP-TV-Z]{25}");
    assertThat(user.path("email").asText()).isEqualTo("Alice@Example.com");
    assertThat(user.path("first_name").asText()).isEqualTo("Alice");
    assertThat(user.path("last_name").asText()).isEqualTo("Liddell");
    assertThat(user.path("email_verified").asBoolean()).isTrue();
    assertThat(user.path("external_id").asText()).isEqualTo("crm-1");
    assertThat(user.path("metadata").path("plan").asText()).isEqualTo("pro");
    assertThat(user.has("profile_picture_url")).isTrue();
    assertThat(user.path("profile_picture_url").isNull()).isTrue();
    assertThat(user.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(user.path("updated_at").asText()).isEqualTo(user.path("created_at").asText());
    assertThat(reply.body()).doesNotContain("correct horse").doesNotContain("password");
  }

  @Test
  void optionalFieldsDefaultToNullFalseAndEmptyMetadata() throws Exception {
    var user = client.post(USERS, "{\"email\":\"bob@example.com\"}").json();

    assertThat(user.path("first_name").isNull()).isTrue();
    assertThat(user.path("external_id").isNull()).isTrue();
    assertThat(user.path("email_verified").asBoolean()).isFalse();
    assertThat(user.path("metadata").isObject()).isTrue();
    assertThat(user.path("metadata").size()).isZero();
  }

  @Test
  void findsByEmailExactlyAndCaseInsensitively() throws Exception {
    // Given
    String id = client.createUser("carol+tag@example.com");
    client.createUser("carol@example.com");

    // When
    var found = client.get(USERS + "?email=" + SimTestClient.encode("CAROL+TAG@Example.COM"));
    var missing = client.get(USERS + "?email=" + SimTestClient.encode("nobody@example.com"));

    // Then
    assertThat(found.status()).isEqualTo(200);
    JsonNode list = found.json();
    assertThat(list.path("object").asText()).isEqualTo("list");
    assertThat(list.path("data")).hasSize(1);
    assertThat(list.path("data").path(0).path("id").asText()).isEqualTo(id);
    assertThat(list.path("list_metadata").path("before").isNull()).isTrue();
    assertThat(list.path("list_metadata").path("after").isNull()).isTrue();
    assertThat(missing.json().path("data")).isEmpty();
  }

  @Test
  void getsUserByIdAndAnswers404ForUnknownOrMalformedIds() throws Exception {
    String id = client.createUser("dan@example.com");

    assertThat(client.get(USERS + "/" + id).json().path("email").asText()).isEqualTo("dan@example.com");
    var unknown = client.get(USERS + "/user_01JAAAAAAAAAAAAAAAAAAAAAAA");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().path("code").asText()).isEqualTo("entity_not_found");
    assertThat(client.get(USERS + "/not-an-id").status()).isEqualTo(404);
  }

  @Test
  void refusesDuplicateEmailIgnoringCase() throws Exception {
    // Given
    client.createUser("erin@example.com");

    // When
    var reply = client.post(USERS, "{\"email\":\"ERIN@example.com\"}");

    // Then
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.json().path("code").asText()).isEqualTo("user_creation_error");
    assertThat(reply.json().path("message").asText()).isNotBlank();
    assertThat(reply.firstErrorCode()).isEqualTo("email_not_available");
    assertThat(reply.json().path("errors").path(0).path("message").asText()).isNotBlank();
    SimStats stats = server.stats();
    assertThat(stats.users()).isEqualTo(1);
    assertThat(stats.duplicatesRefused()).isEqualTo(1);
  }

  @Test
  void refusesDuplicateExternalIdAndLeavesTheEmailFree() throws Exception {
    // Given
    client.post(USERS, "{\"email\":\"f1@example.com\",\"external_id\":\"ext-7\"}");

    // When
    var clash = client.post(USERS, "{\"email\":\"f2@example.com\",\"external_id\":\"ext-7\"}");
    var retry = client.post(USERS, "{\"email\":\"f2@example.com\",\"external_id\":\"ext-8\"}");

    // Then
    assertThat(clash.status()).isEqualTo(422);
    assertThat(clash.json().path("code").asText()).isEqualTo("user_creation_error");
    assertThat(clash.firstErrorCode()).isEqualTo("external_id_already_used");
    assertThat(retry.status()).isEqualTo(201);
    assertThat(server.stats().users()).isEqualTo(2);
  }

  @Test
  void deleteRemovesTheUserAndFreesItsKeysAndRecreationIsCountedAsDuplicateCreation() throws Exception {
    // Given
    String id = client.post(USERS, "{\"email\":\"gus@example.com\",\"external_id\":\"g\"}").json().path("id").asText();

    // When
    var deleted = client.delete(USERS + "/" + id);
    var again = client.delete(USERS + "/" + id);
    var recreated = client.post(USERS, "{\"email\":\"Gus@example.com\",\"external_id\":\"g\"}");

    // Then
    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.header("Content-Type")).isEqualTo("application/json");
    assertThat(again.status()).isEqualTo(404);
    assertThat(client.get(USERS + "/" + id).status()).isEqualTo(404);
    assertThat(recreated.status()).isEqualTo(201);
    SimStats stats = server.stats();
    assertThat(stats.usersCreated()).isEqualTo(2);
    assertThat(stats.usersDeleted()).isEqualTo(1);
    assertThat(stats.users()).isEqualTo(1);
    assertThat(stats.duplicateCreations()).isEqualTo(1);
  }

  static Stream<Arguments> invalidBodies() {
    String longExternal = "x".repeat(65);
    StringBuilder elevenKeys = new StringBuilder("{");
    for (int i = 0; i < 11; i++) {
      elevenKeys.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    elevenKeys.append('}');
    return Stream.of(
        Arguments.of("{}", "email"),
        Arguments.of("{\"email\":null}", "email"),
        Arguments.of("{\"email\":\"not-an-email\"}", "email"),
        Arguments.of("{\"email\":\"a@b\"}", "email"),
        Arguments.of("{\"email\":42}", "email"),
        Arguments.of(user("\"external_id\":\"" + longExternal + "\""), "external_id"),
        Arguments.of(user("\"external_id\":\"\""), "external_id"),
        Arguments.of(user("\"metadata\":" + elevenKeys), "metadata"),
        Arguments.of(user("\"metadata\":{\"" + "k".repeat(41) + "\":\"v\"}"), "metadata"),
        Arguments.of(user("\"metadata\":{\"clé\":\"v\"}"), "metadata"),
        Arguments.of(user("\"metadata\":{\"k\":\"" + "v".repeat(601) + "\"}"), "metadata"),
        Arguments.of(user("\"metadata\":{\"k\":1}"), "metadata"),
        Arguments.of(user("\"metadata\":[\"k\"]"), "metadata"),
        Arguments.of(user("\"password\":\"pw\",\"password_hash\":\"$2b$10$abc\",\"password_hash_type\":\"bcrypt\""), "password"),
        Arguments.of(user("\"password_hash\":\"$2b$10$abc\""), "password_hash_type"),
        Arguments.of(user("\"password_hash_type\":\"bcrypt\""), "password_hash"),
        Arguments.of(user("\"password_hash\":\"x\",\"password_hash_type\":\"md5\""), "password_hash_type"),
        Arguments.of(user("\"email_verified\":\"yes\""), "email_verified"),
        Arguments.of(user("\"first_name\":7"), "first_name"));
  }

  private static String user(String extra) {
    return "{\"email\":\"valid@example.com\"," + extra + "}";
  }

  @ParameterizedTest
  @MethodSource("invalidBodies")
  void answers422NamingTheFieldAndCreatesNothing(String body, String field) throws Exception {
    var reply = client.post(USERS, body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(422);
    assertThat(reply.json().path("code").asText()).isEqualTo("invalid_request_parameters");
    assertThat(reply.json().path("errors").findValuesAsText("field")).contains(field);
    assertThat(server.stats().users()).isZero();
  }

  @Test
  void acceptsValuesAtTheLimits() throws Exception {
    // Given: a 64-character external_id; 10 metadata keys of 40 ASCII characters with 600-character values
    StringBuilder metadata = new StringBuilder("{");
    for (int i = 0; i < 10; i++) {
      String key = (i + "k").repeat(20).substring(0, 40);
      metadata.append(i == 0 ? "" : ",").append('"').append(key).append("\":\"").append("v".repeat(600)).append('"');
    }
    metadata.append('}');

    // When
    var reply = client.post(USERS, "{\"email\":\"max@example.com\",\"external_id\":\"" + "e".repeat(64)
        + "\",\"metadata\":" + metadata + "}");

    // Then
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    assertThat(reply.json().path("metadata").size()).isEqualTo(10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bcrypt", "firebase-scrypt", "ssha", "scrypt", "argon2", "pbkdf2"})
  void acceptsEachPasswordHashTypeAndNeverEchoesTheHash(String type) throws Exception {
    var reply = client.post(USERS, "{\"email\":\"h@example.com\",\"password_hash\":\"SECRET-HASH\",\"password_hash_type\":\"" + type + "\"}");

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.body()).doesNotContain("SECRET-HASH");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{not json", "[1,2]", "\"text\"", "", "{} trailing"})
  void answers400ForBodiesThatAreNotOneJsonObject(String body) throws Exception {
    var reply = client.post(USERS, body);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("code").asText()).isEqualTo("invalid_json");
  }

  @Test
  void unknownRoutesAnswer404Json() throws Exception {
    var reply = client.get("/user_management/nothing");
    var wrongMethod = client.send(client.request(USERS).PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.json().path("code").asText()).isEqualTo("not_found");
    assertThat(reply.header("X-Request-ID")).startsWith("req_");
    assertThat(wrongMethod.status()).isEqualTo(404);
    assertThat(server.stats().requestsTo(Route.UNKNOWN)).isEqualTo(2);
  }

  @Test
  void listsSomeUsersWithoutAnEmailFilter() throws Exception {
    for (int i = 0; i < 3; i++) {
      client.createUser("u" + i + "@example.com");
    }

    assertThat(client.get(USERS).json().path("data")).hasSize(3);
    assertThat(client.get(USERS + "?limit=2").json().path("data")).hasSize(2);
    assertThat(client.get(USERS + "?limit=0").status()).isEqualTo(422);
  }
}
