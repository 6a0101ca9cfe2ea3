package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spec.BuiltinSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a run writes on request ({@code --report-json}, {@code --errors-out}, {@code --timeline}) go into folders
 * that do not exist yet alike.
 */
class OutputFilesCliTest {
  @TempDir
  Path dir;

  @Test
  void everyRequestedFileIsWrittenIntoAFolderThatDidNotExist() throws IOException {
    // Given a spec with one good and one malformed row, and output paths under folders not made yet
    Path input = dir.resolve("users.jsonl");
    Files.writeString(input, "{\"email\":\"ann@example.com\"}\n{\"email\": oops}\n");
    Path spec = dir.resolve("users.yaml");
    Files.writeString(spec, BuiltinSpecs.text("jsonl-users"));
    Path out = dir.resolve("out/run-1");

    // When (before: the report's folder was not made, and the finished run exited 4, "internal error")
    CliRun run = CliRun.run(Map.of("INPUT", input.toString()), "run", spec.toString(), "--dry-run", "--job-id", "o1",
        "--checkpoint-dir", dir.resolve("state").toString(), "--progress", "never",
        "--report-json", out.resolve("report/r.json").toString(), "--errors-out", out.resolve("errors/e.csv").toString(),
        "--timeline", out.resolve("timeline/t.csv").toString());

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(Files.readString(out.resolve("report/r.json"))).contains("\"job_id\" : \"o1\"");
    assertThat(Files.readString(out.resolve("errors/e.csv"))).contains("users.jsonl:2: not valid JSON");
    assertThat(out.resolve("timeline/t.csv")).exists();
  }
}
