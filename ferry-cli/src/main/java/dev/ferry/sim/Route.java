package dev.ferry.sim;

import java.util.List;

/** The API routes the simulator answers; {@code {x}} matches one path segment. */
enum Route {
  CREATE_USER("POST", "/user_management/users"),
  LIST_USERS("GET", "/user_management/users"),
  GET_USER("GET", "/user_management/users/{id}"),
  DELETE_USER("DELETE", "/user_management/users/{id}"),
  CREATE_ORGANIZATION("POST", "/organizations"),
  GET_ORGANIZATION_BY_EXTERNAL_ID("GET", "/organizations/external_id/{external_id}"),
  GET_ORGANIZATION("GET", "/organizations/{id}"),
  CREATE_MEMBERSHIP("POST", "/user_management/organization_memberships"),
  LIST_MEMBERSHIPS("GET", "/user_management/organization_memberships"),
  GET_MEMBERSHIP("GET", "/user_management/organization_memberships/{id}"),
  CREATE_EMBEDDINGS("POST", "/v1/embeddings", Family.OPENAI),
  CREATE_COLLECTION("PUT", "/collections/{collection}", Family.QDRANT),
  GET_COLLECTION("GET", "/collections/{collection}", Family.QDRANT),
  UPSERT_POINTS("PUT", "/collections/{collection}/points", Family.QDRANT),
  GET_POINT("GET", "/collections/{collection}/points/{id}", Family.QDRANT),
  SCROLL_POINTS("POST", "/collections/{collection}/points/scroll", Family.QDRANT),
  // the CRM-like API shares the WorkOS pipeline (Bearer key, limits, Idempotency-Key); see CrmEndpoints
  LIST_CONTACTS("GET", "/crm/contacts"),
  CREATE_CONTACT("POST", "/crm/contacts"),
  GET_CONTACT("GET", "/crm/contacts/{id}"),
  UPDATE_CONTACT("PATCH", "/crm/contacts/{id}");

  /** The {@code requests_by_route} label of calls that match no route. */
  static final String UNKNOWN = "unknown";

  private final String method;
  private final String label;
  private final List<String> template;
  private final Family family;

  Route(String method, String path) {
    this(method, path, Family.WORKOS);
  }

  Route(String method, String path, Family family) {
    this.family = family;
    this.method = method;
    this.label = method + " " + path;
    this.template = List.of(path.substring(1).split("/"));
  }

  /** {@code "POST /user_management/users"}. */
  String label() {
    return label;
  }

  /** The API the route belongs to: its keys, limits and error shapes. */
  Family family() {
    return family;
  }

  /** A matched route with its last path parameter (null when the route has none). */
  record Match(Route route, String parameter) {}

  /** @param segments the decoded path segments; null when nothing matches */
  static Match match(String method, List<String> segments) {
    for (Route route : values()) {
      if (route.method.equals(method) && route.template.size() == segments.size()) {
        String parameter = null;
        boolean matches = true;
        for (int i = 0; i < segments.size() && matches; i++) {
          String expected = route.template.get(i);
          if (expected.startsWith("{")) {
            parameter = segments.get(i);
            matches = !parameter.isEmpty();
          } else {
            matches = expected.equals(segments.get(i));
          }
        }
        if (matches) {
          return new Match(route, parameter);
        }
      }
    }
    return null;
  }
}
