package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.JobStore;
import dev.ferry.http.CallMetrics;
import dev.ferry.service.Service;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.spec.ServiceSpec;
import dev.ferry.spec.SpecLoader;
import dev.ferry.store.JobStores;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.store.WorkQueue;
import dev.ferry.testing.Repo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry status --serve URL} against a running service (the webhook indexer example on the simulator): the
 * text and the JSON of its {@code /status}, and the errors (not a URL, nothing listening, a JOB as well).
 */
class StatusServeCliTest {
  private static final String SECRET = "whsec-status";
  private static final String ADMIN_TOKEN = "adm-status-7";
  private static final Map<String, String> ADMIN = Map.of("FERRY_ADMIN_TOKEN", ADMIN_TOKEN);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void aRunningServiceShowsItsQueueConcurrencyRatesTargetsAndFailedItems() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).build())) {
      Map<String, String> env = Map.of("WEBHOOK_SECRET", SECRET, "EMBEDDINGS_URL", sim.baseUrl() + "/v1",
          "EMBEDDINGS_API_KEY", "sk-status-123", "QDRANT_URL", sim.baseUrl().toString(), "QDRANT_COLLECTION", "pages",
          "ADMIN_TOKEN", ADMIN_TOKEN);
      Path file = Repo.path("examples/webhook-indexer/service.yaml");
      ServiceSpec spec = SpecLoader.parseService(file.toString(), Files.readString(file), env, Path.of(""));
      String db = dir.resolve("ferry.db").toString();
      try (JobStore store = JobStores.open(db); SqlWorkQueue queue = SqlWorkQueue.open(db, spec.serve().queue())) {
        // one item that failed for good before this process started
        queue.offer("/webhooks/firecrawl old", List.of("{\"markdown\":\"x\"}"), 0, 100);
        WorkQueue.QueueItem old = queue.claim("gone", 1, 0, 1000).get(0);
        queue.fail(old.id(), "gone", "embed: 400 invalid_request_error input too long", 1);
        Service service = Service.start(spec, store, queue, new Service.Options(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "status-test", MetricsRecorder.none(),
            () -> "", new CallMetrics(), Duration.ofSeconds(10)));
        try {
          String url = "http://127.0.0.1:" + service.address().getPort();
          HttpClient http = HttpClient.newHttpClient();
          for (int i = 0; i < 3; i++) assertThat(deliver(http, url, i)).isEqualTo(202);
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (queue.stats(System.currentTimeMillis()).done() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the simulator answers in its own time
          }

          CliRun refused = CliRun.run(Map.of(), "status", "--serve", url);
          assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
          assertThat(refused.err()).contains("answered 401 (the service needs its admin token: set FERRY_ADMIN_TOKEN)");
          CliRun text = CliRun.run(ADMIN, "status", "--serve", url);
          assertThat(text.exit()).as(text.toString()).isZero();
          assertThat(text.out()).contains("service     queue webhook-indexer at " + url + " (ready)")
              .contains("queue       0 waiting (0 pending + 0 claimed; deliveries refused with 503 from 10,000 waiting)")
              .contains("settled     3 done, 1 failed")
              .containsPattern("in flight   0 of \\d+ slots \\(follows the queue, at most \\d+ now: the adaptive limit, up to 64\\)")
              .containsPattern("rates       \\d+\\.\\d\\d in/s; \\d+\\.\\d\\d done/s, 0\\.00 failed/s")
              .contains("targets     embeddings ", "qdrant no pace")
              .contains("after 1 attempt(s): embed: 400 invalid_request_error input too long")
              .doesNotContain("sk-status-123", SECRET, ADMIN_TOKEN);

          CliRun json = CliRun.run(ADMIN, "status", "--serve", url + "/", "--json");
          assertThat(json.exit()).as(json.toString()).isZero();
          JsonNode s = JSON.readTree(json.out());
          assertThat(s.path("state").asText()).isEqualTo("ready");
          assertThat(s.path("done").asLong()).isEqualTo(3);
          assertThat(s.path("failed").asLong()).isEqualTo(1);
          assertThat(s.path("backlog").asLong()).isZero();
          assertThat(s.path("concurrency_limit").asInt()).as("the adaptive limit").isBetween(4, 64);
          assertThat(s.path("concurrency_max").asInt()).as("the spec's concurrency").isEqualTo(64);
          assertThat(s.path("concurrency").asInt()).isBetween(1, 64);
          assertThat(s.path("rates").path("done_per_second").asDouble()).isPositive();
          assertThat(s.path("rates").path("received_per_second").asDouble()).isPositive();
          assertThat(s.path("targets").findValuesAsText("name")).containsExactly("embeddings", "qdrant");
          assertThat(s.path("failed_items").get(0).path("delivery_id").asText()).isEqualTo("/webhooks/firecrawl old");
        } finally {
          service.stop(Duration.ofSeconds(10));
          service.close();
        }
      }
    }
  }

  @Test
  void notAUrlIsAUsageErrorAndNoServiceIsExitOne() throws Exception {
    CliRun ftp = CliRun.run(Map.of(), "status", "--serve", "ftp://127.0.0.1:1");
    assertThat(ftp.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(ftp.err()).contains("--serve: 'ftp://127.0.0.1:1' is not an http(s) URL");
    CliRun withJob = CliRun.run(Map.of(), "status", "J1", "--serve", "http://127.0.0.1:1");
    assertThat(withJob.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(withJob.err()).contains("drop JOB");
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    CliRun none = CliRun.run(Map.of(), "status", "--serve", "http://127.0.0.1:" + port);
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("cannot reach the service at http://127.0.0.1:" + port + "/");
  }

  @Test
  void anotherProgramsStatusIsNotAFerryServiceAndExitsOne() throws Exception {
    // Given another program on the port, whose own /status answers 200 with JSON (not ferry's)
    HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    other.createContext("/status", exchange -> {
      byte[] body = "{\"status\":\"ok\",\"uptime\":12}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    other.start();
    try {
      String url = "http://127.0.0.1:" + other.getAddress().getPort();

      // When
      CliRun text = CliRun.run(Map.of(), "status", "--serve", url);
      CliRun json = CliRun.run(Map.of(), "status", "--serve", url, "--json");

      // Then: not printed as an empty service with exit 0, but said, exit 1 (docs/SERVE.md: "not a ferry service")
      for (CliRun run : List.of(text, json)) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains(url + "/status answered JSON without 'queue' and 'state': not a 'ferry serve'");
        assertThat(run.out()).doesNotContain("service     queue");
      }
    } finally {
      other.stop(0);
    }
  }

  private static int deliver(HttpClient http, String url, int i) throws Exception {
    byte[] body = JSON.writeValueAsBytes(Map.of("type", "crawl.page", "webhookId", "w" + i, "data",
        List.of(Map.of("markdown", "page " + i, "metadata", Map.of("sourceURL", "https://x.example/" + i)))));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    return http.send(HttpRequest.newBuilder(URI.create(url + "/webhooks/firecrawl"))
        .header("X-Firecrawl-Signature", sig).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
