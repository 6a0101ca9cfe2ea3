package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports against a faulty simulator, in this JVM: injected 5xx, hangs longer than the request timeout, dropped
 * connections, and 429 storms (the server allows less than the client was told), with and without Retry-After.
 * Every valid row lands exactly once, retries stay bounded, and the run leaves no thread or connection behind.
 */
class FaultToleranceTest {
  static final String KEY = "sk_test_ferry_faults";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", KEY);
  static final int MAX_ATTEMPTS = 8;

  @TempDir
  Path dir;
  SimServer sim;

  @BeforeAll
  static void warmUp(@TempDir Path warm) throws Exception {
    // Loads the classes, the SQLite driver and the virtual-thread carriers once, so the thread baseline of each
    // test is the steady state of this JVM.
    try (SimServer s = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build())) {
      Path csv = warm.resolve("warm.csv");
      UserCsvGenerator.write(csv, 50, 2);
      Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", csv, "--api-url", s.baseUrl(),
          "--checkpoint-dir", warm.resolve("state"), "--job-id", "warm", "--quiet", "--create-org-if-missing"));
      assertThat(run.exit()).as(run.toString()).isZero();
    }
  }

  @AfterEach
  void stopSim() {
    if (sim != null) sim.close();
  }

  @Test
  void serverErrorsHangsAndDropsAreRetriedAndEveryRowLandsOnce() throws Exception {
    SimConfig faulty = SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(4))
        .jitter(Duration.ofMillis(3)).errorRate(0.05).hangRate(0.01).hangDuration(Duration.ofSeconds(2))
        .dropRate(0.01).seed(5).build();
    JsonNode report = importAndCheck(faulty, 400, 6, List.of("--request-timeout", "500ms", "--rate-limit", "none",
        "--workers", "4", "--concurrency", "8"));
    SimStats s = sim.stats();
    assertThat(s.errorsInjected()).isPositive();
    assertThat(s.hangsInjected()).isPositive();
    assertThat(s.dropsInjected()).isPositive();
    assertThat(report.path("timeouts").asLong()).isPositive();
    assertThat(report.path("retries").asLong())
        .isGreaterThanOrEqualTo(s.errorsInjected() + s.dropsInjected());
  }

  @Test
  void a429StormWithRetryAfterPausesTheSharedLimiterAndEveryRowLandsOnce() throws Exception {
    SimConfig storm = SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(100).readRateLimit(200)
        .rateWindow(Duration.ofSeconds(1)).retryAfterHeader(true).seed(6).build();
    JsonNode report = importAndCheck(storm, 160, 4, List.of("--rate-limit", "400", "--workers", "4",
        "--concurrency", "8"));
    assertThat(report.path("rate_limited").asLong()).isPositive();
    assertThat(sim.stats().rateLimited()).isEqualTo(report.path("rate_limited").asLong());
  }

  @Test
  void a429StormWithoutRetryAfterBacksOffAndEveryRowLandsOnce() throws Exception {
    SimConfig storm = SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(100).readRateLimit(200)
        .rateWindow(Duration.ofSeconds(1)).retryAfterHeader(false).seed(7).build();
    JsonNode report = importAndCheck(storm, 160, 4, List.of("--rate-limit", "400", "--workers", "4",
        "--concurrency", "8"));
    assertThat(report.path("rate_limited").asLong()).isPositive();
  }

  /**
   * Imports {@code rows} users in {@code orgs} organizations into a simulator with {@code config} and checks
   * exactly-once, the equation, bounded retries and that threads and connections are released.
   */
  private JsonNode importAndCheck(SimConfig config, int rows, int orgs, List<String> flags) throws Exception {
    // Given
    Path csv = dir.resolve("users.csv");
    UserCsvGenerator.write(csv, rows, orgs);
    sim = SimServer.start(config);
    List<String> before = platformThreads();
    int threadsBefore = before.size();

    // When
    Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", csv, "--api-url", sim.baseUrl(),
        "--checkpoint-dir", dir.resolve("state"), "--job-id", "faults", "--quiet", "--json", "--chunk-size", 50,
        "--create-org-if-missing", "--max-attempts", MAX_ATTEMPTS, "--max-consecutive-failures", 0, flags));

    // Then: exactly once
    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode report = run.outJson();
    assertThat(report.path("done").asLong()).isEqualTo(rows);
    assertThat(report.path("done").asLong() + report.path("failed").asLong() + report.path("invalid").asLong())
        .isEqualTo(report.path("rows").asLong());
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(rows);
    assertThat(s.usersCreated()).isEqualTo(rows);
    assertThat(s.memberships()).isEqualTo(rows);
    assertThat(s.organizationsCreated()).isEqualTo(orgs);
    assertThat(s.duplicateCreations()).isZero();
    // Then: retries are bounded
    assertThat(report.path("retries").asLong()).isLessThanOrEqualTo((long) rows * MAX_ATTEMPTS);
    // Then: no connection and no thread left behind (hung calls end on the server side within hangDuration)
    awaitTrue(() -> sim.stats().inFlight() == 0, Duration.ofSeconds(20));
    assertThat(sim.stats().inFlight()).isZero();
    awaitTrue(() -> platformThreads().size() <= threadsBefore, Duration.ofSeconds(20));
    assertThat(platformThreads()).as("threads before: %s", before).hasSizeLessThanOrEqualTo(threadsBefore);
    assertThat(platformThreads()).noneMatch(name -> name.startsWith("HttpClient"));
    return report;
  }

  /**
   * Names of the live platform threads of this JVM, without the JDK's fork-join carriers: the virtual-thread
   * scheduler adds carriers while threads block in file I/O and retires them only after 30 s idle; they belong
   * to the JVM, not to the run, and their number is bounded.
   */
  static List<String> platformThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> !n.startsWith("ForkJoinPool")).sorted().toList();
  }

  /** Polls a condition until it holds or the deadline passes (the caller asserts it afterwards). */
  static void awaitTrue(BooleanSupplier condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }
}
