package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.JobStore;
import dev.ferry.http.CallMetrics;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.spec.ServiceSpec;
import dev.ferry.spec.SpecLoader;
import dev.ferry.store.JobStores;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.testing.Repo;
import dev.ferry.testing.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two {@code ferry serve} replicas (in process) share one queue in PostgreSQL: deliveries to either are stored once,
 * a redelivery to the other replica is recognised, every page is indexed once. CI=true: no PostgreSQL fails.
 */
class ServiceReplicasTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "whsec-replicas";
  private final List<AutoCloseable> open = new ArrayList<>();
  private TestPostgres.Schema schema;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    if (schema != null) schema.drop();
  }

  @Test
  void replicasShareOneQueue() throws Exception {
    schema = TestPostgres.freshSchema("serve");
    SimServer sim = SimServer.start(SimConfig.builder().port(0).build());
    open.add(sim);
    Map<String, String> env = new HashMap<>(Map.of("WEBHOOK_SECRET", SECRET, "EMBEDDINGS_URL", sim.baseUrl() + "/v1",
        "EMBEDDINGS_API_KEY", "sk-test", "QDRANT_URL", sim.baseUrl().toString(), "QDRANT_COLLECTION", "pages"));
    Path file = Repo.path("examples/webhook-indexer/service.yaml");
    ServiceSpec spec = SpecLoader.parseService(file.toString(), Files.readString(file), env, Path.of(""));
    List<Service> replicas = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      JobStore store = JobStores.open(schema.url());
      open.add(store);
      SqlWorkQueue queue = SqlWorkQueue.open(schema.url(), spec.serve().queue());
      open.add(queue);
      Service s = Service.start(spec, store, queue, new Service.Options(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "replica-" + r, MetricsRecorder.none(),
          () -> "", new CallMetrics(), Duration.ofSeconds(10)));
      open.add(() -> {
        s.stop(Duration.ofSeconds(10));
        s.close();
      });
      replicas.add(s);
    }
    HttpClient http = HttpClient.newHttpClient();
    int pages = 20;
    for (int i = 0; i < pages; i++) {
      byte[] body = JSON.writeValueAsBytes(Map.of("type", "crawl.page", "webhookId", "w" + i, "data",
          List.of(Map.of("markdown", "page " + i, "metadata", Map.of("sourceURL", "https://x.example/" + i)))));
      String sig = SignatureCheck.sign(SECRET, "sha256=", body);
      assertThat(post(http, replicas.get(i % 2), body, sig)).isEqualTo(202);
      assertThat(post(http, replicas.get((i + 1) % 2), body, sig)).isEqualTo(200); // the other replica knows it
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (sim.stats().points().points() < pages && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(sim.stats().points().points()).isEqualTo(pages);
    assertThat(sim.stats().points().rewrites()).isZero();
  }

  private static int post(HttpClient http, Service s, byte[] body, String sig) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + s.address().getPort() + "/webhooks/firecrawl");
    return http.send(HttpRequest.newBuilder(uri).header("X-Firecrawl-Signature", sig)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
