package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.RateAlgorithm;
import dev.ferry.sim.RateHeaders;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --rate-limit auto} and {@code none} through the CLI against the simulator over real HTTP, configured each
 * way ({@code --limiter} × {@code --rate-headers}): every row lands exactly once (the simulator's {@code /__stats}),
 * and with rate-limit headers nothing is refused after the first second (its {@code /__timeline}).
 */
class RateLearningCliTest {
  static final String KEY = "sk_test_ferry_it";

  @TempDir
  Path dir;

  static Stream<Arguments> servers() {
    return Stream.of(RateAlgorithm.values()).flatMap(a -> Stream.of(RateHeaders.values()).map(h -> Arguments.of(a, h)));
  }

  @ParameterizedTest(name = "{0}, headers {1}")
  @MethodSource("servers")
  void autoImportsExactlyOnceAndWithHeadersIsNotRefusedAfterTheFirstSecond(RateAlgorithm algorithm,
      RateHeaders headers) throws IOException {
    // Given a simulator allowing 60 writes/s (120 per 2 s windows, or a bucket of a second), counted one way
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(60)
        .rateWindow(Duration.ofSeconds(2)).rateAlgorithm(algorithm).rateHeaders(headers)
        .latency(Duration.ofMillis(20)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 150, 0);
      Path report = dir.resolve("report.json");

      // When ferry is told nothing but to learn the limit
      Ferry.Run run = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", users,
          "--api-url", sim.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "learn",
          "--progress", "never", "--rate-limit", "auto", "--report-json", report));

      // Then every row is done, exactly once
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.err()).contains("rate limit learned");
      JsonNode r = Ferry.readJson(report);
      assertThat(r.path("done").asLong()).isEqualTo(150);
      assertThat(sim.stats().users()).isEqualTo(150);
      assertThat(sim.stats().usersCreated()).isEqualTo(150);
      assertThat(sim.stats().duplicateCreations()).isZero();
      // and with headers, no request that arrived after the run's first second was refused
      if (headers != RateHeaders.NONE) {
        assertThat(refusedAfterTheFirstSecond(sim)).as(SimHttp.get(sim, "/__timeline").toString()).isZero();
      }
    }
  }

  /** 429s the simulator served from the second after the one with the run's first request on. */
  static long refusedAfterTheFirstSecond(SimServer sim) {
    JsonNode seconds = SimHttp.get(sim, "/__timeline").path("seconds");
    int first = -1;
    long refused = 0;
    for (JsonNode s : seconds) {
      if (first < 0 && s.path("requests").asLong() > 0) first = s.path("second").asInt();
      if (first >= 0 && s.path("second").asInt() >= first + 2) refused += s.path("rate_limited").asLong();
    }
    return refused;
  }

  @Test
  void noneSendsUnpacedAndStillHonoursA429() throws IOException {
    // Given a simulator that has a limit (50 per fixed second) though ferry is told there is none
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(50)
        .rateWindow(Duration.ofSeconds(1)).rateAlgorithm(RateAlgorithm.FIXED_WINDOW)
        .latency(Duration.ofMillis(5)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 120, 0);
      Path report = dir.resolve("report.json");

      Ferry.Run run = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", users,
          "--api-url", sim.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "none",
          "--progress", "never", "--rate-limit", "none", "--report-json", report));

      // Then it met 429s (it was not paced), retried behind them, and every row landed exactly once
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.err()).contains("no rate limit");
      assertThat(sim.stats().rateLimited()).isPositive();
      assertThat(Ferry.readJson(report).path("done").asLong()).isEqualTo(120);
      assertThat(sim.stats().users()).isEqualTo(120);
      assertThat(sim.stats().duplicateCreations()).isZero();
    }
  }

  @Test
  void aTargetOtherThanWorkosIsLearnedByDefaultAndAutoIsKeptOnResume() throws IOException {
    // Given a simulator stating its limit in IETF headers, and no --rate-limit; its first run fails every row with a
    // transient error, so that the resume has rows to send (a job finished with every row done has nothing to resume)
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 30, 0);
    SimConfig.Builder target = SimConfig.builder().requiredKey(KEY).writeRateLimit(40)
        .rateWindow(Duration.ofSeconds(1)).rateHeaders(RateHeaders.IETF);
    int port;
    Ferry.Run run;
    try (SimServer failing = SimServer.start(target.port(0).errorRate(1.0).seed(1).build())) {
      port = failing.port();
      run = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", users,
          "--api-url", failing.baseUrl().toString(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "dflt",
          "--progress", "never", "--max-attempts", 1, "--max-consecutive-failures", 0));
    }
    try (SimServer sim = SimServer.start(target.port(port).errorRate(0).build())) {
      Ferry.Run resumed = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("resume", "dflt",
          "--checkpoint-dir", dir.resolve("state"), "--progress", "never"));

      // Then the limit is learned (the default for any target but api.workos.com), and the job remembers it
      assertThat(run.exit()).as(run.toString()).isEqualTo(1);
      assertThat(run.err()).contains("rate limit learned");
      assertThat(resumed.exit()).as(resumed.toString()).isZero();
      assertThat(resumed.err()).contains("rate limit learned");
      assertThat(sim.stats().users()).isEqualTo(30);
    }
  }

  @Test
  void autoIsNotARateForOptionsThatTakeOne() throws IOException {
    Ferry.Run run = Ferry.run(Map.of(), Ferry.args("bench", "--client-rate-limit", "auto"));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("takes a rate");
  }
}
