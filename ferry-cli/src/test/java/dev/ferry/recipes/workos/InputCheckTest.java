package dev.ferry.recipes.workos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.SqliteJobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkosImport#checkInput} and {@link InputCheck}: size and modification time are checked at once, the
 * SHA-256 while the run starts; a changed file is refused either way.
 */
class InputCheckTest {
  @TempDir
  Path dir;
  JobStore store;
  Path csv;

  @BeforeEach
  void plan() throws IOException {
    store = SqliteJobStore.open(dir.resolve("ferry.db"));
    csv = dir.resolve("users.csv");
    UserCsvGenerator.write(csv, 50, 0);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private JobRecord planned(String id) throws IOException {
    ImportSettings settings = new ImportSettings("http://127.0.0.1:1", false, null, null, false, null, false,
        Map.of(), false, new ImportSettings.RunDefaults(1, 1, dev.ferry.core.limit.RateLimitSpec.NONE, 1000));
    return WorkosImport.plan(store, id, csv, 10, settings, WallClock.system(), w -> { });
  }

  /** Changes one byte of the file, keeping its size and modification time. */
  private void rewriteInPlace() throws IOException {
    FileTime mtime = Files.getLastModifiedTime(csv);
    byte[] bytes = Files.readAllBytes(csv);
    bytes[bytes.length - 3] = (byte) (bytes[bytes.length - 3] == 'x' ? 'y' : 'x');
    Files.write(csv, bytes);
    Files.setLastModifiedTime(csv, mtime);
  }

  @Test
  void thePlannedFilePassesAndNoListenerIsCalled() throws Exception {
    // Given
    JobRecord job = planned("j1");
    List<String> changed = new CopyOnWriteArrayList<>();

    // When
    try (InputCheck check = WorkosImport.checkInput(job, store)) {
      check.whenChanged(changed::add);
      check.await();
    }

    // Then
    assertThat(changed).isEmpty();
  }

  @Test
  void anotherModificationTimeIsRefusedAtOnce() throws Exception {
    // Given: the same bytes, touched
    JobRecord job = planned("j2");
    Files.setLastModifiedTime(csv, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));

    // Then
    assertThatThrownBy(() -> WorkosImport.checkInput(job, store)).isInstanceOf(InputException.class)
        .hasMessageContaining("changed since job 'j2' was planned (the same size, but modified since: edited, "
            + "copied over or touched;").hasMessageNotContaining(" -> ");
  }

  @Test
  void anotherSizeIsRefusedAtOnce() throws Exception {
    // Given
    JobRecord job = planned("j3");
    FileTime mtime = Files.getLastModifiedTime(csv);
    Files.writeString(csv, "x@example.com,X,Y\n", java.nio.file.StandardOpenOption.APPEND);
    Files.setLastModifiedTime(csv, mtime);

    // Then
    assertThatThrownBy(() -> WorkosImport.checkInput(job, store)).isInstanceOf(InputException.class)
        .hasMessageContaining("size " + job.inputSize() + " -> ");
  }

  @Test
  void contentChangedUnderTheSameSizeAndTimeIsRefusedByTheHashAndTellsTheListener() throws Exception {
    // Given
    JobRecord job = planned("j4");
    rewriteInPlace();
    List<String> changed = new CopyOnWriteArrayList<>();

    // When: the cheap checks pass
    try (InputCheck check = WorkosImport.checkInput(job, store)) {
      check.whenChanged(changed::add);

      // Then: the hash refuses it
      assertThatThrownBy(check::await).isInstanceOf(InputException.class)
          .hasMessageContaining("changed since job 'j4' was planned (the same size, other content: its SHA-256 "
              + "differs)");
    }
    assertThat(changed).singleElement().asString().contains("changed since job 'j4' was planned");
  }

  @Test
  void aJobPlannedWithoutARecordedTimeIsHashedBeforeAnythingStarts() throws Exception {
    // Given: a job as an older ferry planned it (no modification time recorded), its file rewritten in place
    JobRecord planned = planned("j5");
    store.createJob(new JobRecord("old", planned.kind(), planned.inputPath(), planned.inputSize(),
        planned.inputSha256(), planned.totalRows(), planned.chunkSize(), planned.config(), JobStatus.PLANNING, "",
        0, 0));
    JobRecord old = store.findJob("old").orElseThrow();
    try (InputCheck same = WorkosImport.checkInput(old, store)) {
      same.await();
    }
    rewriteInPlace();

    // Then: refused by checkInput itself, not later
    assertThatThrownBy(() -> WorkosImport.checkInput(old, store)).isInstanceOf(InputException.class)
        .hasMessageContaining("changed since job 'old' was planned");
  }
}
