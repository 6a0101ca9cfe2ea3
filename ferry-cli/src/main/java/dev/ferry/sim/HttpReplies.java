package dev.ferry.sim;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Writes an answer: {@code Content-Type: application/json}, {@code X-Request-ID}, extra headers, body
 * (none for HEAD). Stateless.
 */
final class HttpReplies {
  private HttpReplies() {}

  static void send(HttpExchange exchange, String requestId, int status, byte[] body, Map<String, String> headers)
      throws IOException {
    Headers out = exchange.getResponseHeaders();
    out.set("Content-Type", "application/json");
    out.set("X-Request-ID", requestId);
    headers.forEach(out::set);
    boolean withBody = body.length > 0 && !"HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, withBody ? body.length : -1);
    if (withBody) {
      try (OutputStream stream = exchange.getResponseBody()) {
        stream.write(body);
      }
    }
  }

  static void send(HttpExchange exchange, String requestId, ApiResponse response) throws IOException {
    send(exchange, requestId, response.status(), SimJson.render(response.body()), response.headers());
  }
}
