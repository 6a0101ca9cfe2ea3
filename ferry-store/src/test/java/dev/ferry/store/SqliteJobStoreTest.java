package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.JobStoreContractTest;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStoreTest extends JobStoreContractTest {
  @TempDir
  Path dir;

  @Override
  protected JobStore newStore() {
    return SqliteJobStore.open(dir.resolve(".ferry").resolve("ferry.db"));
  }

  private Path dbFile() {
    return ((SqliteJobStore) store).file();
  }

  @Test
  void everythingSurvivesCloseAndReopen() {
    // Given
    startJob("j", 3);
    store.claimChunk("j", "w1", LEASE, T0);
    store.completeChunk("j", 0, "w1");
    ChunkRecord leased = store.claimChunk("j", "w2", LEASE, T0).orElseThrow();
    store.recordOutcomes("j", List.of(done(1), invalid(2), failed(3, true), failed(4, false)));
    store.putLookup("j", "org", "ext-1", "org_1");
    store.updateStatus("j", JobStatus.STOPPED, "interrupted", T0 + 5);
    List<RowOutcome> problems = problems("j");

    // When
    store.close();
    store = SqliteJobStore.open(dbFile());

    // Then
    assertThat(store.findJob("j")).map(r -> r.status() + "/" + r.message()).contains("STOPPED/interrupted");
    assertThat(store.chunks("j")).extracting(ChunkRecord::state)
        .containsExactly(ChunkState.DONE, ChunkState.LEASED, ChunkState.PENDING);
    assertThat(store.chunks("j").get(1)).isEqualTo(leased);
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(1, 2, 1, 1));
    assertThat(problems("j")).isEqualTo(problems);
    assertThat(store.settledRows("j", chunk(0))).isEqualTo(bits(0, 1, 3));
    assertThat(store.lookups("j", "org")).isEqualTo(Map.of("ext-1", "org_1"));
  }

  @Test
  void createsMissingDirectoriesAndFilesOwnerOnly() throws Exception {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    // Given
    Path file = dir.resolve("a").resolve("b").resolve("ferry.db");

    // When
    try (JobStore s = SqliteJobStore.open(file)) {
      s.createJob(job("j", T0));

      // Then: the WAL sidecars exist while the store is open and are owner-only too
      for (Path p : List.of(file, Path.of(file + "-wal"), Path.of(file + "-shm"))) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
            .isEqualTo("rw-------");
      }
    }
    for (Path p : List.of(dir.resolve("a"), dir.resolve("a").resolve("b"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
          .isEqualTo("rwx------");
    }
  }

  @Test
  void anExistingLaxFileIsMadeOwnerOnly() throws Exception {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    // Given
    Path file = dir.resolve("lax.db");
    SqliteJobStore.open(file).close();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    // When
    SqliteJobStore.open(file).close();

    // Then
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aParentThatIsARegularFileGivesAClearError() throws Exception {
    // Given
    Path notADir = Files.writeString(dir.resolve("state"), "I am a file");
    Path file = notADir.resolve("ferry.db");

    // When / Then
    assertThatThrownBy(() -> SqliteJobStore.open(file)).isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot create the job store " + file)
        .hasMessageContaining(notADir + " exists and is not a directory");
  }

  @Test
  void aDirectoryInPlaceOfTheFileIsRefusedAndLeftAlone() throws Exception {
    // Given
    Path notAFile = Files.createDirectory(dir.resolve("ferry.db"));
    String before = PosixFilePermissions.toString(Files.getPosixFilePermissions(notAFile));

    // When / Then
    assertThatThrownBy(() -> SqliteJobStore.open(notAFile)).isInstanceOf(StoreException.class)
        .hasMessage("cannot create the job store " + notAFile + ": it is a directory");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(notAFile))).isEqualTo(before);
  }

  @Test
  void writingToAReadOnlyDatabaseGivesAClearErrorWithoutRowContent() {
    // Given: a store whose file cannot be written (opened read-only, which works even for root)
    startJob("j", 1);
    store.close();
    store = SqliteJobStore.open(dbFile(), true);

    // When / Then
    RowOutcome secret = RowOutcome.invalid(1, 0, 2, "secret.person@example.com", "email", "very private detail");
    assertThatThrownBy(() -> store.recordOutcomes("j", List.of(secret))).isInstanceOf(StoreException.class)
        .hasMessage("cannot record outcomes of job 'j' in " + dbFile()
            + ": the database is read-only (file or directory not writable) (SQLITE_READONLY)")
        .hasMessageNotContaining("secret.person");
    assertThatThrownBy(() -> store.createJob(job("k", T0))).isInstanceOf(StoreException.class)
        .hasMessageContaining("SQLITE_READONLY");
    // reads still work, and the failed transaction left nothing behind
    assertThat(store.counts("j")).isEqualTo(OutcomeCounts.ZERO);
    assertThat(store.findJob("j")).isPresent();
  }

  @Test
  void aReadOnlyDirectoryGivesAClearErrorWhenNotRoot() throws Exception {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    assumeTrue(!"root".equals(System.getProperty("user.name")), "chmod does not stop root");
    // Given
    Path roDir = Files.createDirectory(dir.resolve("ro"));
    Files.setPosixFilePermissions(roDir, PosixFilePermissions.fromString("r-x------"));
    try {
      // When / Then
      assertThatThrownBy(() -> SqliteJobStore.open(roDir.resolve("ferry.db"))).isInstanceOf(StoreException.class)
          .hasMessageContaining(roDir.resolve("ferry.db").toString());
    } finally {
      Files.setPosixFilePermissions(roDir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void aFileThatIsNotADatabaseIsRefusedClearly() throws Exception {
    // Given
    Path file = Files.writeString(dir.resolve("notes.db"), "x".repeat(4096));

    // When / Then
    assertThatThrownBy(() -> SqliteJobStore.open(file)).isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot open the job store in " + file)
        .hasMessageContaining("not a ferry database");
  }

  @Test
  void aDatabaseFromANewerFerryIsRefused() throws Exception {
    // Given
    Path file = dir.resolve("future.db");
    SqliteJobStore.open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("PRAGMA user_version = " + (Schema.VERSION + 1));
    }

    // When / Then
    assertThatThrownBy(() -> SqliteJobStore.open(file)).isInstanceOf(StoreException.class)
        .hasMessageContaining("written by a newer ferry");
  }

  @Test
  void aVersion1DatabaseIsMigratedKeepingItsJobs() throws Exception {
    // Given a file as version 1 wrote it (no chunks.implied_done) with a planned job
    Path file = dir.resolve("v1.db");
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      s.createJob(job("old", T0));
      s.completePlan("old", plan(2), 2L * CHUNK_SIZE, 1_000, "00", T0);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE chunks DROP COLUMN implied_done");
      st.execute("ALTER TABLE chunks DROP COLUMN source_position");
      st.execute("DROP TABLE processes");
      st.execute("ALTER TABLE jobs DROP COLUMN progress_at");
      st.execute("PRAGMA user_version = 1");
    }

    // When it is opened by this version
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      // Then the job is intact and chunks can be sealed
      assertThat(s.chunks("old")).hasSize(2);
      s.claimChunk("old", "w1", LEASE, T0);
      assertThat(s.sealChunk("old", 0, "w1", java.util.List.of())).isTrue();
      assertThat(s.counts("old").done()).isEqualTo(CHUNK_SIZE);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      assertThat(scalar(st, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.VERSION));
    }
  }

  @Test
  void aVersion2DatabaseGetsTheProcessesTable() throws Exception {
    // Given a file as version 2 wrote it (no processes table) with a planned job
    Path file = dir.resolve("v2.db");
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      s.createJob(job("old", T0));
      s.completePlan("old", plan(1), CHUNK_SIZE, 1_000, "00", T0);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("DROP TABLE processes");
      st.execute("ALTER TABLE chunks DROP COLUMN source_position");
      st.execute("ALTER TABLE jobs DROP COLUMN progress_at");
      st.execute("PRAGMA user_version = 2");
    }

    // When it is opened by this version
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      // Then the job is intact and heartbeats work
      assertThat(s.chunks("old")).hasSize(1);
      assertThat(s.heartbeat("old", "p1", java.time.Duration.ofSeconds(5), T0)).isEqualTo(1);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      assertThat(scalar(st, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.VERSION));
    }
  }

  @Test
  void aVersion3DatabaseGetsChunkPositions() throws Exception {
    // Given a file as version 3 wrote it (no chunks.source_position) with a planned job
    Path file = dir.resolve("v3.db");
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      s.createJob(job("old", T0));
      s.completePlan("old", plan(2), 2L * CHUNK_SIZE, 1_000, "00", T0);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE chunks DROP COLUMN source_position");
      st.execute("ALTER TABLE jobs DROP COLUMN progress_at");
      st.execute("PRAGMA user_version = 3");
    }

    // When it is opened by this version
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      // Then the old job's chunks are file chunks (no position) and a new job keeps its positions
      assertThat(s.chunks("old")).extracting(ChunkRecord::spec).containsExactlyElementsOf(plan(2));
      s.createJob(job("new", T0));
      s.completePlan("new", List.of(new dev.ferry.core.spi.ChunkSpec(0, 0, 1, 1, 3, "i:1-3")), 3, 3, "f", T0);
      assertThat(s.chunks("new")).extracting(c -> c.spec().position()).containsExactly("i:1-3");
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      assertThat(scalar(st, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.VERSION));
    }
  }

  @Test
  void aVersion4DatabaseGetsProgressTimesUnknownUntilARowSettles() throws Exception {
    // Given a file as version 4 wrote it (no jobs.progress_at) with a planned job
    Path file = dir.resolve("v4.db");
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      s.createJob(job("old", T0));
      s.completePlan("old", plan(1), CHUNK_SIZE, 1_000, "00", T0);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE jobs DROP COLUMN progress_at");
      st.execute("PRAGMA user_version = 4");
    }

    // When it is opened by this version
    try (SqliteJobStore s = SqliteJobStore.open(file)) {
      // Then the old job's progress is unknown (0) until a row settles
      s.clock(() -> T0 + 42);
      assertThat(s.progressAtMillis("old")).isZero();
      s.recordOutcomes("old", List.of(done(1)));
      assertThat(s.progressAtMillis("old")).isEqualTo(T0 + 42);
    }
  }

  @Test
  void progressIsTheTimeOfTheLastWriteThatSettledRowsNotOfTheLastStatusChange() {
    // Given a running job, and the store's clock
    long[] now = {T0};
    ((SqlJobStore) store).clock(() -> now[0]);
    startJob("j", 2);
    assertThat(store.progressAtMillis("j")).isZero();

    // When rows settle at T0 + 5 s and T0 + 60 s (the status changed at T0 only)
    now[0] = T0 + 5_000;
    store.recordOutcomes("j", List.of(done(1), invalid(2)));
    now[0] = T0 + 60_000;
    store.recordOutcomes("j", List.of(failed(3, false)));

    // Then progress is the last of them; a seal that implies done rows (a dry run's) is progress too
    assertThat(store.progressAtMillis("j")).isEqualTo(T0 + 60_000);
    assertThat(store.findJob("j").orElseThrow().updatedAtMillis()).isLessThan(T0 + 5_000);
    now[0] = T0 + 90_000;
    store.claimChunk("j", "w1", LEASE, T0 + 90_000);
    store.sealChunk("j", 0, "w1", List.of());
    assertThat(store.progressAtMillis("j")).isEqualTo(T0 + 90_000);
    assertThat(store.progressAtMillis("missing")).isZero();
  }

  @Test
  void runsInWalModeWithTheSchemaVersionSet() throws Exception {
    // Given
    Path file = dbFile();

    // When
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      // Then
      assertThat(scalar(st, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(scalar(st, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.VERSION));
    }
  }

  @Test
  void hotQueriesAreServedByIndexes() throws Exception {
    // Given
    startJob("j", 1);

    // When / Then
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile())) {
      assertThat(plan(c, SqliteJobStore.SETTLED_ROWS))
          .contains("SEARCH outcomes USING PRIMARY KEY (job_id=? AND row>? AND row<?)");
      assertThat(plan(c, SqliteJobStore.PROBLEM_PAGE_ROWS)).contains("USING INDEX outcomes_problems")
          .doesNotContain("TEMP B-TREE");
      assertThat(plan(c, SqliteJobStore.RETRYABLE_BY_CHUNK)).contains("USING INDEX outcomes_retryable");
      assertThat(plan(c, LedgerWriter.PROBE_RETRYABLE)).contains("USING COVERING INDEX outcomes_retryable");
      assertThat(plan(c, SqliteJobStore.CLAIM_PENDING)).contains("USING INDEX chunks_by_state")
          .doesNotContain("TEMP B-TREE");
      assertThat(plan(c, SqliteJobStore.CLAIM_EXPIRED)).contains("USING INDEX chunks_by_state");
      assertThat(plan(c, SqliteJobStore.OPEN_CHUNKS)).contains("USING INDEX chunks_by_state");
    }
  }

  @Test
  void maintainedCountsEqualAnSqlRecount() throws Exception {
    // Given: batches large enough for every statement size and several probe rounds
    int chunks = 100;
    startJob("j", chunks);
    Random random = new Random(7);

    // When
    for (int b = 0; b < 60; b++) {
      List<RowOutcome> batch = new ArrayList<>();
      int size = 1 + random.nextInt(600);
      for (int i = 0; i < size; i++) {
        long row = 1 + random.nextInt(chunks * CHUNK_SIZE);
        batch.add(switch (random.nextInt(4)) {
          case 0 -> done(row);
          case 1 -> invalid(row);
          case 2 -> failed(row, false);
          default -> failed(row, true);
        });
      }
      store.recordOutcomes("j", batch);
    }

    // Then
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile()); Statement st = c.createStatement()) {
      OutcomeCounts recount = new OutcomeCounts(
          Long.parseLong(scalar(st, "SELECT COUNT(*) FROM outcomes WHERE outcome = 'DONE'")),
          Long.parseLong(scalar(st, "SELECT COUNT(*) FROM outcomes WHERE outcome = 'FAILED'")),
          Long.parseLong(scalar(st, "SELECT COUNT(*) FROM outcomes WHERE outcome = 'INVALID'")),
          Long.parseLong(scalar(st, "SELECT COUNT(*) FROM outcomes WHERE outcome = 'FAILED' AND retryable = 1")));
      assertThat(store.counts("j")).isEqualTo(recount);
    }
  }

  private static String scalar(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String plan(Connection c, String sql) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
      int params = ps.getParameterMetaData().getParameterCount();
      ps.setString(1, "j"); // every query starts with job_id = ?
      for (int i = 2; i <= params; i++) {
        ps.setLong(i, 1);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString("detail")).append('\n');
        }
      }
    }
    return plan.toString();
  }
}
