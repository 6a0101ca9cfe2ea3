package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code ferry status --serve URL}: reads a running service's {@code GET /status} (docs/SERVE.md, "Status") and prints
 * it as text, or as the JSON it is. Stateless; one request per call.
 */
final class ServeStatus {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private ServeStatus() {}

  /** Where {@code ferry status --serve} reads the service's admin token from (spec: {@code serve.admin_token}). */
  static final String ADMIN_TOKEN_ENV = "FERRY_ADMIN_TOKEN";

  /**
   * The service's status; a URL that is not http(s) is a usage error, a service that does not answer exit 1.
   *
   * @param adminToken sent as a bearer token when set (a service with {@code serve.admin_token} requires it)
   */
  static JsonNode fetch(String url, String adminToken) throws InterruptedException {
    URI uri = statusUri(url);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
    if (adminToken != null && !adminToken.isBlank()) builder.header("Authorization", "Bearer " + adminToken.strip());
    HttpRequest request = builder.GET().build();
    HttpResponse<String> answer;
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
      answer = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new ExitException(ExitCodes.ROWS_FAILED, "cannot reach the service at " + uri.resolve("/")
          + " (is 'ferry serve' running there?)");
    } catch (HttpTimeoutException e) {
      throw new ExitException(ExitCodes.ROWS_FAILED, "the service at " + uri.resolve("/") + " did not answer within "
          + TIMEOUT.toSeconds() + "s");
    } catch (IOException e) {
      throw new ExitException(ExitCodes.ROWS_FAILED, "cannot read " + uri + ": " + e.getMessage());
    }
    if (answer.statusCode() != 200) {
      throw new ExitException(ExitCodes.ROWS_FAILED, uri + " answered " + answer.statusCode()
          + (answer.statusCode() == 404 ? " (not a ferry service, or one older than /status)"
          : answer.statusCode() == 401 ? " (the service needs its admin token: set " + ADMIN_TOKEN_ENV + ")" : ""));
    }
    JsonNode status;
    try {
      status = JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new ExitException(ExitCodes.ROWS_FAILED, uri + " did not answer JSON");
    }
    // another program's /status (many have one) answers 200 with JSON too: without a ferry service's two fields it
    // would print as an empty service of no queue, exit 0
    if (status == null || !status.path("queue").isTextual() || !status.path("state").isTextual()) {
      throw new ExitException(ExitCodes.ROWS_FAILED, uri + " answered JSON without 'queue' and 'state': not a"
          + " 'ferry serve' (another program on that port?)");
    }
    return status;
  }

  /** {@code URL}/status: the service's base URL (a path, if any, is replaced). */
  static URI statusUri(String url) {
    try {
      URI base = new URI(url.strip());
      String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
        throw RunFlags.usage("--serve: '" + url + "' is not an http(s) URL of a running 'ferry serve'"
            + " (e.g. http://127.0.0.1:8080)");
      }
      return base.resolve("/status");
    } catch (URISyntaxException e) {
      throw RunFlags.usage("--serve: '" + url + "' is not a URL (e.g. http://127.0.0.1:8080)");
    }
  }

  /** The status as a few aligned lines. */
  static void print(JsonNode s, String url, PrintWriter out) {
    out.printf("service     queue %s at %s (%s)%n", s.path("queue").asText(), url, s.path("state").asText());
    JsonNode u = s.path("target_unusable");
    if (u.isObject()) {
      out.printf("unusable    %s (for %s, %d probe(s), next in %s; items wait in the queue)%n", u.path("reason").asText(),
          seconds(u.path("for_seconds").asDouble()), u.path("probes").asInt(),
          seconds(u.path("next_probe_in_seconds").asDouble()));
    }
    if (s.has("backlog")) {
      long backlog = s.path("backlog").asLong();
      out.printf("queue       %,d waiting (%,d pending + %,d claimed; deliveries refused with 503 from %,d"
          + " waiting)%s%n", backlog, s.path("pending").asLong(), s.path("claimed").asLong(), s.path("backlog_limit").asLong(),
          backlog == 0 ? "" : ", oldest " + seconds(s.path("oldest_age_seconds").asDouble()));
      out.printf("settled     %,d done, %,d failed (done: within the dedupe window)%n", s.path("done").asLong(),
          s.path("failed").asLong());
    }
    out.printf("in flight   %,d of %,d slots (follows the queue, at most %,d now: the adaptive limit, up to %,d)%n",
        s.path("in_flight").asLong(), s.path("concurrency").asLong(), s.path("concurrency_limit").asLong(),
        s.path("concurrency_max").asLong());
    JsonNode r = s.path("rates");
    out.printf("rates       %s in/s; %s done/s, %s failed/s, %s retried/s (this process, last %s)%n",
        rate(r.path("received_per_second")), rate(r.path("done_per_second")), rate(r.path("failed_per_second")),
        rate(r.path("retried_per_second")), seconds(r.path("window_seconds").asDouble()));
    StringBuilder targets = new StringBuilder();
    for (JsonNode t : s.path("targets")) {
      if (!targets.isEmpty()) targets.append(", ");
      JsonNode pace = t.path("pace_per_second");
      targets.append(t.path("name").asText()).append(' ')
          .append(pace.isNumber() ? rate(pace) + "/s" : "no pace");
    }
    if (!targets.isEmpty()) out.printf("targets     %s%n", targets);
    JsonNode failed = s.path("failed_items");
    if (!failed.isEmpty()) {
      out.printf("failed      the oldest %d ('ferry serve SPEC --list-failed' lists all, '--redrive' retries them):%n",
          failed.size());
      for (JsonNode f : failed) {
        out.printf("            #%d %s [%d] after %d attempt(s): %s%n", f.path("id").asLong(),
            f.path("delivery_id").asText(), f.path("index").asInt(), f.path("attempts").asInt(),
            f.path("reason").asText());
      }
    }
    out.flush();
  }

  private static String rate(JsonNode n) {
    return String.format(Locale.ROOT, "%.2f", n.asDouble());
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, s < 10 ? "%.1f s" : "%.0f s", s);
  }
}
