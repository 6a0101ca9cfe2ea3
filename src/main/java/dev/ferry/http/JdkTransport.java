package dev.ferry.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@link Transport} over the JDK {@code HttpClient} (HTTP/1.1, no redirects): ferry's transport before
 * {@link Http1Transport}, kept reachable with {@code -Dferry.http=jdk}. Threadsafe: the client is.
 */
final class JdkTransport implements Transport {
  private final String origin;
  private final HttpClient client;

  JdkTransport(URI base, Duration connectTimeout) {
    this.origin = base.getScheme() + "://" + base.getRawAuthority();
    this.client = HttpClients.forTarget(base, connectTimeout);
  }

  @Override
  public Reply send(String method, String pathAndQuery, String[] headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(origin + pathAndQuery)).timeout(timeout);
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i + 1] != null) rb.header(headers[i], headers[i + 1]);
    }
    rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    java.util.List<String> rate = new java.util.ArrayList<>();
    r.headers().map().forEach((name, values) -> {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (RateLimitHeaders.wanted(lower) && !values.isEmpty()) {
        rate.add(lower);
        rate.add(values.get(0));
      }
    });
    return new Reply(r.statusCode(), r.body(), r.headers().firstValue("X-Request-ID").orElse(""),
        r.headers().firstValue("Retry-After").orElse(null), rate, false);
  }

  @Override
  public void close() {
    client.close();
  }
}
