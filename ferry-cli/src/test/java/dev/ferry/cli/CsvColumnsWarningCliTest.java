package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec reading CSV columns its file does not have: at planning, one warning line when the header has none of the
 * columns the templates read by name (a ';'-delimited file reads as one column named "email;name", and every
 * row.email was null, silently), saying the delimiter the file seems to use. Nothing for a file with some of them,
 * as the built-in workos-import reads optional columns (org_id, role_slugs, ...) that many files lack.
 */
class CsvColumnsWarningCliTest {
  @TempDir
  Path dir;

  private static final String SPEC = """
      version: 1
      source:
        csv: { path: "${INPUT}" }
      targets:
        api:
          base_url: "http://127.0.0.1:1"
      steps:
        - name: post
          target: api
          request:
            method: POST
            path: /users
            body: { email: "{{ row.email }}", name: "{{ row.name }}", team: "{{ row.team }}" }
      """;

  @Test
  void aSemicolonDelimitedFileIsNamedInOneWarningLine() throws IOException {
    // Given a spec reading email, name and team, and a file delimited by ';'
    Path csv = Files.writeString(dir.resolve("users.csv"), "email;name\na@example.com;A\n");
    Path spec = Files.writeString(dir.resolve("job.yaml"), SPEC);

    // When it is planned (a dry run)
    CliRun run = run(spec, csv);

    // Then one warning names the columns, the header and the delimiter, and the run goes on
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.errLines().stream().filter(l -> l.startsWith("ferry: warning:"))).as(run.toString())
        .containsExactly("ferry: warning: " + csv + ":1: the header has none of the columns the spec reads (email,"
            + " name, team): each row.email would be empty; header: email;name; the file looks delimited by ';': CSV"
            + " input is comma-separated (docs/csv-input.md)");
  }

  @Test
  void aTabDelimitedFileIsNamedToo() throws IOException {
    Path csv = Files.writeString(dir.resolve("users.tsv"), "email\tname\na@example.com\tA\n");
    CliRun run = run(Files.writeString(dir.resolve("job.yaml"), SPEC), csv);
    assertThat(run.err()).as(run.toString()).contains("the file looks delimited by tabs");
  }

  @Test
  void aFileWithSomeOfTheColumnsIsNotWarnedAbout() throws IOException {
    // team is optional: the file lacks it, and that is no warning
    Path csv = Files.writeString(dir.resolve("users.csv"), "email,name\na@example.com,A\n");
    CliRun run = run(Files.writeString(dir.resolve("job.yaml"), SPEC), csv);
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).doesNotContain("warning");
  }

  @Test
  void theBuiltInWorkosImportOnANormalUsersFilePrintsNothing() throws IOException {
    // Given the built-in spec, which reads many optional columns, and a plain users file
    CliRun shown = CliRun.run(Map.of(), "spec", "show", "workos-import");
    assertThat(shown.exit()).as(shown.toString()).isZero();
    Path spec = Files.writeString(dir.resolve("workos-import.yaml"), shown.out());
    Path csv = Files.writeString(dir.resolve("users.csv"), "email,first_name,last_name\na@example.com,A,B\n");

    // When
    CliRun run = CliRun.run(Map.of("INPUT", csv.toString(), "WORKOS_API_URL", "http://127.0.0.1:1"), "run",
        spec.toString(), "--dry-run", "--job-id", "w1", "--progress", "never", "--checkpoint-dir",
        dir.resolve("state").toString());

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).doesNotContain("warning");
  }

  @Test
  void aMissingRequiredColumnStaysAnErrorAndNamesTheDelimiter() throws IOException {
    Path csv = Files.writeString(dir.resolve("users.csv"), "email;name\na@example.com;A\n");
    Path spec = Files.writeString(dir.resolve("job.yaml"), SPEC.replace("csv: { path: \"${INPUT}\" }",
        "csv: { path: \"${INPUT}\", required_columns: [email] }"));
    CliRun run = run(spec, csv);
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).doesNotContain("warning").contains("no 'email' column in the header (found: email;name);"
        + " the file looks delimited by ';'");
  }

  @Test
  void theImportsMissingEmailErrorNamesTheDelimiter() throws IOException {
    Path csv = Files.writeString(dir.resolve("users.csv"), "email;first_name\na@example.com;A\n");
    CliRun run = CliRun.run(Map.of(), "import-users", "--csv", csv.toString(), "--dry-run", "--quiet", "--checkpoint-dir",
        dir.resolve("state").toString());
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).containsExactly("ferry: " + csv + ":1: no 'email' column in the header (found:"
        + " email;first_name); the file looks delimited by ';': CSV input is comma-separated (docs/csv-input.md)");
  }

  private CliRun run(Path spec, Path csv) {
    return CliRun.run(Map.of("INPUT", csv.toString()), "run", spec.toString(), "--dry-run", "--job-id", "j1",
        "--progress", "never", "--quiet", "--checkpoint-dir", dir.resolve("state").toString());
  }
}
