package dev.ferry.sim;

/** The uniqueness key of a membership: one per user and organization. Immutable. */
record MembershipKey(SimId userId, SimId organizationId) {}
