package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --checkpoint-dir} naming a regular file (or a path under one) is a usage error: exit 2 with one line naming the
 * flag and the path, not exit 3 "state store failed", and the file is left as it was.
 */
class CheckpointDirFileCliTest {
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x");

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"import-users", "run", "resume", "worker", "demo"})
  void aFileIsRefusedAsAUsageError(String command) throws IOException {
    // Given a regular file where the state directory should be, and an input that plans
    Path file = Files.writeString(dir.resolve("state"), "not a directory\n");
    Path csv = Files.writeString(dir.resolve("users.csv"), "email\na@example.com\n");
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        source: { csv: users.csv }
        target: { base_url: "http://127.0.0.1:1" }
        steps:
          - name: post
            request: { method: POST, path: /x, body: { email: "{{ row.email }}" } }
        """);
    List<String> args = new ArrayList<>(List.of(command));
    switch (command) {
      case "import-users" -> args.addAll(List.of("--csv", csv.toString(), "--dry-run"));
      case "run" -> args.add(spec.toString());
      case "resume", "worker" -> args.add("j1");
      default -> args.addAll(List.of("--users", "10"));
    }
    args.addAll(List.of("--checkpoint-dir", file.toString()));

    // When
    CliRun run = CliRun.run(ENV, args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).as(run.toString())
        .containsExactly("ferry: --checkpoint-dir " + file + " is a file, not a directory");
    assertThat(Files.readString(file)).isEqualTo("not a directory\n");
  }

  @Test
  void aPathUnderAFileNamesTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("state"), "x");
    Path under = file.resolve("sub");
    CliRun run = CliRun.run(ENV, "import-users", "--csv", "users.csv", "--checkpoint-dir", under.toString());
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).containsExactly("ferry: --checkpoint-dir " + under + ": " + file
        + " is a file, not a directory");
  }
}
