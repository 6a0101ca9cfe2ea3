package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ChildFerry;
import dev.ferry.core.limit.TokenEstimate;
import dev.ferry.sim.EmbeddingStats;
import dev.ferry.sim.EmbeddingsSettings;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimEmbedding;
import dev.ferry.sim.SimServer;
import dev.ferry.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/rag-migration/} as its README runs it: the example's {@code job.yaml} run by a child {@code ferry
 * run} over real HTTP against the simulator's embeddings (RPM and TPM limits, learned from its headers) and points
 * APIs, reading a real PostgreSQL table; killed with SIGKILL once some points are written, then {@code ferry resume}.
 * Each document ends with exactly its own content's vector in exactly one point, the documents over the model's
 * context fail alone, and the documents embedded twice are at most those the ledger did not know at the kill.
 */
class RagMigrationExampleTest {
  static final Path EXAMPLE = Path.of("examples/rag-migration");
  static final String MODEL = "text-embedding-3-small";
  static final int DOCS = 400;
  static final Set<Integer> OVERSIZED = Set.of(7, 233);
  static final int WORKERS = 2;
  static final int CONCURRENCY = 8;

  @TempDir
  Path dir;
  SimServer sim;
  TestPostgres.Schema schema;
  Process child;

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      child.waitFor();
    }
    if (sim != null) sim.close();
    if (schema != null) schema.drop();
  }

  /** Document {@code i}'s text; an oversized one is over the simulator's 8,191-token context (bytes / 4). */
  static String content(int i) {
    if (OVERSIZED.contains(i)) return "far too long for one embedding ".repeat(2000);
    return "Document " + i + " is about topic " + (i % 17) + ". " + ("Lorem ipsum dolor sit amet " + i + ". ")
        .repeat(1 + i % 9);
  }

  static void fill(String url, int n) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      c.createStatement().execute("CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL,"
          + " content text NOT NULL)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO documents VALUES (?, ?, ?)")) {
        for (int i = 1; i <= n; i++) {
          ps.setLong(1, i);
          ps.setString(2, "Title " + i);
          ps.setString(3, content(i));
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    // as platforms write DATABASE_URL (a jdbc:postgresql:// URL works as well)
    env.put("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?currentSchema=" + schema.name());
    env.put("EMBEDDINGS_URL", sim.baseUrl() + "/v1");
    env.put("EMBEDDINGS_API_KEY", "sk-test-rag-migration");
    env.put("QDRANT_URL", sim.baseUrl().toString());
    env.put("QDRANT_COLLECTION", "docs");
    return env;
  }

  @Test
  void everyDocumentHasItsOwnVectorOnceAcrossKillNineAndResume() throws Exception {
    // Given 400 documents in PostgreSQL (2 over the model's context) and an embeddings API limited per minute in
    // one-second windows, stating its limits in OpenAI's x-ratelimit-* headers
    schema = TestPostgres.freshSchema("rag");
    fill(schema.url(), DOCS);
    sim = SimServer.start(SimConfig.builder().port(0).latency(Duration.ofMillis(5)).seed(2)
        .embeddings(EmbeddingsSettings.builder().requestsPerMinute(3_000).tokensPerMinute(240_000)
            .window(Duration.ofSeconds(1)).build())
        .build());
    Path state = dir.resolve("state");

    // When a child runs the example and is killed once a quarter of the points are written
    ChildFerry ferry = ChildFerry.start(dir, "rag", env(), List.of(), List.of("-XX:+UseSerialGC"),
        List.of("run", EXAMPLE.resolve("job.yaml").toAbsolutePath().toString(), "--job-id", "rag", "--checkpoint-dir",
            state.toString(), "--quiet", "--workers", String.valueOf(WORKERS), "--concurrency",
            String.valueOf(CONCURRENCY), "--chunk-size", "100"));
    child = ferry.process;
    ferry.await("a quarter of the points", Duration.ofSeconds(60), () -> sim.stats().points().points() >= DOCS / 4);
    child.destroyForcibly();
    child.waitFor();
    EmbeddingStats atKill = sim.stats().embeddings();
    assertThat(sim.stats().points().points()).isLessThan(DOCS - OVERSIZED.size());
    Ferry.Run status = Ferry.run(Map.of(), "status", "rag", "--json", "--checkpoint-dir", state.toString());
    long doneAtKill = status.outJson().path("done").asLong();

    // And it is resumed
    Ferry.Run run = Ferry.run(env(), "resume", "rag", "--checkpoint-dir", state.toString(), "--quiet", "--json",
        "--workers", String.valueOf(WORKERS), "--concurrency", String.valueOf(CONCURRENCY));

    // Then the job finished with the oversized documents failed alone, with the API's message
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode report = run.outJson();
    int good = DOCS - OVERSIZED.size();
    assertThat(report.path("status").asText()).isEqualTo("finished");
    assertThat(report.path("done").asLong()).isEqualTo(good);
    assertThat(report.path("failed").asLong()).isEqualTo(OVERSIZED.size());
    String errors = Files.readString(state.resolve("jobs/rag/errors.csv"));
    assertThat(errors.lines().skip(1).filter(l -> !l.isBlank())).hasSize(OVERSIZED.size())
        .allSatisfy(l -> assertThat(l).contains("embed").containsIgnoringCase("maximum context length"));
    assertThat(errors).doesNotContain("sk-test-rag-migration").startsWith("ferry_line,ferry_step,ferry_http_status,"
        + "ferry_code,ferry_message,ferry_request_id,ferry_secret_omitted,record");

    // And each good document is exactly one point holding its own content's vector and its payload
    Map<Long, JsonNode> points = points();
    assertThat(points).hasSize(good);
    for (int i = 1; i <= DOCS; i++) {
      JsonNode p = points.get((long) i);
      if (OVERSIZED.contains(i)) {
        assertThat(p).as("oversized document %d", i).isNull();
        continue;
      }
      assertThat(p).as("document %d", i).isNotNull();
      float[] expected = SimEmbedding.vector(MODEL, content(i), 16);
      JsonNode vector = p.path("vector");
      assertThat(vector.size()).isEqualTo(expected.length);
      for (int d = 0; d < expected.length; d++) {
        assertThat(vector.get(d).floatValue()).as("document %d, dimension %d", i, d).isCloseTo(expected[d],
            within(1e-6f));
      }
      assertThat(p.path("payload").path("document_id").asLong()).isEqualTo(i);
      assertThat(p.path("payload").path("title").asText()).isEqualTo("Title " + i);
    }

    // And the APIs show each document embedded once, plus at most the documents the ledger did not know at the kill
    var stats = sim.stats();
    long reEmbedded = stats.embeddings().inputs() - good;
    long unknownAtKill = Math.max(0, atKill.inputs() - doneAtKill);
    assertThat(reEmbedded).as("re-embedded (embedded at the kill %d, done in the ledger %d)", atKill.inputs(),
        doneAtKill).isBetween(0L, unknownAtKill + (long) WORKERS * CONCURRENCY);
    assertThat(stats.points().rewrites()).isLessThanOrEqualTo(reEmbedded);
    long tokens = 0;
    for (int i = 1; i <= DOCS; i++) if (!OVERSIZED.contains(i)) tokens += TokenEstimate.of(content(i));
    assertThat(stats.embeddings().tokens()).isGreaterThanOrEqualTo(tokens);
    // in batches, not one call per document
    assertThat(stats.embeddings().succeeded()).isLessThan(good / 2);
    assertThat(stats.points().upserts()).isLessThan(good / 2);
    System.out.println("rag-migration: " + stats.embeddings() + " " + stats.points() + " doneAtKill=" + doneAtKill
        + " atKill=" + atKill);
  }

  @Test
  void anAccountOutOfQuotaStopsTheJobAtOnceAndAResumeFinishesIt() throws Exception {
    // Given 120 documents and an embeddings account with credit for about 1,500 tokens (some 30 documents)
    schema = TestPostgres.freshSchema("ragq");
    fill(schema.url(), 120);
    sim = SimServer.start(SimConfig.builder().port(0).seed(3)
        .embeddings(EmbeddingsSettings.builder().quotaTokens(1_500).build()).build());
    Path state = dir.resolve("state");
    // When the example runs
    Ferry.Run run = Ferry.run(env(), "run", EXAMPLE.resolve("job.yaml").toString(), "--job-id", "q",
        "--checkpoint-dir", state.toString(), "--json", "--workers", "1", "--concurrency", "8");
    // Then it stops (exit 3) with one line saying why, without the key, and no row failed for it
    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.err()).contains("out of quota (HTTP 429 insufficient_quota)")
        .doesNotContain("sk-test-rag-migration");
    JsonNode report = run.outJson();
    assertThat(report.path("status").asText()).isEqualTo("stopped");
    assertThat(report.path("failed").asLong()).isLessThanOrEqualTo(OVERSIZED.size());
    long refused = sim.stats().embeddings().insufficientQuota();
    assertThat(refused).as("calls refused for quota before the stop").isBetween(1L, 8L);
    long stored = sim.stats().points().points();
    assertThat(stored).isBetween(1L, 119L);

    // When the account is paid (the simulator restarted on its address, without a quota: a fresh store) and the job
    // resumed (the job keeps its URLs)
    int port = sim.baseUrl().getPort();
    sim.close();
    sim = SimServer.start(SimConfig.builder().port(port).seed(4).build());
    Ferry.Run resumed = Ferry.run(env(), "resume", "q", "--checkpoint-dir", state.toString(), "--json",
        "--workers", "1", "--concurrency", "8");
    // Then it finishes, sending only the documents that were not stored before the stop
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(1); // the oversized document 7
    assertThat(resumed.outJson().path("done").asLong()).isEqualTo(119);
    assertThat(sim.stats().points().points()).isEqualTo(119 - stored);
    assertThat(sim.stats().embeddings().inputs()).isEqualTo(119 - stored);
  }

  @Test
  void theSpecChecksAndADryRunRendersEveryRequestWithoutTheKeys() throws Exception {
    schema = TestPostgres.freshSchema("ragd");
    fill(schema.url(), 20);
    sim = SimServer.start(SimConfig.builder().port(0).build());
    Map<String, String> env = env();
    env.put("QDRANT_API_KEY", "qdrant-secret-key-1234");
    Ferry.Run check = Ferry.run(env, "spec", "check", EXAMPLE.resolve("job.yaml").toString());
    assertThat(check.exit()).as(check.toString()).isZero();
    Ferry.Run dry = Ferry.run(env, "run", EXAMPLE.resolve("job.yaml").toString(), "--job-id", "d", "--dry-run",
        "--checkpoint-dir", dir.resolve("state").toString());
    assertThat(dry.exit()).as(dry.toString()).isZero();
    assertThat(dry.out()).contains("POST " + sim.baseUrl() + "/v1/embeddings", "\"model\":\"" + MODEL + "\"",
        "PUT " + sim.baseUrl() + "/collections/docs/points?wait=true", "Authorization: ***", "api-key: ***")
        .doesNotContain("sk-test-rag-migration", "qdrant-secret-key-1234");
    assertThat(sim.stats().embeddings().requests()).isZero();
    assertThat(sim.stats().points().requests()).isZero();
  }

  /** Every point of the collection, by id, with payload and vector (scrolled in pages). */
  Map<Long, JsonNode> points() {
    Map<Long, JsonNode> all = new LinkedHashMap<>();
    JsonNode offset = null;
    do {
      String body = "{\"limit\":100,\"with_payload\":true,\"with_vector\":true"
          + (offset == null ? "" : ",\"offset\":" + offset) + "}";
      JsonNode page = SimHttp.post(sim, "none", "/collections/docs/points/scroll", body);
      JsonNode result = page.has("result") ? page.path("result") : page;
      for (JsonNode p : result.path("points")) {
        assertThat(all.put(p.path("id").asLong(), p)).as("point %s listed once", p.path("id")).isNull();
      }
      offset = result.path("next_page_offset");
      if (offset.isNull() || offset.isMissingNode()) offset = null;
    } while (offset != null);
    return all;
  }
}
