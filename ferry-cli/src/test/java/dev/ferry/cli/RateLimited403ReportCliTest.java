package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.CreateUserSpec;
import dev.ferry.testing.LoopbackTarget;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 403 whose rate-limit headers say the quota is spent (GitHub's way) is a rate limit, paused for and retried like a
 * 429; the report's requests line and the progress line counted it under "429s", which it is not. They say
 * "rate-limited" now; the JSON report's {@code rate_limited} is unchanged.
 */
class RateLimited403ReportCliTest {
  @TempDir
  Path dir;

  @RegisterExtension final LoopbackTarget server = new LoopbackTarget();


  @Test
  void aSpentQuotasForbiddenIsCountedAsRateLimitedNotAs429s() throws IOException {
    // Given a target whose first two answers are 403 with X-RateLimit-Remaining: 0, then 201s; and three rows
    AtomicInteger requests = new AtomicInteger();
    server.on("/", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] body;
      if (requests.incrementAndGet() <= 2) {
        ex.getResponseHeaders().add("X-RateLimit-Limit", "60");
        ex.getResponseHeaders().add("X-RateLimit-Remaining", "0");
        ex.getResponseHeaders().add("Retry-After", "0");
        body = "{\"message\":\"API rate limit exceeded\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(403, body.length);
      } else {
        body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(201, body.length);
      }
      ex.getResponseBody().write(body);
      ex.close();
    });
    Files.write(dir.resolve("rows.csv"), List.of("email", "a@example.com", "b@example.com", "c@example.com"));
    Path spec = CreateUserSpec.write(dir);

    // When it runs, with the progress line on
    CliRun run = CliRun.run(Map.of("INPUT", dir.resolve("rows.csv").toString(), "API_URL",
        server.url()), "run", spec.toString(), "--job-id", "r",
        "--progress", "always", "--rate-limit", "none", "--workers", "1", "--concurrency", "1",
        "--report-json", dir.resolve("report.json").toString(), "--checkpoint-dir", dir.resolve("state").toString());

    // Then every row is done after the two refusals, which the report and the progress line call rate-limited
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).as(run.toString()).contains("requests    5 (retries 2, rate-limited 2, timeouts 0,")
        .doesNotContain("429");
    assertThat(run.err()).contains("in flight").contains("rate-limited 2").doesNotContain("429s");
    assertThat(new ObjectMapper().readTree(dir.resolve("report.json").toFile()).path("rate_limited").asLong())
        .isEqualTo(2);
  }
}
