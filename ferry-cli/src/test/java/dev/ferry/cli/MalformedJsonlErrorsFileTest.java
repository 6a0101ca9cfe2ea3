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
 * A JSONL line that does not parse is in the errors file with its text in the {@code record} column, so that it can
 * be fixed and fed back (it was empty: the user had only file:line to go on), unless it may hold a secret field's
 * value: a secret field's name occurs in it, or a {@code \\u} escape that may spell one. Then the column stays empty
 * and {@code ferry_secret_omitted} names the fields; the message names file:line as before.
 */
class MalformedJsonlErrorsFileTest {
  @TempDir
  Path dir;

  @Test
  void aMalformedLineIsKeptUnlessItMayHoldASecret() throws IOException {
    // Given a spec whose JSONL source declares a secret field, and lines that do not parse
    Path input = dir.resolve("users.jsonl");
    Files.write(input, List.of(
        "{\"email\":\"ann@example.com\"}",
        "{\"email\": oops, \"name\":\"Bob\"}",
        "{\"email\":\"c@example.com\", \"Password\": hunter2}",
        "{\"email\":\"d@example.com\", \"p\\u0061ssword\": \"hunter3\" oops}",
        "[1, 2]"));
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source:
          jsonl: { path: "${INPUT}", secret_columns: [password] }
        targets:
          api: { base_url: "http://127.0.0.1:1" }
        steps:
          - name: create
            target: api
            request: { method: POST, path: /users, body: { email: "{{ row.email }}" } }
        """);
    Path errors = dir.resolve("errors.csv");

    // When it is dry-run
    CliRun run = CliRun.run(Map.of("INPUT", input.toString()), "run", spec.toString(), "--dry-run", "--job-id", "m",
        "--progress", "never", "--checkpoint-dir", dir.resolve("state").toString(), "--errors-out", errors.toString());

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    List<String> lines = Files.readAllLines(errors);
    assertThat(lines).as(lines.toString()).containsExactly(
        "ferry_line,ferry_step,ferry_http_status,ferry_code,ferry_message,ferry_request_id,ferry_secret_omitted,record",
        "2,validate,,malformed_row,users.jsonl:2: not valid JSON at column 11: a word that is not a JSON value (text"
            + " needs double quotes),,,\"{\"\"email\"\": oops, \"\"name\"\":\"\"Bob\"\"}\"",
        "3,validate,,malformed_row,users.jsonl:3: not valid JSON at column 39: a word that is not a JSON value (text"
            + " needs double quotes),,password,",
        "4,validate,,malformed_row,users.jsonl:4: not valid JSON at column 54: an unexpected character,,password,",
        "5,validate,,malformed_row,\"users.jsonl:5: expected a JSON object, found an array\",,,\"[1, 2]\"");
    assertThat(Files.readString(errors)).doesNotContain("hunter");
    // and the header of this new job calls the malformed lines invalid, not "already settled" (nothing ran yet)
    assertThat(run.err()).contains("ferry: job m: 5 rows (4 invalid), ").doesNotContain("already settled");
  }

  @Test
  void theHeaderTellsRowsSettledBeforeFromInvalidOnes() {
    assertThat(JobSession.settledBefore(0, 0)).isEqualTo("0 already settled");
    assertThat(JobSession.settledBefore(1200, 0)).isEqualTo("1,200 already settled");
    assertThat(JobSession.settledBefore(2, 2)).isEqualTo("2 invalid");
    assertThat(JobSession.settledBefore(1202, 2)).isEqualTo("1,200 already settled, 2 invalid");
  }
}
