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
  GET_MEMBERSHIP("GET", "/user_management/organization_memberships/{id}");

  /** The {@code requests_by_route} label of calls that match no route. */
  static final String UNKNOWN = "unknown";

  private final String method;
  private final String label;
  private final List<String> template;

  Route(String method, String path) {
    this.method = method;
    this.label = method + " " + path;
    this.template = List.of(path.substring(1).split("/"));
  }

  /** {@code "POST /user_management/users"}. */
  String label() {
    return label;
  }

  /** A matched route with its one path parameter (null when the route has none). */
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
