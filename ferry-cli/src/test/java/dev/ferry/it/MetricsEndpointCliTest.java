package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.CliTestSeam;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.testing.PrometheusText;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --metrics-port} through the CLI against the simulator over real HTTP: the endpoint is scraped while the
 * import runs, the Prometheus text parses with the promised names, types and labels, and once the job ended (the
 * endpoint lingers) its counters add up to the report. Waits are bounded numbers of attempts, never a clock.
 */
class MetricsEndpointCliTest {
  static final String KEY = "sk_test_ferry_metrics";
  private static final Pattern URL = Pattern.compile("ferry: metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Its selector thread would outlive the class (FaultToleranceTest counts the threads left behind). */
  @AfterAll
  static void closeHttp() {
    HTTP.close();
  }
  private static final int ATTEMPTS = 1_000;

  @TempDir
  Path dir;

  @Test
  void aRunIsScrapedWhileItRunsAndItsCountersAddUpToTheReport() throws Exception {
    // Given a simulator with latency (so the run lasts a while) and a few injected 500s, and an input with 3 bad rows
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(30))
        .errorRate(0.05).seed(7).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 240, 0);
      Files.writeString(users, "not-an-email,A,B,true,x1\nalso bad,A,B,true,x2\n@,A,B,true,x3\n",
          StandardOpenOption.APPEND);
      Path reportFile = dir.resolve("report.json");
      StringWriter err = new StringWriter();
      AtomicInteger exit = new AtomicInteger(-1);

      // When the import runs with --metrics-port 0 on its own thread
      Thread cli = Thread.ofPlatform().name("ferry-cli").start(() -> {
        try (PrintWriter o = new PrintWriter(new StringWriter(), true); PrintWriter e = new PrintWriter(err, true)) {
          exit.set(CliTestSeam.commandLine(o, e, Map.of("WORKOS_SECRET_KEY", KEY)).execute(Ferry.args(
              "import-users", "--csv", users, "--api-url", sim.baseUrl(), "--checkpoint-dir", dir.resolve("state"),
              "--job-id", "m1", "--workers", 2, "--concurrency", 4, "--chunk-size", 50, "--rate-limit", 1000,
              "--max-attempts", 2, "--progress", "never", "--report-json", reportFile, "--metrics-port", 0,
              "--metrics-linger", "5m").toArray(String[]::new)));
        }
      });
      try {
        URI url = URI.create(poll(() -> {
          Matcher m = URL.matcher(err.toString());
          return m.find() ? m.group(1) : null;
        }, "the metrics URL on stderr: " + err));

        // Then a scrape during the run already parses, with its names, types and label sets
        // (a done row made its calls: invalid rows settle without any, so they alone would not show the HTTP meters)
        PrometheusText running = pollScrape(url, t -> t.sum("ferry_rows_total", Map.of("outcome", "done")) > 0
            && !t.samples("ferry_http_requests_total").isEmpty());
        assertThat(running.type("ferry_rows_total")).isEqualTo("counter");
        assertThat(running.labelNames("ferry_rows_total")).containsExactly(Set.of("outcome"));
        assertThat(running.samples("ferry_rows_total")).extracting(s -> s.labels().get("outcome"))
            .containsExactlyInAnyOrder("done", "failed", "invalid");
        assertThat(running.sum("ferry_rows_total", Map.of())).isLessThanOrEqualTo(243);
        assertThat(running.type("ferry_http_requests_total")).isEqualTo("counter");
        assertThat(running.labelNames("ferry_http_requests_total"))
            .containsExactly(Set.of("target", "step", "status_class"));
        assertThat(running.type("ferry_http_request_duration_seconds_bucket")).isEqualTo("histogram");
        assertThat(running.labelNames("ferry_http_request_duration_seconds_bucket"))
            .containsExactly(Set.of("target", "step", "le"));
        String target = "127.0.0.1:" + sim.baseUrl().getPort();
        Map<String, String> byTarget = Map.of("target", target);
        for (String gauge : List.of("ferry_rows_in_flight", "ferry_http_requests_in_flight", "ferry_concurrency_limit",
            "ferry_pace_permits_per_second", "ferry_job_rows", "ferry_job_chunks", "ferry_job_chunks_done")) {
          assertThat(running.type(gauge)).as(gauge).isEqualTo("gauge");
        }
        for (String counter : List.of("ferry_http_throttled_total", "ferry_http_retries_total",
            "ferry_http_timeouts_total", "ferry_http_connection_errors_total")) {
          assertThat(running.type(counter)).as(counter).isEqualTo("counter");
          assertThat(running.labelNames(counter)).as(counter).containsExactly(Set.of("target"));
        }
        assertThat(running.value("ferry_job_rows", Map.of("job_id", "m1"))).isEqualTo(243);
        assertThat(running.value("ferry_job_chunks", Map.of("job_id", "m1"))).isEqualTo(5);
        assertThat(running.value("ferry_concurrency_limit", Map.of("job_id", "m1"))).isEqualTo(8);
        assertThat(running.value("ferry_pace_permits_per_second", byTarget)).isEqualTo(985.0);

        // and once the job ended (its report written; the endpoint lingers), the counters add up to the report
        JsonNode report = Ferry.json(poll(() -> readIfPresent(reportFile), "the report file"));
        PrometheusText end = scrape(url);
        assertThat(end.value("ferry_rows_total", Map.of("outcome", "done"))).isEqualTo(report.path("done").asDouble());
        assertThat(end.value("ferry_rows_total", Map.of("outcome", "failed")))
            .isEqualTo(report.path("failed").asDouble());
        assertThat(end.value("ferry_rows_total", Map.of("outcome", "invalid"))).isEqualTo(3)
            .isEqualTo(report.path("invalid").asDouble());
        assertThat(end.sum("ferry_rows_total", Map.of())).isEqualTo(report.path("rows").asDouble()).isEqualTo(243);
        assertThat(end.sum("ferry_http_requests_total", byTarget)).isEqualTo(report.path("requests").asDouble())
            .isEqualTo(sim.stats().requests());
        assertThat(end.sum("ferry_http_requests_total", Map.of("status_class", "5xx")))
            .isEqualTo(sim.stats().errorsInjected());
        assertThat(end.value("ferry_http_request_duration_seconds_count", byTarget))
            .isEqualTo(report.path("requests").asDouble());
        assertThat(end.value("ferry_http_request_duration_seconds_bucket", Map.of("le", "+Inf")))
            .isEqualTo(report.path("requests").asDouble());
        assertThat(end.value("ferry_http_retries_total", byTarget)).isEqualTo(report.path("retries").asDouble());
        assertThat(end.value("ferry_http_throttled_total", byTarget)).isEqualTo(report.path("rate_limited").asDouble());
        assertThat(end.value("ferry_rows_in_flight", Map.of())).isZero();
        assertThat(end.value("ferry_http_requests_in_flight", byTarget)).isZero();
        assertThat(end.value("ferry_job_chunks_done", Map.of("job_id", "m1"))).isEqualTo(5);
      } finally {
        cli.interrupt(); // ends the linger
        cli.join();
      }
      assertThat(exit.get()).as(err.toString()).isEqualTo(1); // finished, with invalid rows
      assertThat(err.toString()).doesNotContain("Exception");
    }
  }

  @Test
  void aSpecJobIsScrapedAsAnImportIs() throws Exception {
    // Given a JSONL spec job (50 users and one malformed line) against the simulator
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(SpecRunCliTest.KEY).build())) {
      Path input = SpecRunCliTest.users(dir, 50);
      Path spec = SpecRunCliTest.spec(dir);
      Path reportFile = dir.resolve("spec-report.json");
      StringWriter err = new StringWriter();
      AtomicInteger exit = new AtomicInteger(-1);

      // When `ferry run` has --metrics-port 0 and lingers after the job
      Thread cli = Thread.ofPlatform().name("ferry-run").start(() -> {
        try (PrintWriter o = new PrintWriter(new StringWriter(), true); PrintWriter e = new PrintWriter(err, true)) {
          exit.set(CliTestSeam.commandLine(o, e, SpecRunCliTest.env(dir, input, sim)).execute(Ferry.args("run", spec,
              "--job-id", "sm", "--checkpoint-dir", dir.resolve("state"), "--workers", 2, "--concurrency", 4,
              "--progress", "never", "--report-json", reportFile, "--metrics-port", 0, "--metrics-linger", "5m",
              "--rate-limit", 1000)
              .toArray(String[]::new)));
        }
      });
      try {
        URI url = URI.create(poll(() -> {
          Matcher m = URL.matcher(err.toString());
          return m.find() ? m.group(1) : null;
        }, "the metrics URL on stderr: " + err));

        // Then once the job ended, the endpoint's counters are the report's and the simulator's
        JsonNode report = Ferry.json(poll(() -> readIfPresent(reportFile), "the report file"));
        PrometheusText end = scrape(url);
        Map<String, String> byTarget = Map.of("target", "127.0.0.1:" + sim.baseUrl().getPort());
        assertThat(end.value("ferry_rows_total", Map.of("outcome", "done"))).isEqualTo(50)
            .isEqualTo(report.path("done").asDouble());
        // (the malformed line was settled invalid when the job was planned, not by this run's rows)
        assertThat(end.value("ferry_rows_total", Map.of("outcome", "invalid"))).isZero();
        assertThat(end.sum("ferry_http_requests_total", byTarget)).isEqualTo(sim.stats().requests())
            .isEqualTo(report.path("requests").asDouble());
        assertThat(end.value("ferry_job_rows", Map.of("job_id", "sm"))).isEqualTo(51);
        assertThat(end.value("ferry_rows_in_flight", Map.of())).isZero();
        // a --rate-limit rate is a pace for a spec too (as import-users'), not a budget of a second
        assertThat(err.toString()).contains("1000 requests per 1s, smooth");
      } finally {
        cli.interrupt(); // ends the linger
        cli.join();
      }
      assertThat(exit.get()).as(err.toString()).isEqualTo(1); // finished, with the malformed line invalid
    }
  }

  @Test
  void aMetricsPortThatCannotBeUsedIsAUsageErrorBeforeAnythingIsSent() throws IOException {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 5, 0);
      List<String> common = Ferry.args("import-users", "--csv", users, "--api-url", sim.baseUrl(), "--checkpoint-dir",
          dir.resolve("state"), "--quiet");

      Ferry.Run inUse = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY),
          Ferry.args(common, "--job-id", "p1", "--metrics-port", taken.getLocalPort()));
      Ferry.Run outOfRange = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY),
          Ferry.args(common, "--job-id", "p2", "--metrics-port", 70000));
      Ferry.Run bindAlone = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY),
          Ferry.args(common, "--job-id", "p3", "--metrics-bind", "0.0.0.0"));

      assertThat(inUse.exit()).as(inUse.toString()).isEqualTo(2);
      assertThat(inUse.err()).contains("--metrics-port " + taken.getLocalPort() + ": cannot listen on 127.0.0.1:")
          .contains("job p1 is planned and nothing was sent: run it with 'ferry resume p1'")
          .doesNotContain("Exception");
      assertThat(outOfRange.exit()).isEqualTo(2);
      assertThat(outOfRange.err()).contains("--metrics-port must be between 0 and 65535");
      assertThat(bindAlone.exit()).isEqualTo(2);
      assertThat(bindAlone.err()).contains("--metrics-bind needs --metrics-port");
      assertThat(sim.stats().requests()).isZero();

      // and the planned job runs as the message says, with a port that is free
      Ferry.Run resumed = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("resume", "p1", "--checkpoint-dir",
          dir.resolve("state"), "--quiet", "--metrics-port", 0));
      assertThat(resumed.exit()).as(resumed.toString()).isZero();
      assertThat(resumed.err()).containsPattern("ferry: metrics at http://127\\.0\\.0\\.1:\\d+/metrics");
      assertThat(sim.stats().users()).isEqualTo(5);
    }
  }

  private static String readIfPresent(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      return null; // being written: the next attempt reads it
    }
  }

  private static PrometheusText scrape(URI url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return PrometheusText.parse(r.body());
  }

  private static PrometheusText pollScrape(URI url, Predicate<PrometheusText> until) throws Exception {
    for (int i = 0; i < ATTEMPTS; i++) {
      PrometheusText t = scrape(url);
      if (until.test(t)) return t;
      LockSupport.parkNanos(10_000_000L);
    }
    throw new AssertionError("no scrape of " + url + " matched in " + ATTEMPTS + " attempts");
  }

  private interface Attempt<T> {
    T get() throws Exception;
  }

  private static <T> T poll(Attempt<T> attempt, String what) throws Exception {
    for (int i = 0; i < ATTEMPTS; i++) {
      T value = attempt.get();
      if (value != null) return value;
      LockSupport.parkNanos(10_000_000L);
    }
    throw new AssertionError("no " + what + " after " + ATTEMPTS + " attempts");
  }
}
