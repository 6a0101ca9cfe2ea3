package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.RateAlgorithm;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rate-limit N/WINDOW} through the CLI against the simulator over real HTTP: a server that counts the
 * stated budget never refuses it; one that counts more strictly refuses the first burst, ferry paces from then
 * on, and every row still lands exactly once.
 */
class RateBudgetCliTest {
  static final String KEY = "sk_test_ferry_it";

  @TempDir
  Path dir;

  @Test
  void aServerCountingTheStatedBudgetNeverRefusesIt() throws IOException {
    // Given a simulator admitting 40 writes in any 2 s (a sliding log) and 110 users, 1 call each
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(20)
        .rateWindow(Duration.ofSeconds(2)).latency(Duration.ofMillis(5)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 110, 0);
      Path report = dir.resolve("report.json");

      // When ferry is told that budget
      Ferry.Run run = importUsers(sim, users, report, "b1", "40/2s");

      // Then every row is done once and no request was refused
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.err()).contains("rate limit 40 per 2s");
      JsonNode r = Ferry.readJson(report);
      assertThat(r.path("done").asLong()).isEqualTo(110);
      assertThat(sim.stats().users()).isEqualTo(110);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(sim.stats().rateLimited()).as(SimHttp.get(sim, "/__timeline").toString()).isZero();
      assertThat(r.path("rate_limited").asLong()).isZero();
    }
  }

  @Test
  void aServerWithASmallerBurstRefusesTheFirstBurstAndNothingIsLostOrDoubled() throws IOException {
    // Given a token bucket of 2 at 20/s: the same long-run rate, a much smaller burst than told
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(20)
        .rateAlgorithm(RateAlgorithm.TOKEN_BUCKET).tokenBucketBurst(Duration.ofMillis(100))
        .latency(Duration.ofMillis(5)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 80, 0);
      Path report = dir.resolve("report.json");

      Ferry.Run run = importUsers(sim, users, report, "b2", "40/2s");

      // Then the burst met 429s, and every row still landed exactly once
      assertThat(run.exit()).as(run.toString()).isZero();
      JsonNode r = Ferry.readJson(report);
      assertThat(r.path("done").asLong()).isEqualTo(80);
      assertThat(sim.stats().rateLimited()).isPositive();
      assertThat(sim.stats().users()).isEqualTo(80);
      assertThat(sim.stats().duplicateCreations()).isZero();
    }
  }

  @Test
  void aBadBudgetIsAUsageError() throws IOException {
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 3, 0);
    Ferry.Run run = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", users,
        "--checkpoint-dir", dir.resolve("state"), "--rate-limit", "2.5/10s"));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("2.5/10s").contains("whole requests per window");
  }

  private Ferry.Run importUsers(SimServer sim, Path users, Path report, String jobId, String limit) {
    return Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", users, "--api-url",
        sim.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", jobId, "--progress",
        "never", "--rate-limit", limit, "--workers", "2", "--concurrency", "10", "--report-json", report));
  }
}
