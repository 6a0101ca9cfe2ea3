package dev.ferry.sim;

/** Dispatches a matched route to its endpoint and turns an {@link ApiError} into its answer. Threadsafe. */
final class Api {
  private final UserEndpoints users;
  private final OrganizationEndpoints organizations;
  private final MembershipEndpoints memberships;
  private final EmbeddingsEndpoint embeddings;
  private final PointsEndpoints points;
  private final CrmEndpoints crm;

  Api(UserEndpoints users, OrganizationEndpoints organizations, MembershipEndpoints memberships,
      EmbeddingsEndpoint embeddings, PointsEndpoints points, CrmEndpoints crm) {
    this.users = users;
    this.organizations = organizations;
    this.memberships = memberships;
    this.embeddings = embeddings;
    this.points = points;
    this.crm = crm;
  }

  ApiResponse handle(Route.Match match, SimRequest request) {
    String parameter = match.parameter();
    try {
      return switch (match.route()) {
        case CREATE_USER -> users.create(request);
        case LIST_USERS -> users.list(request);
        case GET_USER -> users.get(parameter);
        case DELETE_USER -> users.delete(parameter);
        case CREATE_ORGANIZATION -> organizations.create(request);
        case GET_ORGANIZATION_BY_EXTERNAL_ID -> organizations.getByExternalId(parameter);
        case GET_ORGANIZATION -> organizations.get(parameter);
        case CREATE_MEMBERSHIP -> memberships.create(request);
        case LIST_MEMBERSHIPS -> memberships.list(request);
        case GET_MEMBERSHIP -> memberships.get(parameter);
        case CREATE_EMBEDDINGS -> embeddings.create(request);
        case CREATE_COLLECTION, GET_COLLECTION, UPSERT_POINTS, GET_POINT, SCROLL_POINTS ->
            points.handle(match.route(), parameter, request);
        case LIST_CONTACTS -> crm.list(request);
        case CREATE_CONTACT -> crm.create(request);
        case GET_CONTACT -> crm.get(parameter);
        case UPDATE_CONTACT -> crm.patch(parameter, request);
      };
    } catch (ApiError e) {
      return e.response();
    }
  }
}
