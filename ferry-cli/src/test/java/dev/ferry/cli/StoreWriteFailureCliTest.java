package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.store.SqliteJobStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real write failure of the state store through the CLI: ferry runs under {@code ulimit -f} (no file may grow
 * past 1 MiB, as on a full disk; it works for root too, unlike a read-only directory), so the ledger stops
 * accepting writes part way. The job stops with one clear line and exit 3, and a resume without the limit
 * processes exactly the rows whose outcome was not written.
 */
@EnabledOnOs(OS.LINUX)
class StoreWriteFailureCliTest {
  static final int ROWS = 20_000;

  @TempDir
  Path dir;

  @Test
  void aFullDiskStopsTheJobWithOneLineAndResumeFinishesExactly() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash for ulimit");
    // Given: a large input, and sqlite's native library unpacked beforehand (it is unpacked at start otherwise,
    // which the file size limit would forbid)
    Path csv = dir.resolve("users.csv");
    // every row is invalid: a dry run records no ledger row per DONE row (chunks are sealed), but it does record
    // every invalid row, so these rows fill the 1 MiB limit mid-run
    StringBuilder rows = new StringBuilder("email,first_name\n");
    for (int i = 1; i <= ROWS; i++) rows.append("not-an-email-").append(i).append(",Row ").append(i).append('\n');
    Files.writeString(csv, rows);
    Path lib = unpackSqliteLibrary(dir.resolve("lib"));

    // When: the import runs with every file limited to 1 MiB
    ChildFerry ferry = ChildFerry.start(dir, "import", Map.of(), List.of("/bin/bash", "-c", "ulimit -f 1024 && exec \"$@\"",
        "ferry"), List.of("-Dorg.sqlite.lib.path=" + lib.getParent(), "-Dorg.sqlite.lib.name=" + lib.getFileName()),
        List.of("import-users", "--csv", csv.toString(), "--job-id", "full", "--dry-run", "--quiet", "--json",
            "--checkpoint-dir", dir.resolve(".ferry").toString()));

    // Then: one line, naming the store, the operation and the reason; exit 3
    assertThat(ferry.exitCode(Duration.ofSeconds(120))).as(ferry.toString()).isEqualTo(ExitCodes.STOPPED);
    List<String> lines = ferry.stderr().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(ferry.toString()).singleElement().asString()
        .matches("ferry: job full stopped: the state store failed: cannot [a-z0-9 ]+ of job 'full' in .*ferry\\.db:"
            + " .*\\(SQLITE_(FULL|IOERR\\w*)\\)(; rows recorded so far are exact: .*)?");
    JobRecord job;
    OutcomeCounts before;
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve(".ferry/ferry.db"))) {
      job = store.findJob("full").orElseThrow();
      before = store.counts("full");
    }
    // STOPPED, or still RUNNING when the full disk refused even the status update (resume takes either)
    assertThat(job.status().name()).isIn("STOPPED", "RUNNING");
    assertThat(before.total()).isLessThan(ROWS);

    // When: resumed without the limit
    CliRun resumed = CliRun.run(Map.of(), "resume", "full", "--quiet", "--json", "--checkpoint-dir",
        dir.resolve(".ferry").toString());

    // Then: exactly the rows without an outcome are processed
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    JsonNode report = new ObjectMapper().readTree(resumed.out());
    assertThat(report.path("rows_this_run").asLong()).isEqualTo(ROWS - before.total());
    assertThat(report.path("invalid").asLong()).isEqualTo(ROWS);
  }

  private static Path unpackSqliteLibrary(Path dir) throws Exception {
    String resource = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/libsqlitejdbc.so";
    try (InputStream in = SqliteJobStore.class.getResourceAsStream(resource)) {
      assumeTrue(in != null, "sqlite native library " + resource);
      Files.createDirectories(dir);
      Path lib = dir.resolve("libsqlitejdbc.so");
      Files.copy(in, lib);
      return lib;
    }
  }
}
