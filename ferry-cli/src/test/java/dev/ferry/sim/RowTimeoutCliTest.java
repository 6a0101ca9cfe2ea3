package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.CliTestSeam;
import dev.ferry.recipes.workos.UserCsvGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --row-timeout} end to end, through the CLI against the simulator over real HTTP. The simulator's clock is
 * gated, so every request it receives hangs until the test opens the gate: each row's deadline fires while its
 * request is at the API (no race with the answer). The requests then reach the API's state after ferry gave up on
 * them, and a resume sends the rows again with the same idempotency keys: the API replays its answers and no user
 * is created twice.
 */
class RowTimeoutCliTest {
  private static final String KEY = "sk_test_ferry_row_timeout";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private record Run(int exit, JsonNode report, String err) {}

  private static Run ferry(String... args) throws Exception {
    return ferry(Map.of("WORKOS_SECRET_KEY", KEY), args);
  }

  private static Run ferry(Map<String, String> env, String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
      code = CliTestSeam.commandLine(o, e, env).execute(args);
    }
    return new Run(code, out.toString().isBlank() ? JSON.nullNode() : JSON.readTree(out.toString()), err.toString());
  }

  @Test
  void rowsCutByTheirTimeoutFailRetryableAndResumeSendsThemAgainWithoutDoubles() throws Exception {
    // Given an API whose every request hangs (its clock's gate is closed), and 5 users
    ManualClock clock = new ManualClock();
    clock.closeGate();
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 5, 0);
    String state = dir.resolve("state").toString();
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(20))
        .build(), clock)) {
      // When the import runs with a row timeout of 300 ms
      Run first = ferry("import-users", "--csv", users.toString(), "--api-url", sim.baseUrl().toString(),
          "--checkpoint-dir", state, "--job-id", "rt", "--workers", "1", "--concurrency", "5", "--rate-limit", "none",
          "--row-timeout", "300ms", "--max-consecutive-failures", "0", "--quiet", "--json");

      // Then every row failed, retryable, with row_timeout named in the errors file, and the job finished (exit 1)
      assertThat(first.exit()).as(first.err()).isEqualTo(1);
      assertThat(first.report().path("failed").asLong()).isEqualTo(5);
      assertThat(first.report().path("retryable_failed").asLong()).isEqualTo(5);
      List<String> errors = Files.readAllLines(Path.of(first.report().path("errors_file").asText()));
      assertThat(errors).hasSize(6);
      assertThat(errors.subList(1, 6)).allSatisfy(l -> assertThat(l).contains("row_timeout"));

      // When the requests the API held go through after ferry gave up on them (they were not cancelled there)
      clock.openGate();
      for (int i = 0; i < 10_000 && sim.stats().usersCreated() < 5; i++) LockSupport.parkNanos(1_000_000);
      assertThat(sim.stats().usersCreated()).isEqualTo(5);

      // And the job is resumed
      Run second = ferry("resume", "rt", "--checkpoint-dir", state, "--quiet", "--json");

      // Then every row is done, and the API created each user once: the resent requests were replayed by key
      assertThat(second.exit()).as(second.err()).isZero();
      assertThat(second.report().path("done").asLong()).isEqualTo(5);
      assertThat(sim.stats().usersCreated()).isEqualTo(5);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(sim.stats().idempotentReplays()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void aSpecJobsRowsAreCutByTheSameTimeout() throws Exception {
    // Given a spec job of 3 JSONL rows, one request each, against an API whose every request hangs
    ManualClock clock = new ManualClock();
    clock.closeGate();
    Path input = dir.resolve("people.jsonl");
    Files.writeString(input, "{\"id\": 1, \"email\": \"a@example.com\"}\n{\"id\": 2, \"email\": \"b@example.com\"}\n"
        + "{\"id\": 3, \"email\": \"c@example.com\"}\n");
    Path spec = dir.resolve("job.yaml");
    Files.writeString(spec, """
        source: { jsonl: { path: "${INPUT}" } }
        targets:
          api:
            base_url: "${API_URL}"
            headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" }
        steps:
          - name: user
            target: api
            request: { method: POST, path: /user_management/users, body: { email: "{{ row.email }}" } }
            idempotency_key: "person-{{ row.id }}"
        key: "{{ row.id }}"
        """);
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(20))
        .build(), clock)) {
      Map<String, String> env = Map.of("INPUT", input.toString(), "API_URL", sim.baseUrl().toString(),
          "WORKOS_SECRET_KEY", KEY);
      // When it runs with a row timeout of 300 ms
      Run run = ferry(env, "run", spec.toString(), "--job-id", "sp", "--checkpoint-dir", dir.resolve("state").toString(),
          "--concurrency", "3", "--rate-limit", "none", "--row-timeout", "300ms", "--quiet", "--json");
      // Then every row failed, retryable, the job finished (exit 1), and the requests never got an answer
      assertThat(run.exit()).as(run.err()).isEqualTo(1);
      assertThat(run.report().path("failed").asLong()).isEqualTo(3);
      assertThat(run.report().path("retryable_failed").asLong()).isEqualTo(3);
      assertThat(Files.readString(Path.of(run.report().path("errors_file").asText()))).contains("row_timeout");
      clock.openGate();
    }
  }

  @Test
  void aRowTimeoutThatIsNotPositiveIsAUsageError() throws Exception {
    Run run = ferry("import-users", "--csv", dir.resolve("none.csv").toString(), "--row-timeout", "0s");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--row-timeout must be positive");
  }
}
