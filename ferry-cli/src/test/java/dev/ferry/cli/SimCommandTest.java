package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sim.LatencyStep;
import dev.ferry.sim.RateAlgorithm;
import dev.ferry.sim.SimConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimCommandTest {

  private static SimCommand parse(String... args) {
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void defaultsMatchTheDocumentedOnes() {
    SimConfig config = parse().toConfig(name -> null);

    assertThat(config.port()).isEqualTo(8080);
    assertThat(config).isEqualTo(SimConfig.builder().port(8080).build());
  }

  @Test
  void everyFlagReachesTheConfig() {
    SimConfig config = parse("--port", "0", "--latency", "200ms", "--jitter", "20ms", "--rate-limit", "50",
        "--read-rate-limit", "100", "--rate-window", "10s", "--rate-algorithm", "token-bucket", "--burst", "2s",
        "--no-retry-after", "--error-rate", "0.1", "--hang-rate", "0.01", "--hang-duration", "5s",
        "--drop-rate", "0.02", "--slow-rate", "0.05", "--slow-latency", "1.5s", "--serial-ms", "2.5",
        "--seed", "42", "--multiple-roles", "--require-key-env", "SIM_KEY")
        .toConfig(Map.of("SIM_KEY", "sk_test_from_env")::get);

    assertThat(config).isEqualTo(SimConfig.builder().port(0).latency(Duration.ofMillis(200))
        .jitter(Duration.ofMillis(20)).writeRateLimit(50).readRateLimit(100).rateWindow(Duration.ofSeconds(10))
        .rateAlgorithm(RateAlgorithm.TOKEN_BUCKET).tokenBucketBurst(Duration.ofSeconds(2)).retryAfterHeader(false)
        .errorRate(0.1).hangRate(0.01).hangDuration(Duration.ofSeconds(5)).dropRate(0.02).slowRate(0.05)
        .slowLatency(Duration.ofMillis(1_500)).serialTime(Duration.ofNanos(2_500_000)).seed(42)
        .requiredKey("sk_test_from_env").multipleRoles(true).build());
  }

  @Test
  void aLatencyScheduleParsesIntoSteps() {
    SimConfig config = parse("--latency", "200ms", "--latency-schedule", "0s=200ms,40s=400ms,80s=200ms")
        .toConfig(n -> null);

    assertThat(config.latencySchedule()).containsExactly(
        new LatencyStep(Duration.ZERO, Duration.ofMillis(200)),
        new LatencyStep(Duration.ofSeconds(40), Duration.ofMillis(400)),
        new LatencyStep(Duration.ofSeconds(80), Duration.ofMillis(200)));
  }

  @Test
  void rateLimitNoneOrZeroMeansUnlimitedAndAlgorithmsParse() {
    assertThat(parse("--rate-limit", "none").toConfig(n -> null).writeRateLimit()).isZero();
    assertThat(parse("--rate-limit", "0").toConfig(n -> null).writeRateLimit()).isZero();
    assertThat(parse("--rate-algorithm", "fixed-window").toConfig(n -> null).rateAlgorithm())
        .isEqualTo(RateAlgorithm.FIXED_WINDOW);
    assertThat(parse("--rate-algorithm", "SLIDING_WINDOW").toConfig(n -> null).rateAlgorithm())
        .isEqualTo(RateAlgorithm.SLIDING_WINDOW);
  }

  @Test
  void limiterAndRateHeadersParse() {
    assertThat(parse("--limiter", "fixed").toConfig(n -> null).rateAlgorithm()).isEqualTo(RateAlgorithm.FIXED_WINDOW);
    assertThat(parse("--limiter", "bucket").toConfig(n -> null).rateAlgorithm()).isEqualTo(RateAlgorithm.TOKEN_BUCKET);
    assertThat(parse().toConfig(n -> null).rateAlgorithm()).isEqualTo(RateAlgorithm.SLIDING_WINDOW);
    assertThat(parse().toConfig(n -> null).rateHeaders()).isEqualTo(dev.ferry.sim.RateHeaders.NONE);
    assertThat(parse("--rate-headers", "IETF").toConfig(n -> null).rateHeaders())
        .isEqualTo(dev.ferry.sim.RateHeaders.IETF);
    assertThat(parse("--rate-headers", "openai").toConfig(n -> null).rateHeaders())
        .isEqualTo(dev.ferry.sim.RateHeaders.OPENAI);
  }

  @Test
  void badFlagsExitWithUsageCodeAndOneLine() {
    for (String[] args : new String[][] {
        {"--rate-algorithm", "leaky"}, {"--limiter", "leaky"}, {"--rate-headers", "github"}, {"--rate-limit", "fast"}, {"--latency", "soon"},
        {"--error-rate", "2"}, {"--serial-ms", "-1"}, {"--latency-schedule", "40s"},
        {"--latency-schedule", "40s=1ms,10s=2ms"}, {"--latency-schedule", "0s=fast"}, {"--require-key-env", "FERRY_SIM_TEST_SURELY_UNSET_VAR"}}) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new SimCommand()).setErr(new PrintWriter(err));

      int code = cli.execute(args);

      assertThat(code).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).as(String.join(" ", args)).isNotBlank();
    }
  }

  @Test
  void theRequiredKeyNeverComesFromAFlagValueAndIsNotPrinted() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SimCommand()).setErr(new PrintWriter(err));

    int code = cli.execute("--require-key", "sk_test_x");

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(new CommandLine(new SimCommand()).getUsageMessage()).contains("--require-key-env").contains("--rate-algorithm");
  }

  @Test
  void runsUntilInterruptedAndPrintsOneListeningLine() throws Exception {
    // Given
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new SimCommand()).setOut(new PrintWriter(out, true));
    AtomicInteger exit = new AtomicInteger(-1);
    Thread running = Thread.ofVirtual().start(() -> exit.set(cli.execute("--port", "0")));
    Pattern listening = Pattern.compile("ferry sim listening on (http://127\\.0\\.0\\.1:\\d+)\\R");
    Matcher matcher = listening.matcher("");
    for (int i = 0; i < 2_000 && !matcher.reset(out.toString()).find(); i++) {
      Thread.sleep(5);
    }
    assertThat(matcher.reset(out.toString()).find()).as(out.toString()).isTrue();

    // When
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(matcher.group(1) + "/__stats")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).isEqualTo(200);
    }
    running.interrupt();

    // Then
    assertThat(running.join(Duration.ofSeconds(10))).isTrue();
    assertThat(exit).hasValue(ExitCodes.STOPPED);
    assertThat(out.toString().lines()).hasSize(1);
  }

  @Test
  void aTlsKeyStoreServesHttpsAndAnUnreadableOneIsAUsageError() throws Exception {
    // When: a file that is not a key store
    StringWriter err = new StringWriter();
    int bad = new CommandLine(new SimCommand()).setErr(new PrintWriter(err, true))
        .execute("--port", "0", "--tls", "pom.xml");
    // Then
    assertThat(bad).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("[ERROR] ferry sim: --tls pom.xml: not a PKCS#12 key store this password opens");

    // When: the test certificate's key store
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new SimCommand()).setOut(new PrintWriter(out, true));
    AtomicInteger exit = new AtomicInteger(-1);
    String keyStore = dev.ferry.testing.TestCertificates.get().keyStore().toString();
    Thread running = Thread.ofVirtual().start(() -> exit.set(cli.execute("--port", "0", "--tls", keyStore)));
    Pattern listening = Pattern.compile("ferry sim listening on https://127\\.0\\.0\\.1:\\d+\\R");
    for (int i = 0; i < 2_000 && !listening.matcher(out.toString()).find() && running.isAlive(); i++) {
      Thread.sleep(5);
    }
    // Then
    assertThat(listening.matcher(out.toString()).find()).as(out.toString()).isTrue();
    running.interrupt();
    assertThat(running.join(Duration.ofSeconds(10))).isTrue();
    assertThat(exit).hasValue(ExitCodes.STOPPED);
  }
}
