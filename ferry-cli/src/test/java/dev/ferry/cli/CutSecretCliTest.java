package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.LoopbackTarget;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API's error message is cut to its first 300 characters before a row's secrets are masked in it: a secret the
 * cut fell inside left its first characters in the errors file, the report and the state (no whole form of it was
 * left to mask). They are masked as the whole secret would be.
 */
class CutSecretCliTest {
  static final String TOKEN = "tok-CUTCANARY-0123456789";

  @TempDir
  Path dir;

  @RegisterExtension final LoopbackTarget server = new LoopbackTarget();


  @Test
  void aSecretStraddlingTheCutOfAnEchoedMessageLeavesNoneOfItsCharacters() throws IOException {
    // Given: an API that refuses every row quoting the request's token past character 290 of a long message
    server.on("/", ex -> {
      ex.getRequestBody().readAllBytes();
      String token = URLDecoder.decode(ex.getRequestURI().getRawQuery().substring("t=".length()),
          StandardCharsets.UTF_8);
      byte[] body = ("{\"message\":\"invalid: " + "x".repeat(280) + " token=" + token + " was refused\"}")
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(422, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    Files.write(dir.resolve("rows.csv"), List.of("email", "a@example.com", "b@example.com"));
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source: { csv: { path: "${INPUT}" } }
        targets:
          api: { base_url: "${API_URL}" }
        steps:
          - name: create
            target: api
            request: { method: POST, path: /users, query: { t: "${API_TOKEN}" }, body: { email: "{{ row.email }}" } }
        """);
    Path work = Files.createDirectories(dir.resolve("work"));

    // When
    CliRun run = CliRun.run(Map.of("INPUT", dir.resolve("rows.csv").toString(), "API_URL",
        server.url(), "API_TOKEN", TOKEN), "run", spec.toString(),
        "--job-id", "cut", "--progress", "never", "--checkpoint-dir", work.resolve("state").toString(),
        "--errors-out", work.resolve("errors.csv").toString(), "--report-json", work.resolve("report.json").toString());

    // Then: the message is cut with the secret masked from its first characters; no part of it anywhere
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(Files.readString(work.resolve("errors.csv"))).contains(" token=***\u2026");
    assertThat(run.out() + run.err()).doesNotContain("tok-C");
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
            .doesNotContain("tok-C");
      }
    }
  }
}
