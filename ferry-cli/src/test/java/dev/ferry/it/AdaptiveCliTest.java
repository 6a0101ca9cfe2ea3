package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --concurrency auto} through the CLI against the simulator over real HTTP: every row is settled, the
 * report says what the limit did, and {@code --timeline} records it second by second. (Throughput and 429
 * figures are wall-clock measurements: benchmarks/adaptive.sh, not the test suite.)
 */
class AdaptiveCliTest {
  static final String KEY = "sk_test_ferry_it";

  @TempDir
  Path dir;

  @Test
  void anUnknownRateLimitIsLearnedAndTheTimelineRecordsLimitAndPace() throws IOException {
    // Given a simulator allowing 100 writes/s (1 s window) and ferry told no limit
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(100)
        .rateWindow(Duration.ofSeconds(1)).latency(Duration.ofMillis(5)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 400, 0);
      Path report = dir.resolve("report.json");
      Path timeline = dir.resolve("out/timeline.csv");

      // When
      Ferry.Run run = Ferry.run(java.util.Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv",
          users, "--api-url", sim.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "auto1",
          "--quiet", "--rate-limit", "auto", "--concurrency", "auto", "--report-json", report,
          "--timeline", timeline));

      // Then every row is done, once
      assertThat(run.exit()).as(run.toString()).isZero();
      JsonNode r = Ferry.readJson(report);
      assertThat(r.path("done").asLong()).isEqualTo(400);
      assertThat(sim.stats().users()).isEqualTo(400);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(r.path("adaptive").path("final_limit").asInt()).isPositive();
      // and the timeline has its header and a last line with the rows, a limit and a pace
      List<String> lines = Files.readAllLines(timeline);
      assertThat(lines.get(0)).isEqualTo("elapsed_s,rows_settled,requests,rate_limited,in_flight,limit,pace");
      String[] last = lines.get(lines.size() - 1).split(",", -1);
      assertThat(last).hasSize(7);
      assertThat(Long.parseLong(last[1])).isEqualTo(400);
      assertThat(Long.parseLong(last[2])).isEqualTo(sim.stats().requests());
      assertThat(Integer.parseInt(last[5])).isPositive();
      assertThat(Double.parseDouble(last[6])).isPositive();
    }
  }

  @Test
  void adaptiveIsTheDefaultAndADryRunStaysInline() throws IOException {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 60, 0);
      Path live = dir.resolve("live.json");
      Path dry = dir.resolve("dry.json");

      // When no --concurrency is given, for a live run and a dry run
      Ferry.Run run = Ferry.run(java.util.Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv",
          users, "--api-url", sim.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "d1",
          "--quiet", "--rate-limit", "none", "--report-json", live));
      Ferry.Run dryRun = Ferry.run(java.util.Map.of(), Ferry.args("import-users", "--csv", users, "--checkpoint-dir",
          dir.resolve("state"), "--job-id", "d2", "--quiet", "--dry-run", "--report-json", dry));

      // Then the live run is adaptive, and the dry run makes no call and has no limit to learn
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(Ferry.readJson(live).path("adaptive").path("final_limit").asInt()).isPositive();
      assertThat(dryRun.exit()).as(dryRun.toString()).isZero();
      assertThat(Ferry.readJson(dry).path("done").asLong()).isEqualTo(60);
      assertThat(Ferry.readJson(dry).has("adaptive")).isFalse();
      assertThat(sim.stats().requests()).isEqualTo(60);
    }
  }

  @Test
  void aFixedConcurrencyTimelineLeavesTheLimitEmpty() throws IOException {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 50, 0);
      Path timeline = dir.resolve("timeline.csv");

      Ferry.Run run = Ferry.run(java.util.Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv",
          users, "--api-url", sim.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "f1",
          "--quiet", "--rate-limit", "none", "--concurrency", "10", "--timeline", timeline));

      assertThat(run.exit()).as(run.toString()).isZero();
      List<String> lines = Files.readAllLines(timeline);
      assertThat(lines.get(lines.size() - 1)).endsWith(",,");
      assertThat(lines.get(lines.size() - 1).split(",", -1)[1]).isEqualTo("50");
    }
  }
}
