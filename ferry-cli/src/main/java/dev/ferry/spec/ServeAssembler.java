package dev.ferry.spec;

import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.SpecLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ServeConfig} from a grammar-checked {@code serve} node; what it refuses goes to the errors list
 * at the node's line and column. Not threadsafe (one per load).
 */
final class ServeAssembler {
  private static final String HEADER_PREFIX = "header:";

  private final String file;
  private final List<SpecError> errors;

  ServeAssembler(String file, List<SpecError> errors) {
    this.file = file;
    this.errors = errors;
  }

  ServeConfig serve(Node node, String specName) {
    List<ServeConfig.Route> routes = new ArrayList<>();
    java.util.Set<String> paths = new java.util.HashSet<>();
    for (Node r : node.get("routes").items()) {
      ServeConfig.Route route = route(r);
      if (route != null && !paths.add(route.path())) error(r.get("path"), "route " + route.path() + " is declared twice");
      if (route != null) routes.add(route);
    }
    String queue = node.get("queue") != null ? node.get("queue").text()
        : specName.matches(Grammar.NAME_PATTERN) ? specName : "serve";
    return new ServeConfig(routes, queue,
        count(node.get("backlog"), ServeConfig.DEFAULT_BACKLOG), count(node.get("max_body"),
            ServeConfig.DEFAULT_MAX_BODY),
        (int) count(node.get("concurrency"), ServeConfig.DEFAULT_CONCURRENCY),
        lease(node.get("lease")),
        (int) count(node.get("max_attempts"), ServeConfig.DEFAULT_MAX_ATTEMPTS),
        node.get("retry_after") == null ? ServeConfig.DEFAULT_RETRY_AFTER
            : SpecAssembler.duration(node.get("retry_after")), adminToken(node.get("admin_token")),
        dedupeWindow(node.get("dedupe_window")));
  }

  /**
   * At least a second: a claim is renewed every lease/3 by a drain that polls every 50 ms, so a shorter lease runs
   * out under items still running, and they are claimed and run again (a lease of 1ms ran 12 of 20 pages twice in
   * one process).
   */
  private Duration lease(Node lease) {
    if (lease == null) return ServeConfig.DEFAULT_LEASE;
    Duration d = SpecAssembler.duration(lease);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      error(lease, "the lease must be at least 1s (it is renewed every lease/3 while an item runs; a shorter one runs"
          + " out under running items, which are then run twice); default 60s");
    }
    return d;
  }

  /** At least a minute: a shorter window would forget deliveries that senders are still retrying. */
  private Duration dedupeWindow(Node window) {
    if (window == null) return ServeConfig.DEFAULT_DEDUPE_WINDOW;
    Duration d = SpecAssembler.duration(window);
    if (d.compareTo(Duration.ofMinutes(1)) < 0) {
      error(window, "the dedupe window must be at least 1m (a redelivery after it is run again); default 168h");
    }
    return d;
  }

  /** The admin routes' token: null when absent or empty (a parameter left unset); only from a parameter. */
  private String adminToken(Node token) {
    if (token == null || token.text().isEmpty()) return null;
    if (!token.parameterized()) {
      error(token, "a secret must come from a parameter (${ADMIN_TOKEN}), not the spec's text");
    }
    return token.text();
  }

  private ServeConfig.Route route(Node r) {
    ServeConfig.Signature signature = null;
    Node sig = r.get("signature");
    if (sig != null) {
      String secret = sig.get("secret").text();
      if (secret.isEmpty()) {
        error(sig.get("secret"), "the signature's secret is empty: set the parameter it names");
      } else if (!sig.get("secret").parameterized()) {
        error(sig.get("secret"), "a secret must come from a parameter (${WEBHOOK_SECRET}), not the spec's text");
      }
      signature = new ServeConfig.Signature(sig.get("header").text(),
          sig.get("prefix") == null ? "" : sig.get("prefix").text(), secret);
    }
    String id = r.get("delivery_id").text();
    JsonPath idPath = null;
    String idHeader = null;
    if (id.startsWith(HEADER_PREFIX)) {
      idHeader = id.substring(HEADER_PREFIX.length()).strip();
      if (idHeader.isEmpty()) error(r.get("delivery_id"), "'header:' needs a header name");
    } else {
      idPath = path(r.get("delivery_id"));
    }
    JsonPath items = r.get("items") == null ? null : path(r.get("items"));
    Map<JsonPath, String> only = new LinkedHashMap<>();
    Node o = r.get("only");
    if (o != null) {
      for (Map.Entry<String, Node> e : o.fields().entrySet()) {
        JsonPath p = pathText(e.getKey(), e.getValue());
        if (p != null) only.put(p, e.getValue().text());
      }
    }
    return new ServeConfig.Route(r.get("path").text(), signature, idPath, idHeader, items, only);
  }

  private JsonPath path(Node node) {
    return pathText(node.text(), node);
  }

  private JsonPath pathText(String text, Node at) {
    try {
      return JsonPath.parse(text, new SpecLocation(file, at.line(), at.textColumn()));
    } catch (SpecException e) {
      errors.add(new SpecError(file, e.location().line(), e.location().column(), at.path(), e.detail()));
      return null;
    }
  }

  private static long count(Node node, long otherwise) {
    return node == null ? otherwise : Long.parseLong(node.text().strip());
  }

  private void error(Node node, String message) {
    errors.add(new SpecError(file, node.line(), node.column(), node.path(), message));
  }
}
