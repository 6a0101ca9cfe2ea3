package dev.ferry.sim;

import java.util.concurrent.ConcurrentHashMap;

/** Organizations, indexed by id and external_id. Organizations are never deleted (except by reset). Threadsafe. */
final class OrgStore {
  /*
   * Concurrency: creation with an external_id runs inside byExternalId.compute(externalId, ...), so it is
   * atomic per external_id; the compute puts into byId (lock order: byExternalId bin -> byId bin, and
   * nothing takes them the other way round). Since organizations are never deleted, their natural key can
   * never be created twice, so duplicate_creations cannot count an organization.
   */
  private final ConcurrentHashMap<String, OrgRecord> byExternalId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SimId, OrgRecord> byId = new ConcurrentHashMap<>();
  private final SimCounters counters;

  OrgStore(SimCounters counters) {
    this.counters = counters;
  }

  /** @throws ApiError 409 {@code conflict} when the external_id is taken */
  OrgRecord create(OrgRecord org) {
    if (org.externalId() == null) {
      byId.put(org.id(), org);
    } else {
      byExternalId.compute(org.externalId(), (key, existing) -> {
        if (existing != null) {
          counters.duplicatesRefused.increment();
          throw new ApiError(409, "conflict",
              "The external_id provided has already been assigned to another organization.");
        }
        byId.put(org.id(), org);
        return org;
      });
    }
    counters.organizationsCreated.increment();
    return org;
  }

  OrgRecord byId(SimId id) {
    return id == null ? null : byId.get(id);
  }

  OrgRecord byExternalId(String externalId) {
    return byExternalId.get(externalId);
  }

  int size() {
    return byId.size();
  }
}
