package dev.ferry.sim;

import java.util.List;

/** A stored organization membership; always active. Immutable. */
record MembershipRecord(SimId id, SimId userId, SimId organizationId, String organizationName, List<String> roleSlugs,
    long createdAtMillis) implements Body, Identified {
  static final String PREFIX = "om";

  MembershipRecord {
    roleSlugs = List.copyOf(roleSlugs);
  }

  MembershipKey key() {
    return new MembershipKey(userId, organizationId);
  }
}
