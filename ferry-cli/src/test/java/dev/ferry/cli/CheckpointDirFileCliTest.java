package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --checkpoint-dir} naming a regular file (or a path under one) is a usage error: exit 2 with one line naming the
 * flag and the path, not exit 3 "state store failed" (serve) or "no ferry state in FILE/ferry.db" (status), and the
 * file is left as it was.
 */
class CheckpointDirFileCliTest {
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x");
  /** The webhook-indexer service's parameters too ({@code serve} loads it before its store). */
  static final Map<String, String> SERVE_ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x", "WEBHOOK_SECRET",
      "whsec-123456", "EMBEDDINGS_URL", "http://127.0.0.1:1/v1", "EMBEDDINGS_API_KEY", "k-123456", "QDRANT_URL",
      "http://127.0.0.1:1", "QDRANT_COLLECTION", "pages");

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"import-users", "run", "resume", "worker", "demo", "serve", "status", "status j1"})
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
    Path service = Files.copy(Path.of("../examples/webhook-indexer/service.yaml"), dir.resolve("service.yaml"));
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    switch (command) {
      case "serve" -> args.addAll(List.of(service.toString(), "--port", "0"));
      case "status", "status j1" -> { }
      case "import-users" -> args.addAll(List.of("--csv", csv.toString(), "--dry-run"));
      case "run" -> args.add(spec.toString());
      case "resume", "worker" -> args.add("j1");
      default -> args.addAll(List.of("--users", "10"));
    }
    args.addAll(List.of("--checkpoint-dir", file.toString()));

    // When
    CliRun run = CliRun.run(SERVE_ENV, args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).as(run.toString())
        .containsExactly("ferry: --checkpoint-dir " + file + " is a file, not a directory");
    assertThat(Files.readString(file)).isEqualTo("not a directory\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"import-users", "status"})
  void aPathUnderAFileNamesTheFile(String command) throws IOException {
    Path file = Files.writeString(dir.resolve("state"), "x");
    Path under = file.resolve("sub");
    CliRun run = command.equals("status") ? CliRun.run(ENV, "status", "--checkpoint-dir", under.toString())
        : CliRun.run(ENV, "import-users", "--csv", "users.csv", "--checkpoint-dir", under.toString());
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).containsExactly("ferry: --checkpoint-dir " + under + ": " + file
        + " is a file, not a directory");
  }
}
