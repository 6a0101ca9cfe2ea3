package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The CRM-like contacts API over real HTTP: lookup by external_id, create (409, Idempotency-Key), patch, stats. */
class SimCrmTest extends DefaultSimTest {

  private SimTestClient.Reply patch(String path, String json) throws Exception {
    return client.send(client.request(path).method("PATCH", HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json").build());
  }

  @Test
  void createsAContactAndFindsItByExternalId() throws Exception {
    // When
    var created = client.post("/crm/contacts", "{\"external_id\":\"c-1\",\"email\":\"ann@example.com\","
        + "\"name\":\"Ann\",\"properties\":{\"plan\":\"pro\"}}");
    var found = client.get("/crm/contacts?external_id=c-1");
    var none = client.get("/crm/contacts?external_id=c-2");
    // Then
    assertThat(created.status()).isEqualTo(201);
    JsonNode c = created.json();
    assertThat(c.path("object").asText()).isEqualTo("contact");
    assertThat(c.path("id").asText()).matches("ct_[0-9A-HJKMNP-TV-Z]{26}");
    assertThat(c.path("version").asLong()).isEqualTo(1);
    assertThat(c.path("properties").path("plan").asText()).isEqualTo("pro");
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().path("data").path(0).path("id").asText()).isEqualTo(c.path("id").asText());
    assertThat(none.json().path("data").size()).isZero();
    assertThat(server.stats().crm()).isEqualTo(new CrmStats(1, 1, 0, 0, 0, 2, 0, 0));
    assertThat(server.stats().requestsTo("POST /crm/contacts")).isEqualTo(1);
  }

  @Test
  void aDuplicateExternalIdIsRefusedWith409() throws Exception {
    client.post("/crm/contacts", "{\"external_id\":\"c-1\"}");
    var clash = client.post("/crm/contacts", "{\"external_id\":\"c-1\",\"email\":\"other@example.com\"}");
    assertThat(clash.status()).isEqualTo(409);
    assertThat(clash.json().path("code").asText()).isEqualTo("duplicate_external_id");
    assertThat(clash.json().path("message").asText()).startsWith("A contact with external_id 'c-1' already exists");
    assertThat(server.stats().crm().duplicatesRefused()).isEqualTo(1);
    assertThat(server.stats().crm().contacts()).isEqualTo(1);
  }

  @Test
  void aRepeatedIdempotencyKeyReplaysTheFirstAnswer() throws Exception {
    String body = "{\"external_id\":\"c-9\",\"email\":\"z@example.com\"}";
    var first = client.post("/crm/contacts", body, "Idempotency-Key", "contact-c-9");
    var again = client.post("/crm/contacts", body, "Idempotency-Key", "contact-c-9");
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
    assertThat(server.stats().crm().created()).isEqualTo(1);
    assertThat(server.stats().crm().duplicatesRefused()).isZero();
  }

  @Test
  void aPatchUpdatesFieldsMergesPropertiesAndCountsAVersion() throws Exception {
    String id = client.post("/crm/contacts", "{\"external_id\":\"c-1\",\"email\":\"old@example.com\","
        + "\"properties\":{\"a\":1,\"b\":2}}").json().path("id").asText();
    var patched = patch("/crm/contacts/" + id, "{\"email\":\"new@example.com\",\"properties\":{\"b\":3}}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().path("email").asText()).isEqualTo("new@example.com");
    assertThat(patched.json().path("properties").toString()).isEqualTo("{\"a\":1,\"b\":3}");
    assertThat(patched.json().path("version").asLong()).isEqualTo(2);
    assertThat(client.get("/crm/contacts?external_id=c-1").json().path("data").path(0).path("email").asText())
        .isEqualTo("new@example.com");
    assertThat(client.get("/crm/contacts/" + id).json().path("version").asLong()).isEqualTo(2);
    assertThat(server.stats().crm().patches()).isEqualTo(1);
  }

  @Test
  void badRequestsAndUnknownContacts() throws Exception {
    assertThat(client.post("/crm/contacts", "{\"email\":\"x@example.com\"}").status()).isEqualTo(422);
    assertThat(client.post("/crm/contacts", "not json").status()).isEqualTo(400);
    assertThat(patch("/crm/contacts/ct_nope", "{\"email\":\"x\"}").status()).isEqualTo(404);
    String id = client.post("/crm/contacts", "{\"external_id\":\"c-1\"}").json().path("id").asText();
    assertThat(patch("/crm/contacts/" + id, "{\"external_id\":\"c-2\"}").status()).isEqualTo(422);
    CrmStats crm = server.stats().crm();
    assertThat(crm.invalid()).isEqualTo(3);
    assertThat(crm.notFound()).isEqualTo(1);
  }

  @Test
  void concurrentCreatesOfOneExternalIdMakeOneContact() throws Exception {
    AtomicInteger created = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          int s = client.post("/crm/contacts", "{\"external_id\":\"same\"}").status();
          (s == 201 ? created : refused).incrementAndGet();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (Thread t : threads) t.join();
    assertThat(created).hasValue(1);
    assertThat(refused).hasValue(15);
    assertThat(server.stats().crm()).extracting(CrmStats::contacts, CrmStats::duplicateCreations).containsExactly(1L, 0L);
  }

  @Test
  void statsRoundTripThroughJson() throws Exception {
    client.post("/crm/contacts", "{\"external_id\":\"c-1\"}");
    SimStats parsed = SimStats.fromJson(client.get("/__stats").body());
    assertThat(parsed.crm()).isEqualTo(server.stats().crm());
    assertThat(client.get("/__stats").json().path("crm").path("created").asLong()).isEqualTo(1);
  }
}
