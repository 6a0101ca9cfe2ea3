package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The CRM's contacts, indexed by id and by external_id, with the counters of {@link CrmStats}. Threadsafe.
 *
 * <p>Concurrency: a create runs inside {@code byExternalId.compute(externalId, ...)}, so it is atomic per external_id,
 * and puts into {@code byId} inside it (lock order: byExternalId bin → byId bin, never the other way). A patch
 * replaces the record in {@code byId.computeIfPresent} and then in {@code byExternalId} (a reader may briefly see the
 * previous version through the external_id index, never a torn record). {@code everCreated} remembers every
 * external_id created, so a create of one seen before counts in {@code duplicateCreations}.
 */
final class CrmContactStore {
  private final ConcurrentHashMap<String, CrmContact> byExternalId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CrmContact> byId = new ConcurrentHashMap<>();
  private final Set<String> everCreated = ConcurrentHashMap.newKeySet();
  final LongAdder created = new LongAdder();
  final LongAdder duplicatesRefused = new LongAdder();
  final LongAdder duplicateCreations = new LongAdder();
  final LongAdder patches = new LongAdder();
  final LongAdder lookups = new LongAdder();
  final LongAdder notFound = new LongAdder();
  final LongAdder invalid = new LongAdder();

  /** @throws ApiError 409 {@code duplicate_external_id} when the external_id is taken */
  CrmContact create(CrmContact contact) {
    byExternalId.compute(contact.externalId(), (key, existing) -> {
      if (existing != null) {
        duplicatesRefused.increment();
        throw new ApiError(409, "duplicate_external_id", "A contact with external_id '" + key + "' already exists ("
            + existing.id() + ").");
      }
      if (!everCreated.add(key)) duplicateCreations.increment();
      byId.put(contact.id(), contact);
      return contact;
    });
    created.increment();
    return contact;
  }

  /**
   * Applies {@code change} to the contact and returns the new version.
   *
   * @throws ApiError 404 when there is no such contact
   */
  CrmContact patch(String id, java.util.function.UnaryOperator<CrmContact> change) {
    CrmContact updated = byId.computeIfPresent(id, (key, old) -> change.apply(old));
    if (updated == null) {
      notFound.increment();
      throw ApiError.notFound("Contact", id);
    }
    byExternalId.put(updated.externalId(), updated);
    patches.increment();
    return updated;
  }

  CrmContact byId(String id) {
    return byId.get(id);
  }

  /** Contacts matching the filters (null = any), oldest first, at most {@code limit}. */
  List<CrmContact> find(String externalId, String email, int limit) {
    List<CrmContact> out = new ArrayList<>();
    if (externalId != null) {
      CrmContact c = byExternalId.get(externalId);
      if (c != null && (email == null || sameEmail(c, email))) out.add(byId.getOrDefault(c.id(), c));
      return out;
    }
    for (CrmContact c : byId.values()) if (email == null || sameEmail(c, email)) out.add(c);
    out.sort(Comparator.comparingLong(CrmContact::createdAtMillis).thenComparing(CrmContact::id));
    return out.size() > limit ? out.subList(0, limit) : out;
  }

  private static boolean sameEmail(CrmContact c, String email) {
    return c.email() != null && c.email().toLowerCase(Locale.ROOT).equals(email.toLowerCase(Locale.ROOT));
  }

  CrmStats stats() {
    return new CrmStats(byId.size(), created.sum(), duplicatesRefused.sum(), duplicateCreations.sum(), patches.sum(),
        lookups.sum(), notFound.sum(), invalid.sum());
  }

  /** Merges a patch body's properties into the old ones. */
  static JsonNode merged(JsonNode old, JsonNode patch) {
    com.fasterxml.jackson.databind.node.ObjectNode out = old.deepCopy();
    patch.properties().forEach(e -> out.set(e.getKey(), e.getValue()));
    return out;
  }
}
