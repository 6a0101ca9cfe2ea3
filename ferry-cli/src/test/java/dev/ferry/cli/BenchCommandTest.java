package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ferry bench} end to end on short ladders, and its flag checks. */
class BenchCommandTest {
  @TempDir
  Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    CommandLine bench = cl.getSubcommands().get("bench");
    ((BenchCommand) bench.getCommand()).env = env;
    return cl.execute(args);
  }

  @Test
  void badFlagsGiveOneLineAndExitCode2() {
    assertThat(run(Map.of(), "bench", "--workers", "1,two")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("'two' is not one");
    assertThat(run(Map.of(), "bench", "--dry-run", "--latency", "10ms")).isEqualTo(ExitCodes.USAGE);
    assertThat(run(Map.of(), "bench", "--api-url", "http://127.0.0.1:9")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--api-url needs --csv FILE");
    assertThat(run(Map.of(), "bench", "--api-url", "http://127.0.0.1:9", "--csv", "x.csv")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("WORKOS_SECRET_KEY (or WORKOS_API_KEY) is not set");
    assertThat(err.toString().lines().filter(l -> l.contains("Exception"))).isEmpty();
  }

  @Test
  void aShortLadderAgainstTheSimulatorWritesTableJsonAndHtml() throws Exception {
    // Given
    Path json = tmp.resolve("bench.json");
    Path html = tmp.resolve("bench.html");

    // When
    int code = run(Map.of(), "bench", "--workers", "1,2,4", "--latency", "20ms", "--rate-limit", "none",
        "--records", "3000", "--warmup", "300ms", "--rung-time", "1500ms", "--jvm-warmup", "0s",
        "--json", json.toString(), "--html", html.toString());

    // Then
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("workers  in flight  users/s", "bottleneck: ", "recommended: --workers ");
    assertThat(err.toString()).contains("ladder: 1, 2, 4 workers × concurrency 1", "[3/3] 4 workers × 1: ");
    JsonNode n = new ObjectMapper().readTree(json.toFile());
    assertThat(n.path("rungs")).hasSize(3);
    for (JsonNode r : n.path("rungs")) {
      assertThat(r.path("rows").asLong()).isPositive();
      assertThat(r.path("calls_per_row").asDouble()).isBetween(1.7, 2.3);
      assertThat(r.path("latency_ms").path("p50").asDouble()).isBetween(15.0, 500.0);
      assertThat(r.path("rate_limited").asLong()).isZero();
      assertThat(r.path("failed_rows").asLong()).isZero();
    }
    double one = n.path("rungs").get(0).path("rows_per_second").asDouble();
    double four = n.path("rungs").get(2).path("rows_per_second").asDouble();
    assertThat(four).isGreaterThan(one); // 4x in flight; loose, so a busy CI host cannot make it flaky
    assertThat(Files.readString(html)).contains("<svg id=\"chart\"", "bench-data");
  }

  @Test
  void aDryRunLadderMeasuresFerryItself() throws Exception {
    // When
    int code = run(Map.of(), "bench", "--dry-run", "--workers", "1,2", "--records", "20000", "--warmup", "200ms",
        "--rung-time", "1s", "--jvm-warmup", "0s", "--rounds", "2", "--json", "-");

    // Then
    assertThat(code).as(err.toString()).isZero();
    JsonNode n = new ObjectMapper().readTree(out.toString());
    assertThat(n.path("setup").path("mode").asText()).isEqualTo("dry-run");
    assertThat(n.path("rungs").get(0).path("requests").asLong()).isZero();
    assertThat(n.path("rungs")).hasSize(2);
    assertThat(n.path("rungs").get(1).path("rows_per_second").asDouble()).isPositive();
    assertThat(n.path("setup").path("rounds").asInt()).isEqualTo(2);
    assertThat(err.toString()).contains("round 2 of 2 (down the ladder)");
  }

  @Test
  void anUnreachableTargetOrARefusedKeyStopsTheStudyBeforeTheLadder() throws Exception {
    // Given
    Path csv = tmp.resolve("pilot.csv");
    dev.ferry.recipes.workos.UserCsvGenerator.write(csv, 100, 0);
    int closedPort;
    try (SimServer gone = SimServer.start(SimConfig.builder().build())) {
      closedPort = gone.port();
    }

    // When / Then: nothing listens
    assertThat(run(Map.of("WORKOS_SECRET_KEY", "sk_test_any"), "bench", "--api-url", "http://127.0.0.1:" + closedPort,
        "--csv", csv.toString(), "--max-records", "10", "--workers", "1,2")).isEqualTo(ExitCodes.STOPPED);
    assertThat(err.toString()).contains("cannot reach http://127.0.0.1:" + closedPort);

    // When / Then: the key is refused
    try (SimServer target = SimServer.start(SimConfig.builder().requiredKey("sk_test_right").build())) {
      assertThat(run(Map.of("WORKOS_SECRET_KEY", "sk_test_wrong"), "bench", "--api-url",
          target.baseUrl().toString(), "--csv", csv.toString(), "--max-records", "10", "--workers", "1,2"))
          .isEqualTo(ExitCodes.STOPPED);
      assertThat(err.toString()).contains("refused the API key").doesNotContain("sk_test_wrong");
      assertThat(target.stats().usersCreated()).isZero();
    }
  }

  @Test
  void anExternalTargetGetsADisjointSliceOfTheCsvPerRung() throws Exception {
    // Given: a "real" target (a simulator we run ourselves) and a users file
    Path csv = tmp.resolve("pilot.csv");
    dev.ferry.recipes.workos.UserCsvGenerator.write(csv, 200, 0);
    try (SimServer target = SimServer.start(SimConfig.builder().latency(Duration.ofMillis(5))
        .requiredKey("sk_test_pilot").build())) {
      // When
      int code = run(Map.of("WORKOS_SECRET_KEY", "sk_test_pilot"), "bench", "--api-url",
          target.baseUrl().toString(), "--csv", csv.toString(), "--max-records", "60", "--workers", "1,2,4",
          "--warmup", "100ms", "--rung-time", "5s", "--rate-limit", "none", "--json", tmp.resolve("b.json").toString());

      // Then: rows of three different slices were created, none twice
      assertThat(code).as(err.toString()).isZero();
      SimStats s = target.stats();
      assertThat(s.duplicatesRefused()).isZero();
      assertThat(s.usersCreated()).isGreaterThan(120).isLessThanOrEqualTo(180);
      assertThat(err.toString()).contains("each run of a rung imports its own slice of 60 rows");
      assertThat(out.toString()).doesNotContain("sk_test_pilot");
    }
  }
}
