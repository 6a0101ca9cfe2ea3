package dev.ferry.sim;

/** The uniqueness key of a membership: one per user and organization. */
record MembershipKey(SimId userId, SimId organizationId) {}
