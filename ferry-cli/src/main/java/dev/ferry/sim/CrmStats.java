package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The CRM-like API's counters in a {@link SimStats} snapshot ({@code "crm"} in {@code /__stats}). Immutable.
 * Exactly-once evidence for an upsert job of N distinct external ids: {@code contacts == created == N} and
 * {@code duplicateCreations == 0}; {@code duplicatesRefused} counts creates refused with 409 (someone created the
 * external id first: a retry that lost its answer without an Idempotency-Key, or a race), and {@code patches} the
 * updates applied.
 *
 * @param contacts           contacts that exist now
 * @param created            contacts created
 * @param duplicatesRefused  creates refused because the external_id exists (409)
 * @param duplicateCreations contacts created for an external_id created before (impossible without a delete: 0)
 * @param patches            patches applied
 * @param lookups            list calls filtered by external_id or email
 * @param notFound           404s (an unknown contact id)
 * @param invalid            400s and 422s (malformed bodies, missing external_id)
 */
public record CrmStats(long contacts, long created, long duplicatesRefused, long duplicateCreations, long patches,
    long lookups, long notFound, long invalid) {

  static final CrmStats NONE = new CrmStats(0, 0, 0, 0, 0, 0, 0, 0);

  void write(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("crm");
    g.writeNumberField("contacts", contacts);
    g.writeNumberField("created", created);
    g.writeNumberField("duplicates_refused", duplicatesRefused);
    g.writeNumberField("duplicate_creations", duplicateCreations);
    g.writeNumberField("patches", patches);
    g.writeNumberField("lookups", lookups);
    g.writeNumberField("not_found", notFound);
    g.writeNumberField("invalid", invalid);
    g.writeEndObject();
  }

  static CrmStats read(JsonNode n) {
    return new CrmStats(n.path("contacts").asLong(), n.path("created").asLong(), n.path("duplicates_refused").asLong(),
        n.path("duplicate_creations").asLong(), n.path("patches").asLong(), n.path("lookups").asLong(),
        n.path("not_found").asLong(), n.path("invalid").asLong());
  }
}
