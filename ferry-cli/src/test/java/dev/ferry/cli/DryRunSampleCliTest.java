package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --dry-run} (text output) prints the rendered requests of the first rows only, then one line counting the
 * rows whose requests were rendered and not shown; {@code --show-requests N|all} chooses (a million rows printed 8
 * million lines before). Every row is still rendered and checked: the invalid one is in the report either way.
 */
class DryRunSampleCliTest {
  @TempDir
  Path dir;

  Path spec;

  @BeforeEach
  void given() throws IOException {
    // 30 rows (row 13 has no email: invalid), two steps a row
    List<String> lines = new ArrayList<>(List.of("email,name"));
    for (int i = 1; i <= 30; i++) lines.add((i == 13 ? "" : "u" + i + "@example.com") + ",n" + i);
    Files.write(dir.resolve("users.csv"), lines);
    spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source: { csv: { path: "${INPUT}" } }
        targets:
          api: { base_url: "http://127.0.0.1:1" }
        checks:
          - { require: "{{ length(row.email) != 0 }}", code: no_email }
        steps:
          - name: create
            target: api
            request: { method: POST, path: /users, body: { email: "{{ row.email }}" } }
          - name: tag
            target: api
            request: { method: PUT, path: "/tags/{{ row.email }}" }
        """);
  }

  private Map<String, String> env() {
    return Map.of("INPUT", dir.resolve("users.csv").toString());
  }

  private CliRun dryRun(String... more) {
    List<String> args = new ArrayList<>(List.of("run", spec.toString(), "--dry-run", "--job-id", "d",
        "--progress", "never", "--workers", "1", "--checkpoint-dir", dir.resolve("state").toString()));
    args.addAll(List.of(more));
    return CliRun.run(env(), args);
  }

  private static List<String> shownRows(CliRun run) {
    return run.out().lines().filter(l -> l.startsWith("row ")).map(l -> l.substring(0, l.indexOf(':'))).toList();
  }

  @Test
  void theRequestsOfTheFirstTenRowsAreShownThenOneLineCountsTheOthers() {
    CliRun run = dryRun();
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    List<String> want = new ArrayList<>();
    for (int row = 1; row <= 10; row++) want.addAll(List.of("row " + row + " create", "row " + row + " tag"));
    assertThat(shownRows(run)).as(run.toString()).isEqualTo(want);
    // 29 valid rows, 10 shown: 19 not shown, two requests each
    assertThat(run.out()).contains("... and the requests of 19 more rows (38 requests) rendered and checked, not"
        + " shown (--show-requests N or all to see more)\n");
    assertThat(run.out()).contains("rows        30 = done 29 + failed 0 + invalid 1");
  }

  @Test
  void allShowsEveryRowsRequestsAndNoCount() {
    CliRun run = dryRun("--show-requests", "all");
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(shownRows(run)).hasSize(58).contains("row 30 tag").doesNotContain("row 13 create");
    assertThat(run.out()).doesNotContain("not shown");
  }

  @Test
  void aNumberShowsThatManyRowsAndZeroNone() {
    assertThat(shownRows(dryRun("--show-requests", "3"))).containsExactly("row 1 create", "row 1 tag",
        "row 2 create", "row 2 tag", "row 3 create", "row 3 tag");
    CliRun none = CliRun.run(env(), "run", spec.toString(), "--dry-run", "--job-id", "n", "--progress", "never",
        "--show-requests", "0", "--checkpoint-dir", dir.resolve("state").toString());
    assertThat(shownRows(none)).isEmpty();
    assertThat(none.out()).contains("the requests of 29 rows (58 requests) rendered and checked, not shown"
        + " (--show-requests N or all to see them)\n");
  }

  @Test
  void importUsersDryRunStillPrintsNoRequests() {
    CliRun run = CliRun.run(Map.of(), "import-users", "--csv", dir.resolve("users.csv").toString(), "--dry-run",
        "--job-id", "i", "--progress", "never", "--checkpoint-dir", dir.resolve("state").toString());
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(shownRows(run)).isEmpty();
    assertThat(run.out()).doesNotContain("not shown").contains("rows        30 = done 29 + failed 0 + invalid 1");
  }

  @Test
  void withoutDryRunOrWithABadValueItIsAUsageError() {
    CliRun real = CliRun.run(env(), "run", spec.toString(), "--show-requests", "5", "--checkpoint-dir",
        dir.resolve("state").toString());
    assertThat(real.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(real.errLines()).containsExactly("ferry: --show-requests is for --dry-run (a real run prints no"
        + " requests)");
    CliRun bad = dryRun("--show-requests", "-1");
    assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("'-1' is not a number of rows >= 0 or 'all'");
  }
}
