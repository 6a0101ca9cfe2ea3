package dev.ferry.recipes.workos;

import java.util.List;
import java.util.Map;

/**
 * One validated input row of the WorkOS import. Immutable. {@code toString} never shows passwords or hashes.
 */
record UserRow(String email, String firstName, String lastName, Boolean emailVerified, String externalId,
    String password, String passwordHash, String passwordHashType, Map<String, String> metadata, String orgId,
    String orgExternalId, String orgName, List<String> roles) {

  boolean hasOrg() {
    return !orgId.isEmpty() || !orgExternalId.isEmpty();
  }

  @Override
  public String toString() {
    return "UserRow[email=" + email + ", externalId=" + externalId + ", org=" + orgId + orgExternalId
        + ", roles=" + roles + "]";
  }
}
