package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.store.SqliteJobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors file is written whole into place, by each writer from a temporary file of its own. */
class ErrorsFileTest {
  @TempDir
  Path dir;

  @Test
  void aWriterLeavesAnotherWritersTemporaryFileAloneAndLeavesNoneOfItsOwn() throws Exception {
    // Given a job whose input is a CSV, and another process writing the same errors file (its temporary file there)
    Path csv = Files.writeString(dir.resolve("users.csv"), "email,first_name\na@example.com,Ada\n");
    Path errors = dir.resolve("jobs/j/errors.csv");
    Files.createDirectories(errors.getParent());
    Path theirs = Files.writeString(errors.resolveSibling("errors.csv.tmp"), "half written");
    try (JobStore store = SqliteJobStore.open(dir.resolve("ferry.db"))) {
      store.createJob(new JobRecord("j", "workos-import", csv.toString(), Files.size(csv), "00", 1, 1, "{}",
          JobStatus.RUNNING, "", 0, 0));
      // When this process writes it
      long rows = ErrorsFile.write(store, store.findJob("j").orElseThrow(), Set.of(), errors);
      // Then the file is in place (a header, no problem rows), the other writer's file is untouched, and no
      // temporary file of this writer is left behind
      assertThat(rows).isZero();
      assertThat(Files.readAllLines(errors).get(0)).contains("ferry_line").contains("email");
      assertThat(theirs).hasContent("half written");
      try (var files = Files.list(errors.getParent())) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("errors.csv",
            "errors.csv.tmp");
      }
    }
  }
}
