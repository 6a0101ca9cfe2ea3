package dev.ferry.sim;

import java.util.function.LongSupplier;

/** {@code /organizations}: create, get, get by external_id. Threadsafe. */
final class OrganizationEndpoints {
  private final OrgStore orgs;
  private final IdGenerator ids;
  private final LongSupplier epochMillis;

  OrganizationEndpoints(OrgStore orgs, IdGenerator ids, LongSupplier epochMillis) {
    this.orgs = orgs;
    this.ids = ids;
    this.epochMillis = epochMillis;
  }

  ApiResponse create(SimRequest request) {
    OrganizationInput input = OrganizationInput.parse(SimJson.parseObject(request.body()));
    return new ApiResponse(201, orgs.create(input.toRecord(ids.next(), epochMillis.getAsLong())));
  }

  ApiResponse get(String idText) {
    OrgRecord org = orgs.byId(SimId.parse(OrgRecord.PREFIX, idText));
    if (org == null) {
      throw ApiError.notFound("Organization", idText);
    }
    return new ApiResponse(200, org);
  }

  ApiResponse getByExternalId(String externalId) {
    OrgRecord org = orgs.byExternalId(externalId);
    if (org == null) {
      throw ApiError.notFound("Organization", externalId);
    }
    return new ApiResponse(200, org);
  }
}
