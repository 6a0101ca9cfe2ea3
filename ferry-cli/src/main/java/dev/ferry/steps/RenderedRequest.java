package dev.ferry.steps;

import java.util.List;

/**
 * A request as a dry run rendered it, for display. Header values are masked ({@code ***}) except those a step
 * declares itself. Immutable.
 *
 * @param row     the row's number
 * @param step    the step's name
 * @param target  the target's name
 * @param method  the HTTP method
 * @param url     the full URL (base URL, path and query)
 * @param headers header name and shown value pairs
 * @param body    JSON body, or null
 */
public record RenderedRequest(long row, String step, String target, String method, String url,
    List<String[]> headers, String body) {
  public RenderedRequest {
    headers = List.copyOf(headers);
  }

  /** {@code POST http://host/crm/contacts {"external_id":"c1"}}. */
  @Override
  public String toString() {
    return method + " " + url + (body == null ? "" : " " + body);
  }
}
