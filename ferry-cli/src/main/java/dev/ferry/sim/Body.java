package dev.ferry.sim;

/** A JSON response body, kept as a compact domain value and rendered by {@link SimJson} when sent. */
sealed interface Body permits UserRecord, OrgRecord, MembershipRecord, ListBody, ErrorBody, JsonBody {}
