package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.LoopbackTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API that answers 200 with an error body and no error code ({@code {"ok": false, "error": "channel_not_found"}},
 * Slack's way): a rule with an {@code error} path fails those rows with the body's message, and the rows whose answer
 * has {@code "error": null} stay done. Before, a spec could only name error codes (the body has none), so every such
 * row was recorded done with nothing done at the API.
 */
class ErrorBodyRuleCliTest {
  @TempDir
  Path dir;

  @RegisterExtension final LoopbackTarget server = new LoopbackTarget();


  @Test
  void aTwoHundredWhoseErrorPathReadsAValueFailsTheRowWithTheBodysMessage() throws IOException {
    // Given an API refusing every third channel with 200 {"ok": false, "error": "channel_not_found"}
    server.on("/chat.postMessage", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String answer = body.contains("\"gone") ? "{\"ok\":false,\"error\":\"channel_not_found\"}"
          : "{\"ok\":true,\"error\":null,\"ts\":\"1.0\"}";
      byte[] b = answer.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      lines.add("{\"id\":" + i + ",\"channel\":\"" + (i % 3 == 0 ? "gone" : "c") + i + "\"}");
    }
    Files.write(dir.resolve("messages.jsonl"), lines);
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        source: { jsonl: { path: "${INPUT}" } }
        targets:
          slack: { base_url: "${API_URL}" }
        steps:
          - name: post
            target: slack
            request: { method: POST, path: /chat.postMessage, body: { channel: "{{ row.channel }}" } }
            capture: { ts: "$.ts" }
            on: { 2xx: { action: final, error: "$.error" } }
        key: "{{ row.id }}"
        """);

    // When it runs
    CliRun run = CliRun.run(Map.of("INPUT", dir.resolve("messages.jsonl").toString(), "API_URL",
        server.url()), "run", spec.toString(), "--job-id", "eb", "--json",
        "--progress", "never", "--errors-out", dir.resolve("errors.csv").toString(), "--checkpoint-dir",
        dir.resolve("state").toString());

    // Then the three refused rows failed for good with the body's message, the six others are done
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.path("done").asLong()).as(run.toString()).isEqualTo(6);
    assertThat(report.path("failed").asLong()).isEqualTo(3);
    List<String> errors = Files.readAllLines(dir.resolve("errors.csv"));
    assertThat(errors).hasSize(4);
    assertThat(errors.subList(1, 4)).allSatisfy(l -> assertThat(l).contains(",post,200,").contains("channel_not_found"));
  }

  @Test
  void anErrorPathThatIsNotAPathIsASpecError() throws IOException {
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        source: { jsonl: { path: x.jsonl } }
        targets:
          slack: { base_url: "http://127.0.0.1:1" }
        steps:
          - name: post
            target: slack
            request: { method: POST, path: /chat.postMessage }
            on: { 2xx: { action: final, error: "error" } }
        """);

    CliRun run = CliRun.run(Map.of(), "spec", "check", spec.toString());

    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("job.yaml:8:").contains("steps[0].on.2xx.error").doesNotContain("Exception");
  }
}
