package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --api-url} is a base URL: credentials, a query or a fragment in it are refused before anything is planned
 * (the flag's value is stored with the job, and the API's paths would drop a query silently), without quoting it.
 */
class ApiUrlCliTest {
  static final String CANARY = "URLCANARY_5e1d";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x");

  @TempDir
  Path dir;

  @Test
  void credentialsAQueryOrAFragmentInTheApiUrlAreRefusedUnquotedAndNothingIsStored() throws IOException {
    Path csv = dir.resolve("users.csv");
    Files.writeString(csv, "email\nann@example.com\n");
    Path state = dir.resolve("state");
    for (String url : new String[] {"http://admin:" + CANARY + "@127.0.0.1:1", "http://127.0.0.1:1/?token=" + CANARY,
        "http://127.0.0.1:1/#" + CANARY}) {
      // When
      CliRun run = CliRun.run(ENV, "import-users", "--csv", csv.toString(), "--api-url", url, "--checkpoint-dir",
          state.toString(), "--job-id", "j", "--progress", "never");

      // Then
      assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).startsWith("ferry: --api-url takes a base URL").contains("the value is not shown");
      assertThat(run.out() + run.err()).doesNotContain(CANARY);
    }
    assertThat(CliRun.run(ENV, "import-users", "--csv", csv.toString(), "--api-url",
        "http://admin:" + CANARY + "@127.0.0.1:1", "--checkpoint-dir", state.toString(), "--dry-run").err())
        .contains("credentials (user:password@)");
    if (Files.exists(state)) {
      try (Stream<Path> files = Files.walk(state)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain(CANARY);
        }
      }
    }
  }

  @Test
  void aUrlThatIsNotHttpIsStillQuotedWhenItHoldsNothingToHide() {
    CliRun run = CliRun.run(ENV, "import-users", "--csv", "x.csv", "--api-url", "ftp://example.com", "--dry-run");
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--api-url 'ftp://example.com' is not an http(s) URL");
    CliRun hidden = CliRun.run(ENV, "import-users", "--csv", "x.csv", "--api-url", "ftp://u:" + CANARY + "@h",
        "--dry-run");
    assertThat(hidden.err()).contains("--api-url is not an http(s) URL").doesNotContain(CANARY);
  }
}
