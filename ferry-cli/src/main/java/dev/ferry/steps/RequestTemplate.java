package dev.ferry.steps;

import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.Template;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The HTTP request a step sends, as templates rendered per row (or batch). Immutable.
 *
 * @param method  GET, POST, PUT, PATCH or DELETE
 * @param path    relative to the target's base URL ({@code /crm/contacts/{{ steps.find.contact_id }}}); may hold a
 *                query already ({@code ?wait=true}); each rendered {@code {{}}} part of the path is percent-encoded as
 *                a path segment, so a value cannot add segments or a query
 * @param query   query parameters, in order, each value percent-encoded; a parameter rendering to null is left out
 * @param headers extra headers of this step (after the target's); a header rendering to "" is left out
 * @param body    JSON body, or null for none
 * @param omitEmpty leave out of the body's objects (at any depth) every field whose value renders to null, "", an
 *                empty list or an empty object (APIs that refuse {@code "external_id": ""} or {@code null})
 */
public record RequestTemplate(String method, Template path, Map<String, Template> query, Map<String, Template> headers,
    JsonTemplate body, boolean omitEmpty) {
  public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  public RequestTemplate {
    Objects.requireNonNull(method, "method cannot be null");
    Objects.requireNonNull(path, "path cannot be null");
    method = method.toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) throw new IllegalArgumentException("method must be one of GET, POST, PUT, "
        + "PATCH, DELETE, was '" + method + "'");
    query = Collections.unmodifiableMap(new LinkedHashMap<>(query == null ? Map.of() : query));
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers == null ? Map.of() : headers));
  }

  /**
   * A value as a request path holds it: percent-encoded as one segment (UTF-8; a space as %20, '/', '?', '#', '%'
   * encoded), as each {@code {{ }}} value of a path is, and a spec's {@code ${PARAM}} in a path.
   */
  public static String encodeValue(String value) {
    return RenderedCall.segment(value);
  }

  /** A request whose body is sent as rendered (empty fields kept). */
  public RequestTemplate(String method, Template path, Map<String, Template> query, Map<String, Template> headers,
      JsonTemplate body) {
    this(method, path, query, headers, body, false);
  }

  /** A request with no query, no extra header and no body. */
  public static RequestTemplate of(String method, Template path) {
    return new RequestTemplate(method, path, Map.of(), Map.of(), null);
  }

  /** True when any part reads {@code batch}. */
  public boolean usesBatch() {
    return path.usesBatch() || query.values().stream().anyMatch(Template::usesBatch)
        || headers.values().stream().anyMatch(Template::usesBatch) || body != null && body.usesBatch();
  }
}
