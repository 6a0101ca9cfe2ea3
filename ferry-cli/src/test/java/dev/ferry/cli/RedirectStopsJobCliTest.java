package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.CreateUserSpec;
import dev.ferry.testing.LoopbackTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec's target (or import-users' API) that redirects every request (http for https, an old host, a base_url
 * missing a version) stops the job at once, as a 401 does: exit 3, no row marked, resumable once base_url is fixed.
 * Before, every row failed for good (not retried by resume) and the job paused only after 50 of them (a spec's) or
 * the import ended with every row failed (exit 1).
 */
class RedirectStopsJobCliTest {
  @TempDir
  Path dir;

  @RegisterExtension final LoopbackTarget server = new LoopbackTarget();


  @Test
  void aTargetThatRedirectsStopsTheJobWithNoRowFailed() throws IOException {
    // Given a target answering 308 to every request, and 200 rows
    AtomicInteger requests = new AtomicInteger();
    server.on("/", ex -> {
      requests.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().add("Location", "https://api.example.com" + ex.getRequestURI());
      ex.sendResponseHeaders(308, -1);
      ex.close();
    });
    List<String> lines = new ArrayList<>(List.of("email"));
    for (int i = 1; i <= 200; i++) lines.add("u" + i + "@example.com");
    Files.write(dir.resolve("users.csv"), lines);
    Path spec = CreateUserSpec.write(dir);

    // When it runs
    CliRun run = CliRun.run(Map.of("INPUT", dir.resolve("users.csv").toString(), "API_URL",
        server.url()), "run", spec.toString(), "--job-id", "r", "--json",
        "--progress", "never", "--workers", "1", "--concurrency", "1", "--checkpoint-dir",
        dir.resolve("state").toString());

    // Then it stopped at the first answer, no row failed, and the reason says what to fix
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.path("failed").asLong()).as(run.toString()).isZero();
    assertThat(report.path("done").asLong()).isZero();
    assertThat(run.err()).contains("ferry: job r stopped: target 'api' redirected step 'create', so no row can get"
        + " past it: the target answered HTTP 308 redirecting to https://api.example.com/users: ferry never follows"
        + " redirects; give the final address as targets.api.base_url ('ferry resume JOB --param NAME=URL' moves a"
        + " planned job whose base_url reads ${NAME})");
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void anImportWhoseApiRedirectsStopsTheJobWithNoRowFailedNamingApiUrl() throws IOException {
    // Given an API answering 301 to every request (an http --api-url for an https API), and 200 rows
    AtomicInteger requests = new AtomicInteger();
    server.on("/", ex -> {
      requests.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().add("Location", "https://api.workos.com" + ex.getRequestURI());
      ex.sendResponseHeaders(301, -1);
      ex.close();
    });
    List<String> lines = new ArrayList<>(List.of("email,first_name"));
    for (int i = 1; i <= 200; i++) lines.add("u" + i + "@example.com,U" + i);
    Files.write(dir.resolve("users.csv"), lines);

    // When it runs
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, "sk_test_redirect_123456"), "import-users", "--csv",
        dir.resolve("users.csv").toString(), "--api-url", server.url(),
        "--job-id", "i", "--json", "--progress", "never", "--workers", "1", "--concurrency", "1",
        "--checkpoint-dir", dir.resolve("state").toString());

    // Then it stopped (exit 3) at the first answer with no row marked (before: every row failed for good, exit 1,
    // and resume sent none of them again), and the reason names the Location and --api-url
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.path("failed").asLong()).as(run.toString()).isZero();
    assertThat(report.path("done").asLong()).isZero();
    assertThat(run.err()).contains("ferry: job i stopped: the API redirected create_user, so no row can get past it:"
        + " the target answered HTTP 301 redirecting to https://api.workos.com/user_management/users: ferry never"
        + " follows redirects; give the final address as --api-url ('ferry resume JOB --api-url URL' moves a planned"
        + " job)").doesNotContain("sk_test_redirect");
    assertThat(requests.get()).isEqualTo(1);
  }
}
