package dev.ferry.sim;

import java.util.List;
import java.util.function.LongSupplier;

/** {@code /user_management/organization_memberships}: create, list, get. Threadsafe. */
final class MembershipEndpoints {
  private final UserStore users;
  private final OrgStore orgs;
  private final MembershipStore memberships;
  private final IdGenerator ids;
  private final LongSupplier epochMillis;
  private final boolean multipleRoles;

  MembershipEndpoints(UserStore users, OrgStore orgs, MembershipStore memberships, IdGenerator ids,
      LongSupplier epochMillis, boolean multipleRoles) {
    this.users = users;
    this.orgs = orgs;
    this.memberships = memberships;
    this.ids = ids;
    this.epochMillis = epochMillis;
    this.multipleRoles = multipleRoles;
  }

  /** 404 for an unknown user or organization, 409 for an existing user+organization pair. */
  ApiResponse create(SimRequest request) {
    MembershipInput input = MembershipInput.parse(SimJson.parseObject(request.body()), multipleRoles);
    OrgRecord org = orgs.byId(SimId.parse(OrgRecord.PREFIX, input.organizationId()));
    if (org == null) {
      throw ApiError.notFound("Organization", input.organizationId());
    }
    MembershipRecord created = users.whileExists(SimId.parse(UserRecord.PREFIX, input.userId()), input.userId(),
        user -> memberships.create(user, new MembershipRecord(ids.next(), user.id(), org.id(), org.name(),
            input.roleSlugs(), epochMillis.getAsLong())));
    return new ApiResponse(201, created);
  }

  /** Needs {@code user_id} or {@code organization_id} (or both); up to {@code limit}, no cursors. */
  ApiResponse list(SimRequest request) {
    String userText = request.queryParameter("user_id");
    String orgText = request.queryParameter("organization_id");
    if (userText == null && orgText == null) {
      throw ApiError.validation(List.of(Fields.error("user_id", "user_id_or_organization_id_required",
          "user_id or organization_id is required.")));
    }
    int limit = Paging.limit(request);
    SimId userId = userText == null ? null : SimId.parse(UserRecord.PREFIX, userText);
    SimId orgId = orgText == null ? null : SimId.parse(OrgRecord.PREFIX, orgText);
    if (userText != null && userId == null || orgText != null && orgId == null) {
      return new ApiResponse(200, new ListBody(List.of()));
    }
    List<MembershipRecord> found = userId != null
        ? memberships.ofUser(userId).stream()
            .filter(m -> orgId == null || m.organizationId().equals(orgId)).limit(limit).toList()
        : memberships.find(m -> m.organizationId().equals(orgId), limit);
    return new ApiResponse(200, new ListBody(found));
  }

  ApiResponse get(String idText) {
    MembershipRecord membership = memberships.byId(SimId.parse(MembershipRecord.PREFIX, idText));
    if (membership == null) {
      throw ApiError.notFound("Organization membership", idText);
    }
    return new ApiResponse(200, membership);
  }
}
