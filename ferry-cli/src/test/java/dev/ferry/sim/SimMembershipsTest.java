package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimMembershipsTest extends DefaultSimTest {
  private static final String MEMBERSHIPS = "/user_management/organization_memberships";

  private String userId;
  private String orgId;

  @BeforeEach
  void start() throws Exception {
    userId = client.createUser("member@example.com");
    orgId = client.createOrganization("Acme", "acme");
  }

  private SimTestClient.Reply createMembership(String user, String org, String roleJson) throws Exception {
    return client.post(MEMBERSHIPS, "{\"user_id\":\"" + user + "\",\"organization_id\":\"" + org + "\""
        + (roleJson == null ? "" : "," + roleJson) + "}");
  }

  @Test
  void createsMembershipInWorkOsShape() throws Exception {
    var reply = createMembership(userId, orgId, "\"role_slug\":\"admin\"");

    assertThat(reply.status()).isEqualTo(201);
    JsonNode m = reply.json();
    assertThat(m.path("object").asText()).isEqualTo("organization_membership");
    assertThat(m.path("id").asText()).matches("om_[0-7][0-9A-HJKMNP-TV-Z]{25}");
    assertThat(m.path("user_id").asText()).isEqualTo(userId);
    assertThat(m.path("organization_id").asText()).isEqualTo(orgId);
    assertThat(m.path("role").path("slug").asText()).isEqualTo("admin");
    assertThat(m.path("status").asText()).isEqualTo("active");
    assertThat(client.get(MEMBERSHIPS + "/" + m.path("id").asText()).status()).isEqualTo(200);
  }

  @Test
  void defaultsToTheMemberRole() throws Exception {
    assertThat(createMembership(userId, orgId, null).json().path("role").path("slug").asText()).isEqualTo("member");
  }

  @Test
  void answers404ForUnknownUserOrOrganization() throws Exception {
    var noUser = createMembership("user_01JAAAAAAAAAAAAAAAAAAAAAAA", orgId, null);
    var noOrg = createMembership(userId, "org_01JAAAAAAAAAAAAAAAAAAAAAAA", null);

    assertThat(noUser.status()).isEqualTo(404);
    assertThat(noUser.json().path("code").asText()).isEqualTo("entity_not_found");
    assertThat(noOrg.status()).isEqualTo(404);
    assertThat(server.stats().memberships()).isZero();
  }

  @Test
  void refusesASecondMembershipForTheSamePair() throws Exception {
    createMembership(userId, orgId, null);

    var duplicate = createMembership(userId, orgId, "\"role_slug\":\"admin\"");

    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.json().path("code").asText()).isEqualTo("organization_membership_already_exists");
    SimStats stats = server.stats();
    assertThat(stats.memberships()).isEqualTo(1);
    assertThat(stats.duplicatesRefused()).isEqualTo(1);
  }

  @Test
  void roleSlugsNeedTheMultipleRolesFeature() throws Exception {
    var reply = createMembership(userId, orgId, "\"role_slugs\":[\"admin\",\"billing\"]");

    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.json().path("code").asText()).isEqualTo("multiple_roles_not_enabled");
    assertThat(server.stats().memberships()).isZero();
  }

  @Test
  void roleSlugsWorkWhenMultipleRolesAreEnabled() throws Exception {
    try (SimServer multi = SimServer.start(SimConfig.builder().multipleRoles(true).build());
        SimTestClient c = new SimTestClient(multi)) {
      String user = c.createUser("m@example.com");
      String org = c.createOrganization("Org", "org");

      var reply = c.post(MEMBERSHIPS, "{\"user_id\":\"" + user + "\",\"organization_id\":\"" + org
          + "\",\"role_slugs\":[\"admin\",\"billing\"]}");

      assertThat(reply.status()).isEqualTo(201);
      assertThat(reply.json().path("role").path("slug").asText()).isEqualTo("admin");
      assertThat(reply.json().path("roles").findValuesAsText("slug")).containsExactly("admin", "billing");
    }
  }

  @Test
  void listsByUserByOrganizationAndByBoth() throws Exception {
    // Given
    String other = client.createUser("other@example.com");
    String otherOrg = client.createOrganization("Beta", "beta");
    createMembership(userId, orgId, null);
    createMembership(userId, otherOrg, null);
    createMembership(other, orgId, null);

    // Then
    assertThat(client.get(MEMBERSHIPS + "?user_id=" + userId).json().path("data")).hasSize(2);
    assertThat(client.get(MEMBERSHIPS + "?organization_id=" + orgId).json().path("data")).hasSize(2);
    var both = client.get(MEMBERSHIPS + "?user_id=" + other + "&organization_id=" + orgId).json();
    assertThat(both.path("object").asText()).isEqualTo("list");
    assertThat(both.path("data")).hasSize(1);
    assertThat(client.get(MEMBERSHIPS + "?user_id=" + other + "&organization_id=" + otherOrg).json().path("data")).isEmpty();
    assertThat(client.get(MEMBERSHIPS).status()).isEqualTo(422);
  }

  @Test
  void deletingTheUserDeletesItsMemberships() throws Exception {
    // Given
    String membershipId = createMembership(userId, orgId, null).json().path("id").asText();

    // When
    client.delete("/user_management/users/" + userId);

    // Then
    assertThat(client.get(MEMBERSHIPS + "/" + membershipId).status()).isEqualTo(404);
    assertThat(client.get(MEMBERSHIPS + "?organization_id=" + orgId).json().path("data")).isEmpty();
    assertThat(server.stats().memberships()).isZero();
  }

  @Test
  void recreatingAMembershipOfARecreatedUserCountsAsDuplicateCreation() throws Exception {
    // Given: the user is created, joined, deleted, re-created and joined again
    createMembership(userId, orgId, null);
    client.delete("/user_management/users/" + userId);
    String again = client.createUser("member@example.com");

    // When
    createMembership(again, orgId, null);

    // Then: both the user and the membership were created twice
    assertThat(server.stats().duplicateCreations()).isEqualTo(2);
  }
}
