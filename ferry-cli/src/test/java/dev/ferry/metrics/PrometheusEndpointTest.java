package dev.ferry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.metrics.TaskOutcome;
import dev.ferry.core.spi.Outcome;
import dev.ferry.testing.PrometheusText;
import dev.ferry.testing.Repo;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The Micrometer adapter's names, types and labels, served over real HTTP on loopback. */
class PrometheusEndpointTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Its selector thread would outlive the class (FaultToleranceTest counts the threads left behind). */
  @AfterAll
  static void closeHttp() {
    HTTP.close();
  }

  private static HttpResponse<String> get(URI uri, String method) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void reportedEventsAreServedAsPrometheusTextWithTheirTypesAndLabels() throws Exception {
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(InetAddress.getLoopbackAddress(), 0)) {
      // Given a run's events reported through the SPI
      reportARun(endpoint.recorder());

      // When it is scraped
      HttpResponse<String> response = get(endpoint.uri(), "GET");

      // Then the text parses, with the promised names, types, labels and values
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue(PrometheusEndpoint.CONTENT_TYPE);
      PrometheusText m = PrometheusText.parse(response.body());
      assertThat(m.type("ferry_rows_total")).isEqualTo("counter");
      assertThat(m.labelNames("ferry_rows_total")).containsExactly(Set.of("outcome"));
      assertThat(m.value("ferry_rows_total", Map.of("outcome", "done"))).isEqualTo(1);
      assertThat(m.value("ferry_rows_total", Map.of("outcome", "failed"))).isZero();
      assertThat(m.value("ferry_rows_total", Map.of("outcome", "invalid"))).isEqualTo(3);
      assertThat(m.type("ferry_rows_in_flight")).isEqualTo("gauge");
      assertThat(m.value("ferry_rows_in_flight", Map.of())).isEqualTo(1);

      assertThat(m.type("ferry_http_requests_total")).isEqualTo("counter");
      assertThat(m.labelNames("ferry_http_requests_total")).containsExactly(Set.of("target", "step", "status_class"));
      assertThat(m.value("ferry_http_requests_total", Map.of("status_class", "2xx"))).isEqualTo(1);
      assertThat(m.value("ferry_http_requests_total", Map.of("status_class", "4xx"))).isEqualTo(1);
      assertThat(m.value("ferry_http_requests_total", Map.of("status_class", "none"))).isEqualTo(1);
      assertThat(m.value("ferry_http_throttled_total", Map.of("target", "api:443"))).isEqualTo(1);
      assertThat(m.value("ferry_http_retries_total", Map.of("target", "api:443"))).isEqualTo(1);
      assertThat(m.value("ferry_http_timeouts_total", Map.of("target", "api:443"))).isEqualTo(1);
      assertThat(m.value("ferry_http_connection_errors_total", Map.of("target", "api:443"))).isZero();
      assertThat(m.type("ferry_http_rate_wait_seconds_total")).isEqualTo("counter");
      assertThat(m.value("ferry_http_rate_wait_seconds_total", Map.of("target", "api:443"))).isEqualTo(1.5);
      assertThat(m.value("ferry_http_requests_in_flight", Map.of("target", "api:443"))).isEqualTo(1);

      assertThat(m.type("ferry_http_request_duration_seconds_bucket")).isEqualTo("histogram");
      assertThat(m.labelNames("ferry_http_request_duration_seconds_bucket"))
          .containsExactly(Set.of("target", "step", "le"));
      assertThat(m.value("ferry_http_request_duration_seconds_count", Map.of("step", "create_user"))).isEqualTo(3);
      assertThat(m.value("ferry_http_request_duration_seconds_sum", Map.of("step", "create_user")))
          .isEqualTo(2.043, Offset.offset(1e-9));
      assertThat(m.value("ferry_http_request_duration_seconds_bucket", Map.of("le", "0.005"))).isEqualTo(1);
      assertThat(m.value("ferry_http_request_duration_seconds_bucket", Map.of("le", "0.05"))).isEqualTo(2);
      assertThat(m.value("ferry_http_request_duration_seconds_bucket", Map.of("le", "+Inf"))).isEqualTo(3);

      assertThat(m.value("ferry_concurrency_limit", Map.of("job_id", "job1"))).isEqualTo(24);
      assertThat(m.value("ferry_pace_permits_per_second", Map.of("target", "api:443"))).isEqualTo(49.25);
      assertThat(m.value("ferry_job_chunks", Map.of("job_id", "job1"))).isEqualTo(10);
      assertThat(m.value("ferry_pool_tasks_submitted_total", Map.of("pool", "hooks"))).isEqualTo(1);
      assertThat(m.value("ferry_pool_tasks_total", Map.of("pool", "hooks", "outcome", "completed"))).isEqualTo(1);
      assertThat(m.value("ferry_pool_tasks_total", Map.of("pool", "hooks", "outcome", "rejected"))).isZero();
      assertThat(m.value("ferry_pool_queue_wait_seconds_count", Map.of("pool", "hooks"))).isEqualTo(1);
      // and the process's own meters beside them
      assertThat(m.type("jvm_memory_used_bytes")).isEqualTo("gauge");
      assertThat(m.type("process_cpu_usage")).isEqualTo("gauge");
    }
  }

  /** One of each event and gauge, as a short run with a 429, a retry, a timeout and a pool task reports them. */
  private static void reportARun(MetricsRecorder r) {
    r.taskAdmitted(MetricsRecorder.ROWS, 0);
    r.taskAdmitted(MetricsRecorder.ROWS, 0);
    r.taskEnded(MetricsRecorder.ROWS, 5);
    r.taskAdmitted("a-pool", 0); // another executor's tasks are not rows
    r.rowSettled(Outcome.DONE);
    r.rowsSettled(Outcome.INVALID, 3);
    r.requestStarted("api:443");
    r.recordCallNanos("api:443", "create_user", 201, 40_000_000L);
    r.requestStarted("api:443");
    r.recordCallNanos("api:443", "create_user", 429, 3_000_000L);
    r.throttled("api:443");
    r.retry("api:443");
    r.rateWaitNanos("api:443", 1_500_000_000L); // the retry waited out the 429's pause
    r.requestStarted("api:443");
    r.recordCallNanos("api:443", "create_user", 0, 2_000_000_000L);
    r.timeout("api:443");
    r.requestStarted("api:443"); // still in flight
    r.gauge(Gauge.CONCURRENCY_LIMIT, "job1", () -> 24);
    r.gauge(Gauge.PACE_PERMITS_PER_SECOND, "api:443", () -> 49.25);
    r.gauge(Gauge.JOB_CHUNKS, "job1", () -> 10);
    r.taskSubmitted("hooks");
    r.recordQueueWaitNanos("hooks", 1_000_000L);
    r.taskSettled("hooks", TaskOutcome.COMPLETED);
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsFerryServes() throws Exception {
    // Given every metric a run serves
    Set<String> served;
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(InetAddress.getLoopbackAddress(), 0)) {
      reportARun(endpoint.recorder());
      reportJobGauges(endpoint.recorder());
      served = PrometheusText.parse(endpoint.scrape()).samples().stream().map(PrometheusText.Sample::name)
          .collect(Collectors.toSet());
    }
    // When the dashboard's queries are read
    JsonNode dashboard = new ObjectMapper()
        .readTree(Repo.path("docs/grafana-ferry.json").toFile());
    Set<String> queried = new TreeSet<>();
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> {
      Matcher m = Pattern.compile("ferry_[a-z_]+").matcher(t.path("expr").asText());
      while (m.find()) queried.add(m.group());
    }));
    // Then it asks for the promised views, and each metric it names is served
    assertThat(dashboard.path("panels")).extracting(p -> p.path("title").asText()).contains("Throughput",
        "Latency per call (p50, p95, p99)", "In flight vs limit", "Pace", "429s, retries, timeouts, connection errors");
    assertThat(queried).hasSizeGreaterThan(10);
    assertThat(served).containsAll(queried);
  }

  /** The gauges a job registers that {@link #reportARun} leaves out. */
  private static void reportJobGauges(MetricsRecorder r) {
    r.gauge(Gauge.JOB_ROWS, "job1", () -> 100);
    r.gauge(Gauge.JOB_CHUNKS_DONE, "job1", () -> 1);
  }

  @Test
  void onlyGetAndHeadOfMetricsAreAnswered() throws Exception {
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(InetAddress.getLoopbackAddress(), 0)) {
      URI base = endpoint.uri();
      assertThat(get(base, "HEAD").statusCode()).isEqualTo(200);
      assertThat(get(base.resolve("/"), "GET").statusCode()).isEqualTo(404);
      assertThat(get(base.resolve("/metricsx"), "GET").statusCode()).isEqualTo(404);
      HttpResponse<String> post = get(base, "POST");
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
  }

  @Test
  void statusClassesCoverEveryAnswerAndNoAnswer() {
    assertThat(MicrometerRecorder.statusClass(0)).isEqualTo("none");
    assertThat(MicrometerRecorder.statusClass(101)).isEqualTo("1xx");
    assertThat(MicrometerRecorder.statusClass(204)).isEqualTo("2xx");
    assertThat(MicrometerRecorder.statusClass(304)).isEqualTo("3xx");
    assertThat(MicrometerRecorder.statusClass(429)).isEqualTo("4xx");
    assertThat(MicrometerRecorder.statusClass(599)).isEqualTo("5xx");
    assertThat(MicrometerRecorder.statusClass(600)).isEqualTo("none");
  }

  @Test
  void twoTargetsOnOneHostAndPortHaveAPaceGaugeEach() throws Exception {
    // Given two targets of a spec on one host:port (the simulator's embeddings and points), each with its pace
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.unbound()) {
      URI base = URI.create("http://127.0.0.1:6333/");
      java.util.List<dev.ferry.http.HttpTarget> targets = new java.util.ArrayList<>();
      for (Map.Entry<String, Double> p : java.util.List.of(Map.entry("embeddings", 40.0), Map.entry("qdrant", 25.0))) {
        targets.add(new dev.ferry.http.HttpTarget(base, dev.ferry.http.TargetHeaders.none(),
            java.time.Duration.ofSeconds(1), dev.ferry.core.limit.RateLimiter.smooth(p.getValue(),
            dev.ferry.core.time.Ticker.system()), dev.ferry.core.retry.RetryPolicy.defaults(),
            dev.ferry.core.time.Sleeper.system(), dev.ferry.core.time.Ticker.system(), () -> 0.5,
            endpoint.recorder(), dev.ferry.http.AttemptListener.NONE, dev.ferry.http.NetworkSettings.DIRECT,
            p.getKey()));
      }
      // and an import's target elsewhere, without a name
      targets.add(new dev.ferry.http.HttpTarget(URI.create("http://127.0.0.1:8080/"),
          dev.ferry.http.TargetHeaders.none(), java.time.Duration.ofSeconds(1), dev.ferry.core.limit.RateLimiter
          .smooth(10, dev.ferry.core.time.Ticker.system()), dev.ferry.core.retry.RetryPolicy.defaults(),
          dev.ferry.core.time.Sleeper.system(), dev.ferry.core.time.Ticker.system(), () -> 0.5, endpoint.recorder(),
          dev.ferry.http.AttemptListener.NONE, dev.ferry.http.NetworkSettings.DIRECT));
      try {
        // Then each is a series of its own, under the same metric and target label, told apart by target_name
        PrometheusText m = PrometheusText.parse(endpoint.scrape());
        assertThat(m.value("ferry_pace_permits_per_second", Map.of("target", "127.0.0.1:6333",
            "target_name", "embeddings"))).isEqualTo(40.0);
        assertThat(m.value("ferry_pace_permits_per_second", Map.of("target", "127.0.0.1:6333",
            "target_name", "qdrant"))).isEqualTo(25.0);
        assertThat(m.value("ferry_pace_permits_per_second", Map.of("target", "127.0.0.1:8080",
            "target_name", "127.0.0.1:8080"))).isEqualTo(10.0);
      } finally {
        for (dev.ferry.http.HttpTarget t : targets) t.close();
      }
    }
  }
}
