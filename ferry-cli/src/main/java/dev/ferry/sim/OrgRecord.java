package dev.ferry.sim;

/** A stored organization. Immutable. */
record OrgRecord(SimId id, String name, String externalId, long createdAtMillis) implements Body {
  static final String PREFIX = "org";
}
