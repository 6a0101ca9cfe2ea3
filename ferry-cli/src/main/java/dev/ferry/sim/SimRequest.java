package dev.ferry.sim;

import com.sun.net.httpserver.Headers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an HTTP request the endpoints use. Immutable.
 *
 * @param segments the path split at {@code /} and percent-decoded ({@code +} stays {@code +})
 * @param query the query parameters, form-decoded ({@code +} is a space, so send {@code %2B}); first value wins
 * @param headers the request headers (names case-insensitive); not to be changed
 */
record SimRequest(String method, List<String> segments, Map<String, String> query, byte[] body, Headers headers) {

  SimRequest(String method, List<String> segments, Map<String, String> query, byte[] body) {
    this(method, segments, query, body, new Headers());
  }

  /** The first value of a header, or null. */
  String header(String name) {
    return headers.getFirst(name);
  }

  String queryParameter(String name) {
    return query.get(name);
  }

  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String part : (rawPath == null ? "" : rawPath).split("/")) {
      if (!part.isEmpty()) {
        out.add(decode(part.replace("+", "%2B")));
      }
    }
    return List.copyOf(out);
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Map.of();
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!name.isEmpty()) {
        out.putIfAbsent(name, value);
      }
    }
    return Map.copyOf(out);
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a stray '%': take it literally
    }
  }
}
