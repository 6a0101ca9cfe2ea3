package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.ChildFerry;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.testing.PrometheusText;
import dev.ferry.testing.Repo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/webhook-indexer end to end, against the simulator (embeddings and points): a sender signs Firecrawl
 * crawl.page deliveries and redelivers each until acknowledged; {@code ferry serve} is killed with SIGKILL mid-stream
 * and started again; every acknowledged page ends indexed exactly once, with its own markdown's vector.
 */
class WebhookIndexerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "whsec-test-0123456789";
  private static final Path SPEC = Repo.path("examples/webhook-indexer/service.yaml").toAbsolutePath();
  private static final Pattern LISTENING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)");
  private static final int PAGES = 60;

  @TempDir
  Path dir;
  SimServer sim;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final List<ChildFerry> children = new ArrayList<>();

  @BeforeEach
  void startSim() {
    // calls take a while, so the SIGKILL finds items in flight
    sim = SimServer.start(SimConfig.builder().port(0).latency(Duration.ofMillis(100)).build());
  }

  @AfterEach
  void stop() {
    for (ChildFerry c : children) c.process.destroyForcibly();
    sim.close();
  }

  private Map<String, String> env(Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("WEBHOOK_SECRET", SECRET);
    env.put("EMBEDDINGS_URL", sim.baseUrl() + "/v1");
    env.put("EMBEDDINGS_API_KEY", "sk-test");
    env.put("QDRANT_URL", sim.baseUrl().toString());
    env.put("QDRANT_COLLECTION", "pages");
    env.put("PORT", "0");
    env.put("LEASE", "3s"); // the killed process's claims come back within the test
    env.putAll(more);
    return env;
  }

  private record Running(ChildFerry child, int port) {}

  private Running serve(String name, Path state, Map<String, String> env) throws Exception {
    ChildFerry c = ChildFerry.start(dir, name, env, List.of(), List.of(),
        List.of("serve", SPEC.toString(), "--checkpoint-dir", state.toString()));
    children.add(c);
    int[] port = new int[1];
    c.await("listening", Duration.ofSeconds(60), () -> {
      Matcher m = LISTENING.matcher(read(dir.resolve(name + ".err")));
      if (!m.find()) return false;
      port[0] = Integer.parseInt(m.group(1));
      return true;
    });
    return new Running(c, port[0]);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  static String url(int i) {
    return "https://docs.example/page/" + i;
  }

  static String markdown(int i) {
    return "# Page " + i + "\n\nThe page number " + i + " says " + "something ".repeat(i % 7 + 1);
  }

  static byte[] delivery(int i) throws IOException {
    Map<String, Object> page = Map.of("markdown", markdown(i), "metadata",
        Map.of("sourceURL", url(i), "title", "Page " + i, "statusCode", 200));
    return JSON.writeValueAsBytes(Map.of("success", true, "type", "crawl.page", "id", "crawl-1",
        "webhookId", "delivery-" + i, "data", List.of(page)));
  }

  static String sign(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private HttpResponse<String> post(int port, byte[] body, String signature) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/firecrawl"))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signature != null) b.header("X-Firecrawl-Signature", signature);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Sends page i until a 2xx; a refused connection or a 503 is tried again, as Firecrawl redelivers. */
  private int deliverUntilAcknowledged(java.util.function.IntSupplier port, int i) throws Exception {
    byte[] body = delivery(i);
    String sig = sign(body);
    for (int attempt = 0; attempt < 2000; attempt++) {
      try {
        int status = post(port.getAsInt(), body, sig).statusCode();
        if (status / 100 == 2) return status;
        assertThat(status).as("page %d", i).isEqualTo(503);
      } catch (IOException e) {
        // the service is down (killed, restarting): redeliver
      }
      Thread.sleep(20);
    }
    throw new AssertionError("page " + i + " never acknowledged");
  }

  @Test
  void everyAcknowledgedPageIsIndexedExactlyOnceAcrossASigkill() throws Exception {
    Path state = dir.resolve("state");
    Map<String, String> env = env(Map.of());
    Running first = serve("first", state, env);
    int[] port = {first.port()};

    // a bad signature, or none: 401, never stored (the same delivery signed is stored afterwards)
    assertThat(post(port[0], delivery(0), "sha256=" + "0".repeat(64)).statusCode()).isEqualTo(401);
    assertThat(post(port[0], delivery(0), null).statusCode()).isEqualTo(401);
    assertThat(deliverUntilAcknowledged(() -> port[0], 0)).isEqualTo(202);
    // a redelivery of an acknowledged page: acknowledged again, not stored twice
    assertThat(post(port[0], delivery(0), sign(delivery(0))).statusCode()).isEqualTo(200);
    // other event types are acknowledged and dropped
    byte[] started = JSON.writeValueAsBytes(Map.of("success", true, "type", "crawl.started", "id", "crawl-1",
        "webhookId", "started-1", "data", List.of()));
    assertThat(post(port[0], started, sign(started)).statusCode()).isEqualTo(200);

    for (int i = 1; i < PAGES / 2; i++) deliverUntilAcknowledged(() -> port[0], i);
    first.child().await("items in flight", Duration.ofSeconds(30), () -> inFlight(port[0]) > 0);
    first.child().process.destroyForcibly(); // SIGKILL mid-stream: claims in flight are lost with the process
    first.child().process.waitFor();
    Thread sender = Thread.ofPlatform().start(() -> {
      try {
        for (int i = PAGES / 2; i < PAGES; i++) deliverUntilAcknowledged(() -> port[0], i);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Running second = serve("second", state, env);
    port[0] = second.port();
    sender.join();
    for (int i = 0; i < PAGES; i++) {
      assertThat(post(port[0], delivery(i), sign(delivery(i))).statusCode()).as("redelivery %d", i).isEqualTo(200);
    }

    second.child().await("every page indexed", Duration.ofSeconds(120),
        () -> sim.stats().points().points() >= PAGES && queueSettled(port[0]));
    var points = sim.stats().points();
    assertThat(points.points()).isEqualTo(PAGES);
    assertThat(points.written() - points.rewrites()).isEqualTo(PAGES);
    // a rewrite is a page whose claim died with the killed process: at most what it had in flight
    assertThat(points.rewrites()).isLessThanOrEqualTo(64);

    for (int i = 0; i < PAGES; i++) {
      String id = uuid5(url(i));
      JsonNode point = JSON.readTree(get(sim.port(), "/collections/pages/points/" + id)).path("result");
      assertThat(point.path("payload").path("url").asText()).isEqualTo(url(i));
      assertThat(point.path("vector")).isEqualTo(embed(markdown(i)));
    }

    PrometheusText metrics = PrometheusText.parse(get(port[0], "/metrics"));
    Map<String, String> queue = Map.of("queue", "webhook-indexer");
    assertThat(metrics.value("ferry_queue_pending", queue)).isZero();
    assertThat(metrics.value("ferry_queue_failed", queue)).isZero();
    assertThat(metrics.value("ferry_concurrency_limit", Map.of("job_id", "webhook-indexer")))
        .as("the drain's target: it follows the queue, up to the spec's 64").isBetween(1.0, 64.0);
    assertThat(metrics.type("ferry_http_request_duration_seconds")).isEqualTo("histogram");
    assertThat(metrics.sum("ferry_rows_total", Map.of("outcome", "done"))).isGreaterThan(0);
    assertThat(get(port[0], "/failed")).isEqualTo("[]");

    second.child().process.destroy(); // SIGTERM: drains, exits 0
    assertThat(second.child().exitCode(Duration.ofSeconds(60))).isZero();
    assertThat(read(dir.resolve("second.err"))).contains("stopped").doesNotContain(SECRET)
        .contains("ferry: SIGTERM: stopping: new deliveries get 503; items in flight may settle within --drain-timeout"
            + " (press Ctrl-C again to stop at once)")
        .as("a service has items, not rows, and no resume").doesNotContain("rows in flight");
  }

  private double inFlight(int port) {
    try {
      return PrometheusText.parse(get(port, "/metrics")).value("ferry_queue_in_flight",
          Map.of("queue", "webhook-indexer"));
    } catch (Exception e) {
      return 0;
    }
  }

  private boolean statusHas(int port, String field) {
    try {
      return JSON.readTree(get(port, "/status")).has(field);
    } catch (Exception e) {
      return false;
    }
  }

  private boolean queueSettled(int port) {
    try {
      PrometheusText m = PrometheusText.parse(get(port, "/metrics"));
      Map<String, String> q = Map.of("queue", "webhook-indexer");
      return m.value("ferry_queue_pending", q) == 0 && m.value("ferry_queue_claimed", q) == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private JsonNode embed(String text) throws Exception {
    String reply = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/embeddings"))
        .header("Authorization", "Bearer sk-test").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
            Map.of("model", "text-embedding-3-small", "input", List.of(text))))).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return JSON.readTree(reply).path("data").get(0).path("embedding");
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterAndAnOversizedBody413() throws Exception {
    // embeddings unreachable: the first page stays in the queue (retried), so the backlog of 1 is full
    Running s = serve("full", dir.resolve("full"), env(Map.of("BACKLOG", "1", "MAX_BODY", "4000",
        "EMBEDDINGS_URL", "http://127.0.0.1:9/v1")));
    assertThat(deliverUntilAcknowledged(s::port, 1)).isEqualTo(202);
    HttpResponse<String> full = post(s.port(), delivery(2), sign(delivery(2)));
    assertThat(full.statusCode()).isEqualTo(503);
    assertThat(full.headers().firstValue("Retry-After")).hasValue("5");
    // a redelivery of what is stored is still acknowledged
    assertThat(post(s.port(), delivery(1), sign(delivery(1))).statusCode()).isEqualTo(200);
    byte[] big = new byte[5000];
    java.util.Arrays.fill(big, (byte) ' ');
    assertThat(post(s.port(), big, sign(big)).statusCode()).isEqualTo(413);
    assertThat(get(s.port(), "/readyz")).startsWith("ready");
    assertThat(get(s.port(), "/healthz")).startsWith("ok");
    s.child().process.destroy();
    assertThat(s.child().exitCode(Duration.ofSeconds(60))).isZero();
  }

  @Test
  void aTargetDownFromTheStartLosesNothing_itsItemsWaitAndRunOnceWhenItComesUp() throws Exception {
    // Given a service whose targets listen on a port where nothing listens yet
    int closed;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = probe.getLocalPort();
    }
    String down = "http://127.0.0.1:" + closed;
    Running s = serve("down", dir.resolve("down"), env(Map.of("EMBEDDINGS_URL", down + "/v1", "QDRANT_URL", down)));

    // When signed pages are delivered while the target refuses connections
    for (int i = 0; i < 10; i++) assertThat(deliverUntilAcknowledged(s::port, i)).isEqualTo(202);
    s.child().await("the outage shown", Duration.ofSeconds(30),
        () -> statusHas(s.port(), "target_unusable"));

    // Then nothing fails, /readyz still takes deliveries and says why the drain waits, /status shows the outage
    JsonNode status = JSON.readTree(get(s.port(), "/status"));
    assertThat(status.path("state").asText()).isEqualTo("target unusable");
    assertThat(status.path("target_unusable").path("reason").asText()).contains("127.0.0.1:" + closed);
    assertThat(status.path("failed").asLong()).isZero();
    assertThat(status.path("pending").asLong() + status.path("claimed").asLong()).isEqualTo(10);
    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
        + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("target unusable");

    // When the target comes up on that port
    sim.close();
    sim = SimServer.start(SimConfig.builder().port(closed).build());
    for (int i = 10; i < 20; i++) deliverUntilAcknowledged(s::port, i);

    // Then every page is indexed once, nothing failed, and the outage is over
    s.child().await("every page indexed", Duration.ofSeconds(120),
        () -> sim.stats().points().points() >= 20 && queueSettled(s.port()));
    assertThat(sim.stats().points().points()).isEqualTo(20);
    assertThat(sim.stats().points().rewrites()).isZero();
    assertThat(get(s.port(), "/failed")).isEqualTo("[]");
    JsonNode after = JSON.readTree(get(s.port(), "/status"));
    assertThat(after.path("state").asText()).isEqualTo("ready");
    assertThat(after.has("target_unusable")).isFalse();
    assertThat(get(s.port(), "/readyz")).isEqualTo("ready\n");
    s.child().process.destroy();
    assertThat(s.child().exitCode(Duration.ofSeconds(60))).isZero();
  }

  /** RFC 4122 version 5 in the URL namespace, written out here to check ferry's uuid5() independently. */
  static String uuid5(String name) throws Exception {
    java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
    sha1.update(HexFormat.of().parseHex("6ba7b8119dad11d180b400c04fd430c8"));
    byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    h[6] = (byte) ((h[6] & 0x0f) | 0x50);
    h[8] = (byte) ((h[8] & 0x3f) | 0x80);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h, 0, 16);
    return new UUID(b.getLong(), b.getLong()).toString();
  }
}
