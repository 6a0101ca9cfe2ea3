package dev.ferry.peers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every Java peer shares, kept as small as a hand-written import script would keep it: flags, one
 * {@link HttpClient} (HTTP/1.1, as ferry uses), the JSON body of a row, the POST with Retry-After on 429, a
 * pacing limiter, counters and the one-line JSON report. Threadsafe where used from several threads (the
 * client, {@link Pacer}, {@link Counters}).
 *
 * <p>The peers read the CSV written by {@code ferry generate-users --orgs 0}: header
 * {@code email,first_name,last_name,email_verified,external_id}, no quoted fields.
 */
final class PeerSupport {
  static final String PATH = "/user_management/users";

  private PeerSupport() {}

  /** {@code --name value} pairs. */
  static Map<String, String> flags(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      m.put(args[i].substring(2), args[i + 1]);
    }
    for (String required : new String[] {"csv", "url", "concurrency"}) {
      if (!m.containsKey(required)) throw new IllegalArgumentException("missing --" + required);
    }
    return m;
  }

  /** Requests per second from {@code --rate}; 0 for none. */
  static double rate(Map<String, String> flags) {
    String r = flags.getOrDefault("rate", "none");
    return r.equals("none") ? 0 : Double.parseDouble(r);
  }

  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  static String apiKey() {
    String k = System.getenv("WORKOS_SECRET_KEY");
    return k == null || k.isEmpty() ? "sk_test_x" : k;
  }

  /** The create-user body of one CSV line (fields: email, first_name, last_name, email_verified, external_id). */
  static String jsonOfLine(String line) {
    String[] f = line.split(",", -1);
    return json(f[0], f[1], f[2], f[3], f[4]);
  }

  static String json(String email, String firstName, String lastName, String emailVerified, String externalId) {
    StringBuilder b = new StringBuilder(160);
    b.append("{\"email\":");
    quote(b, email);
    if (!firstName.isEmpty()) quote(b.append(",\"first_name\":"), firstName);
    if (!lastName.isEmpty()) quote(b.append(",\"last_name\":"), lastName);
    if (!emailVerified.isEmpty()) b.append(",\"email_verified\":").append(Boolean.parseBoolean(emailVerified.toLowerCase(Locale.ROOT)));
    if (!externalId.isEmpty()) quote(b.append(",\"external_id\":"), externalId);
    return b.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"');
  }

  /**
   * POSTs one body; on 429 sleeps the Retry-After (default 1 s) and tries again, up to 20 times. Counts the
   * outcome in {@code counters}.
   */
  static void post(HttpClient client, URI uri, String key, String body, Pacer pacer, Counters counters)
      throws InterruptedException {
    post(client, uri, key, body, null, pacer, counters);
  }

  /** The same, with an {@code Idempotency-Key} header when {@code idempotencyKey} is not null. */
  static void post(HttpClient client, URI uri, String key, String body, String idempotencyKey, Pacer pacer,
      Counters counters) throws InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json");
    if (idempotencyKey != null) builder.header("Idempotency-Key", idempotencyKey);
    HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    for (int attempt = 0; ; attempt++) {
      pacer.acquire();
      HttpResponse<String> r;
      try {
        r = client.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (counters.errors.sum() < 3) System.err.println("peer: " + uri + ": " + e);
        counters.errors.increment();
        return;
      }
      int s = r.statusCode();
      if (s == 429 && attempt < 20) {
        counters.rateLimited.increment();
        long wait = r.headers().firstValue("Retry-After").map(v -> (long) (Double.parseDouble(v) * 1000)).orElse(1000L);
        Thread.sleep(wait);
        continue;
      }
      if (s / 100 == 2) counters.ok.increment();
      else counters.errors.increment();
      return;
    }
  }

  /** Counts of finished rows. Threadsafe. */
  static final class Counters {
    final LongAdder ok = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder errors = new LongAdder();
  }

  /**
   * Spaces permits exactly {@code 1/rate} apart (no burst); a no-op without a rate. Threadsafe: the schedule is
   * reserved under the lock, the wait happens outside it.
   */
  static final class Pacer {
    private final long intervalNanos;
    private long next;

    Pacer(double perSecond) {
      this.intervalNanos = perSecond > 0 ? (long) (1e9 / perSecond) : 0;
    }

    void acquire() throws InterruptedException {
      if (intervalNanos == 0) return;
      long wait;
      synchronized (this) {
        long now = System.nanoTime();
        long slot = Math.max(now, next);
        next = slot + intervalNanos;
        wait = slot - now;
      }
      if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
    }
  }

  /** Prints the one-line JSON report. */
  static void report(String peer, long rows, long startNanos, Counters c) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf(Locale.ROOT,
        "{\"peer\":\"%s\",\"rows\":%d,\"ok\":%d,\"rate_limited\":%d,\"errors\":%d,\"seconds\":%.3f,\"rows_per_s\":%.1f}%n",
        peer, rows, c.ok.sum(), c.rateLimited.sum(), c.errors.sum(), seconds, rows / seconds);
  }
}
