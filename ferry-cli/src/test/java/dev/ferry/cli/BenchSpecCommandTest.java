package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sim.CrmStats;
import dev.ferry.sim.EmbeddingStats;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.testing.Repo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry bench --spec}: the study of any job spec, through the CLI against the simulator over real HTTP; each
 * run of a rung sends its own slice of the source, so the target never sees a record twice.
 */
class BenchSpecCommandTest {
  private static final String KEY = "sk_test_bench_spec";
  private static final Path CRM = Repo.path("examples/jsonl-to-crm");

  /** One batch step to the embeddings endpoint, held to 200 tokens a second by the spec. */
  static final String EMBED = """
      name: embed-bench
      source: { jsonl: { path: "${INPUT}" } }
      targets:
        embeddings:
          base_url: "${EMBEDDINGS_URL}"
          headers: { Authorization: "Bearer ${EMBEDDINGS_API_KEY}" }
          limits: [ { tokens: 200, per: 1s } ]
      steps:
        - name: embed
          target: embeddings
          batch: { max_items: 8, max_weight: 5000, weight: "{{ tokens(row.content) }}", linger: 10ms }
          charge: { tokens: "{{ batch.weight }}" }
          request:
            method: POST
            path: /embeddings
            body: { model: text-embedding-3-small, input: "{{ batch.each(row.content) }}" }
          response: { items: "$.data", match: { index: "$.index" } }
          capture: { index: "$.index" }
      key: "{{ row.id }}"
      """;

  @TempDir
  Path tmp;
  SimServer sim;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void stopSim() {
    if (sim != null) sim.close();
  }

  private int run(Map<String, String> env, String... args) {
    return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), env).execute(args);
  }

  private Map<String, String> crmEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("INPUT", CRM.resolve("contacts.jsonl").toString());
    env.put("CRM_URL", sim.baseUrl().toString());
    env.put("CRM_API_KEY", KEY);
    return env;
  }

  /** {@code n} contacts shaped as the CRM example's, each with its own id and email. */
  private Path contacts(int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      lines.add("{\"id\": \"c-" + i + "\", \"email\": \"person." + i + "@example.com\", \"name\": \"Person " + i
          + "\"}");
    }
    return Files.write(tmp.resolve("contacts.jsonl"), lines);
  }

  @Test
  void theJsonlToCrmExampleIsStudiedWithEachRunOnItsOwnSlice() throws Exception {
    // Given the CRM example's spec, 600 contacts shaped as its own, and a CRM with 5 ms answers
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(5)).build());
    Path html = tmp.resolve("bench.html");
    Map<String, String> env = crmEnv();
    env.put("INPUT", contacts(600).toString());

    // When two rungs of 300 records each run (slices big enough for windows of a second, which are judged)
    int code = run(env, "bench", "--spec", CRM.resolve("job.yaml").toString(), "--workers", "1,2",
        "--max-records", "300", "--warmup", "100ms", "--rung-time", "1s", "--json", "-", "--html", html.toString());

    // Then every contact sent was new: no run re-sent another's records (a re-sent one would be found and
    // patched); a rung stops once measured, so the end of its slice may not be sent
    assertThat(code).as(err.toString()).isZero();
    CrmStats crm = sim.stats().crm();
    assertThat(crm.created()).isBetween(2L, 600L);
    assertThat(crm.contacts()).isEqualTo(crm.created());
    assertThat(crm.duplicatesRefused()).isZero();
    assertThat(crm.patches()).isZero();
    JsonNode n = new ObjectMapper().readTree(out.toString());
    assertThat(n.path("setup").path("mode").asText()).isEqualTo("spec");
    assertThat(n.path("rungs")).hasSize(2);
    for (JsonNode r : n.path("rungs")) {
      assertThat(r.path("rows").asLong()).isPositive();
      assertThat(r.path("failed_rows").asLong()).isZero();
      assertThat(r.path("calls_per_row").asDouble()).as("find, then create").isBetween(1.0, 3.0);
    }
    assertThat(n.path("verdict").path("sentence").asText()).isNotEmpty();
    assertThat(n.path("recommendation").path("workers").asInt()).isIn(1, 2);
    assertThat(err.toString()).contains("spec: jsonl-to-crm", "crm: 100 requests per 1s", "its own slice of 300 records",
        "[2/2] 2 workers × 1: ").doesNotContain(KEY);
    assertThat(Files.readString(html)).contains("<svg id=\"chart\"");
  }

  @Test
  void slicesTooSmallToMeasureAreNotJudged() throws Exception {
    // Given the README's pilot: the CRM example with 10 records a rung, against a fast CRM; a window then holds at
    // most 8 rows (the warm-up takes the first 20 %), too few to judge whatever the host's speed
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(1)).build());

    // When
    int code = run(crmEnv(), "bench", "--spec", CRM.resolve("job.yaml").toString(), "--workers", "1,2,4",
        "--max-records", "10");

    // Then each rung says it is too small to judge, and nothing is judged from it: no rate, no share, no advice
    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("[1/3] 1 worker × 1: too few rows to judge: ", "; raise --max-records")
        .doesNotContain("rows/s over");
    String text = out.toString();
    assertThat(text).contains("bottleneck: not judged: every rung's window was too short", "no (too few rows to judge)")
        .doesNotContain("recommended:", "ceiling:", "% of", "yes\n");
    assertThat(text.lines().filter(l -> l.matches("\\s+[124]\\s.*"))).isNotEmpty().noneMatch(l -> l.contains("%"));
  }

  @Test
  void aBatchStepHeldByItsTokenLimitIsNamedRateLimit() throws Exception {
    // Given 80 documents of about 25 tokens each and a spec that allows 200 tokens a second
    sim = SimServer.start(SimConfig.builder().port(0).latency(Duration.ofMillis(5)).build());
    Path input = tmp.resolve("docs.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 80; i++) {
      lines.add("{\"id\": " + i + ", \"content\": \"document " + i + " " + "lorem ipsum dolor sit amet ".repeat(3)
          + "\"}");
    }
    Files.write(input, lines);
    Path spec = tmp.resolve("embed.yaml");
    Files.writeString(spec, EMBED);
    Map<String, String> env = Map.of("INPUT", input.toString(), "EMBEDDINGS_URL", sim.baseUrl() + "/v1",
        "EMBEDDINGS_API_KEY", KEY);

    // When
    int code = run(env, "bench", "--spec", spec.toString(), "--workers", "1,2", "--max-records", "40",
        "--warmup", "100ms", "--rung-time", "3s", "--json", "-");

    // Then the documents were embedded in batches, and the verdict names the pacing
    assertThat(code).as(err.toString()).isZero();
    EmbeddingStats e = sim.stats().embeddings();
    assertThat(e.inputs()).isBetween(2L, 80L);
    assertThat(e.rateLimitedTokens()).isZero();
    assertThat(err.toString()).contains("step embed batches up to 8 rows, but at most 2 rows are in flight");
    JsonNode n = new ObjectMapper().readTree(out.toString());
    for (JsonNode r : n.path("rungs")) assertThat(r.path("failed_rows").asLong()).isZero();
    assertThat(n.path("verdict").path("bottleneck").asText()).as(out.toString()).isEqualTo("rate_limit");
    assertThat(n.path("rungs").get(0).path("wait_share").asDouble()).isGreaterThan(0.5);
    assertThat(n.path("verdict").path("sentence").asText()).contains("waiting for the target's pace",
        "embeddings: 200 tokens per 1s");
  }

  @Test
  void aLimitLearnedFromTheTargetsHeadersIsNamedRateLimit() throws Exception {
    // Given an embeddings API allowing 240 requests a minute (4 a second), said in its x-ratelimit-* headers, and a
    // spec that states no limit but learns it (limits: auto)
    sim = SimServer.start(SimConfig.builder().port(0).latency(Duration.ofMillis(5)).embeddings(
        dev.ferry.sim.EmbeddingsSettings.builder().requestsPerMinute(240).window(Duration.ofSeconds(1)).build())
        .build());
    Path input = tmp.resolve("docs.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 60; i++) lines.add("{\"id\": " + i + ", \"content\": \"document " + i + "\"}");
    Files.write(input, lines);
    Path spec = tmp.resolve("auto.yaml");
    Files.writeString(spec, EMBED.replace("limits: [ { tokens: 200, per: 1s } ]", "limits: auto"));
    Map<String, String> env = Map.of("INPUT", input.toString(), "EMBEDDINGS_URL", sim.baseUrl() + "/v1",
        "EMBEDDINGS_API_KEY", KEY);

    // When
    int code = run(env, "bench", "--spec", spec.toString(), "--workers", "1,2", "--max-records", "30",
        "--warmup", "100ms", "--rung-time", "4s", "--json", "-");

    // Then the pace (or the 429s before it was learned) is named
    assertThat(code).as(err.toString()).isZero();
    JsonNode n = new ObjectMapper().readTree(out.toString());
    assertThat(n.path("setup").path("limits").asText()).isEqualTo("embeddings: auto");
    assertThat(n.path("verdict").path("bottleneck").asText()).as(out.toString()).isEqualTo("rate_limit");
  }

  @Test
  void aBrokenSpecOrAMissingParameterIsExit2WithOneMessage() throws Exception {
    Path broken = tmp.resolve("broken.yaml");
    Files.writeString(broken, "source: { jsonl: { path: x.jsonl } }\ntargets: [ oops\n");
    assertThat(run(Map.of(), "bench", "--spec", broken.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("broken.yaml").doesNotContain("Exception", "\tat ");

    err.getBuffer().setLength(0);
    assertThat(run(Map.of(), "bench", "--spec", CRM.resolve("job.yaml").toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("INPUT").doesNotContain("Exception", "\tat ");
  }

  @Test
  void theWorkosImportsFlagsAreRefusedWithSpecNamingTheFlag() {
    for (List<String> flag : List.of(List.of("--csv", "x.csv"), List.of("--rate-limit", "10"),
        List.of("--api-url", "http://127.0.0.1:9"), List.of("--latency", "10ms"), List.of("--orgs", "3"),
        List.of("--create-org-if-missing"))) {
      err.getBuffer().setLength(0);
      List<String> args = new ArrayList<>(List.of("bench", "--spec", CRM.resolve("job.yaml").toString()));
      args.addAll(flag);
      assertThat(run(Map.of(), args.toArray(String[]::new))).as(flag.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).contains(flag.get(0) + " is a flag of the WorkOS import's study")
          .doesNotContain("Exception");
    }
  }

  @Test
  void aDryRunSendsNothing() throws Exception {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    int code = run(crmEnv(), "bench", "--spec", CRM.resolve("job.yaml").toString(), "--dry-run", "--workers", "1,2",
        "--max-records", "10", "--warmup", "50ms", "--rung-time", "500ms", "--json", "-");
    assertThat(code).as(err.toString()).isZero();
    JsonNode n = new ObjectMapper().readTree(out.toString());
    assertThat(n.path("setup").path("mode").asText()).isEqualTo("dry-run");
    assertThat(n.path("rungs").get(0).path("requests").asLong()).isZero();
    assertThat(sim.stats().requests()).isZero();
  }

  @Test
  void aRefusedKeyStopsTheStudyWithExit3AndTheReason() {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey("sk_test_the_right_one").build());
    int code = run(crmEnv(), "bench", "--spec", CRM.resolve("job.yaml").toString(), "--workers", "1,2",
        "--max-records", "10");
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(err.toString()).contains("ferry: the job of the 1-worker rung stopped: ").doesNotContain("\tat ",
        KEY);
  }

  @Test
  void aSourceTooShortForTheLadderIsExit2() {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    assertThat(run(crmEnv(), "bench", "--spec", CRM.resolve("job.yaml").toString(), "--workers", "1,2,4",
        "--max-records", "20")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("holds 40 records; 3 slices of 20 need 60", "lower --max-records");
    assertThat(sim.stats().requests()).isZero();
  }
}
