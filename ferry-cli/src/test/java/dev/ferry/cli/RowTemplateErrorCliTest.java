package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template that cannot be rendered for a row names its field as well as file:line:column in the row's message
 * (errors file), as the spec's load-time errors do: {@code steps[0].request.body.n}, not only {@code job.yaml:11:22}.
 */
class RowTemplateErrorCliTest {
  @TempDir
  Path dir;

  @Test
  void theRowsMessageNamesTheField() throws IOException {
    Files.write(dir.resolve("in.csv"), List.of("a", "12", "xyz"));
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source: { csv: { path: "${INPUT}" } }
        targets:
          api: { base_url: "http://127.0.0.1:1" }
        steps:
          - name: first
            target: api
            request:
              method: POST
              path: /a
              body: { n: "{{ number(row.a) }}" }
        """);
    Path errors = dir.resolve("errors.csv");
    CliRun run = CliRun.run(Map.of("INPUT", dir.resolve("in.csv").toString()), "run", spec.toString(), "--dry-run",
        "--job-id", "t", "--progress", "never", "--checkpoint-dir", dir.resolve("state").toString(), "--errors-out",
        errors.toString());
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(Files.readAllLines(errors)).element(1).asString().isEqualTo("3,first,,template," + spec
        + ":11:22: steps[0].request.body.n: number(...): 'xyz' is not a number,,,xyz");
  }
}
