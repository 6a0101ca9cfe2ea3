package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A CRM-like contacts API, a second API shape for job specs (upsert by external id: look up, then create or patch):
 * <ul>
 *   <li>{@code GET /crm/contacts?external_id=&email=&limit=}: {@code {"object":"list","data":[...],"has_more"}};</li>
 *   <li>{@code POST /crm/contacts} {@code {"external_id" (required), "email", "name", "properties": {}}}: 201 and the
 *       contact; 409 {@code duplicate_external_id} when the external_id exists; an {@code Idempotency-Key} replays
 *       the first answer (the WorkOS pipeline's cache);</li>
 *   <li>{@code GET /crm/contacts/{id}}; {@code PATCH /crm/contacts/{id}} {@code {"email", "name", "properties"}}: the
 *       new version (properties merged), 404 for an unknown id; the external_id cannot change (422).</li>
 * </ul>
 * The routes share the WorkOS pipeline: Bearer key, rate limits, latency and faults. Threadsafe.
 */
final class CrmEndpoints {
  private static final int MAX_LIMIT = 100;
  private final CrmContactStore store;
  private final IdGenerator ids;
  private final LongSupplier epochMillis;

  CrmEndpoints(CrmContactStore store, IdGenerator ids, LongSupplier epochMillis) {
    this.store = store;
    this.ids = ids;
    this.epochMillis = epochMillis;
  }

  ApiResponse list(SimRequest request) {
    String externalId = request.queryParameter("external_id");
    String email = request.queryParameter("email");
    if (externalId != null || email != null) store.lookups.increment();
    int limit = MAX_LIMIT;
    String l = request.queryParameter("limit");
    if (l != null) {
      try {
        limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(l)));
      } catch (NumberFormatException e) {
        throw invalid(ApiError.badRequest("invalid_limit", "limit must be a whole number."));
      }
    }
    List<CrmContact> found = store.find(externalId, email, limit + 1);
    boolean more = found.size() > limit;
    return new ApiResponse(200, new CrmContactList(more ? found.subList(0, limit) : found, more));
  }

  ApiResponse create(SimRequest request) {
    JsonNode body = object(request);
    List<ErrorBody.FieldError> errors = new ArrayList<>();
    String externalId = Fields.required(body, "external_id", errors);
    String email = Fields.string(body, "email", errors);
    String name = Fields.string(body, "name", errors);
    JsonNode properties = properties(body, errors);
    if (!errors.isEmpty()) throw invalid(ApiError.validation(errors));
    long now = epochMillis.getAsLong();
    String id = ids.next().format(CrmContact.PREFIX);
    return new ApiResponse(201, store.create(new CrmContact(id, externalId, email, name, properties, 1, now, now)));
  }

  ApiResponse get(String id) {
    CrmContact c = store.byId(id);
    if (c == null) {
      store.notFound.increment();
      throw ApiError.notFound("Contact", id);
    }
    return new ApiResponse(200, c);
  }

  ApiResponse patch(String id, SimRequest request) {
    JsonNode body = object(request);
    List<ErrorBody.FieldError> errors = new ArrayList<>();
    boolean hasEmail = Fields.present(body, "email");
    boolean hasName = Fields.present(body, "name");
    String email = Fields.string(body, "email", errors);
    String name = Fields.string(body, "name", errors);
    JsonNode properties = properties(body, errors);
    if (Fields.present(body, "external_id")) {
      errors.add(Fields.error("external_id", "external_id_immutable", "external_id cannot change."));
    }
    if (!errors.isEmpty()) throw invalid(ApiError.validation(errors));
    long now = epochMillis.getAsLong();
    return new ApiResponse(200, store.patch(id, old -> new CrmContact(old.id(), old.externalId(),
        hasEmail ? email : old.email(), hasName ? name : old.name(),
        CrmContactStore.merged(old.properties(), properties), old.version() + 1, old.createdAtMillis(), now)));
  }

  CrmStats stats() {
    return store.stats();
  }

  private JsonNode object(SimRequest request) {
    try {
      return SimJson.parseObject(request.body());
    } catch (ApiError e) {
      throw invalid(e);
    }
  }

  private static JsonNode properties(JsonNode body, List<ErrorBody.FieldError> errors) {
    JsonNode p = body.get("properties");
    if (p == null || p.isNull()) return SimJson.MAPPER.createObjectNode();
    if (!p.isObject()) errors.add(Fields.error("properties", "properties_invalid", "properties must be an object."));
    return p.isObject() ? p : SimJson.MAPPER.createObjectNode();
  }

  private ApiError invalid(ApiError e) {
    store.invalid.increment();
    return e;
  }
}
