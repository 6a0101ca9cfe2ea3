package dev.ferry.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /__stats}, {@code GET /__timeline} and {@code POST /__reset}: no API key, no latency, limits or faults, not counted
 * in the stats. Threadsafe.
 */
final class AdminHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
  static final String STATS = "/__stats";
  static final String RESET = "/__reset";
  static final String TIMELINE = "/__timeline";

  private final IdGenerator ids;
  private final Supplier<SimStats> stats;
  private final Runnable reset;
  private final Supplier<byte[]> timeline;

  AdminHandler(IdGenerator ids, Supplier<SimStats> stats, Runnable reset, Supplier<byte[]> timeline) {
    this.ids = ids;
    this.stats = stats;
    this.reset = reset;
    this.timeline = timeline;
  }

  @Override
  public void handle(HttpExchange exchange) {
    String requestId = ids.requestId();
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    try {
      exchange.getRequestBody().readAllBytes();
      if (STATS.equals(path) && "GET".equals(method)) {
        HttpReplies.send(exchange, requestId, 200, SimJson.render(stats.get()), Map.of());
      } else if (TIMELINE.equals(path) && "GET".equals(method)) {
        HttpReplies.send(exchange, requestId, 200, timeline.get(), Map.of());
      } else if (RESET.equals(path) && "POST".equals(method)) {
        reset.run();
        HttpReplies.send(exchange, requestId, 200, "{\"reset\":true}".getBytes(StandardCharsets.UTF_8), Map.of());
      } else {
        HttpReplies.send(exchange, requestId, ApiResponse.error(404, "not_found", "No route for " + method + " " + path + "."));
      }
    } catch (IOException e) {
      log.debug("{} client gone", requestId);
    } finally {
      exchange.close();
    }
  }
}
