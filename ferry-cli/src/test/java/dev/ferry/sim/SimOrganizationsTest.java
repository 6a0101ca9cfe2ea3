package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SimOrganizationsTest extends DefaultSimTest {

  @Test
  void createsOrganizationInWorkOsShape() throws Exception {
    var reply = client.post("/organizations", "{\"name\":\"Acme\",\"external_id\":\"acme-1\"}");

    assertThat(reply.status()).isEqualTo(201);
    JsonNode org = reply.json();
    assertThat(org.path("object").asText()).isEqualTo("organization");
    assertThat(org.path("id").asText()).matches("org_[0-7][0-9A-HJKMNP-TV-Z]{25}");
    assertThat(org.path("name").asText()).isEqualTo("Acme");
    assertThat(org.path("external_id").asText()).isEqualTo("acme-1");
    assertThat(org.path("created_at").asText()).endsWith("Z");
    assertThat(server.stats().organizationsCreated()).isEqualTo(1);
  }

  @Test
  void refusesAnExternalIdClashWithWorkOsMessage() throws Exception {
    // Given
    client.createOrganization("Acme", "acme");

    // When
    var clash = client.post("/organizations", "{\"name\":\"Other\",\"external_id\":\"acme\"}");

    // Then
    assertThat(clash.status()).isEqualTo(409);
    assertThat(clash.json().path("code").asText()).isEqualTo("conflict");
    assertThat(clash.json().path("message").asText())
        .isEqualTo("The external_id provided has already been assigned to another organization.");
    SimStats stats = server.stats();
    assertThat(stats.organizations()).isEqualTo(1);
    assertThat(stats.duplicatesRefused()).isEqualTo(1);
  }

  @Test
  void organizationsWithoutExternalIdNeverClash() throws Exception {
    assertThat(client.post("/organizations", "{\"name\":\"Same\"}").status()).isEqualTo(201);
    assertThat(client.post("/organizations", "{\"name\":\"Same\"}").status()).isEqualTo(201);
    assertThat(server.stats().organizations()).isEqualTo(2);
  }

  @Test
  void findsByExternalIdIncludingEncodedCharacters() throws Exception {
    // Given
    String id = client.createOrganization("Slashy", "team/a b+c");

    // When
    var found = client.get("/organizations/external_id/team%2Fa%20b+c");
    var missing = client.get("/organizations/external_id/absent");

    // Then
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().path("id").asText()).isEqualTo(id);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("code").asText()).isEqualTo("entity_not_found");
  }

  @Test
  void getsById() throws Exception {
    String id = client.createOrganization("Acme", "acme");

    assertThat(client.get("/organizations/" + id).json().path("external_id").asText()).isEqualTo("acme");
    assertThat(client.get("/organizations/org_01JAAAAAAAAAAAAAAAAAAAAAAA").status()).isEqualTo(404);
  }

  @Test
  void requiresAName() throws Exception {
    var reply = client.post("/organizations", "{\"external_id\":\"x\"}");

    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.json().path("errors").findValuesAsText("field")).contains("name");
    assertThat(server.stats().organizations()).isZero();
  }
}
