package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobStore;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.store.SqliteJobStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regressions around {@code ferry resume}: retryable failures, the errors file, progress counts, the job lock. */
class ResumeCliTest {
  static final String KEY = ImportUsersCliTest.KEY;
  static final Map<String, String> ENV = ImportUsersCliTest.ENV;

  @TempDir
  Path dir;
  SimServer sim;

  @AfterEach
  void stopSim() {
    if (sim != null) sim.close();
  }

  Path state() {
    return dir.resolve("state");
  }

  /** A job whose every row failed with a transient error (HTTP 5xx, attempts exhausted), then a healthy API. */
  private Ferry.Run runAgainstFailingApiThenHeal(String jobId, int rows, List<String> extra) throws IOException {
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, rows, 0);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).errorRate(1.0).seed(1).build());
    int port = sim.port();
    Ferry.Run first = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, "--api-url", sim.baseUrl(),
        "--checkpoint-dir", state(), "--job-id", jobId, "--quiet", "--rate-limit", "none", "--chunk-size", 10,
        "--max-attempts", 1, "--max-consecutive-failures", 0, "--json", extra));
    sim.close();
    sim = SimServer.start(SimConfig.builder().port(port).requiredKey(KEY).seed(2).build());
    return first;
  }

  @Test
  void retryableFailuresAreResentOnResumeAndTheErrorsFileIsRewritten() throws IOException {
    // Given
    Ferry.Run first = runAgainstFailingApiThenHeal("r1", 40, List.of());
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    JsonNode r1 = first.outJson();
    assertThat(r1.path("failed").asLong()).isEqualTo(40);
    assertThat(r1.path("retryable_failed").asLong()).isEqualTo(40);
    Path errors = Path.of(r1.path("errors_file").asText());
    assertThat(Files.readAllLines(errors)).hasSize(41);

    // When: resumed with progress output (plain lines: the test's stderr is no terminal)
    Ferry.Run second = Ferry.run(ENV, "resume", "r1", "--checkpoint-dir", state().toString(), "--json",
        "--progress", "auto");

    // Then
    assertThat(second.exit()).as(second.toString()).isZero();
    JsonNode r2 = second.outJson();
    assertThat(r2.path("done").asLong()).isEqualTo(40);
    assertThat(r2.path("failed").asLong()).isZero();
    assertThat(r2.path("retryable_failed").asLong()).isZero();
    assertThat(r2.path("rows_this_run").asLong()).isEqualTo(40);
    assertThat(sim.stats().users()).isEqualTo(40);
    assertThat(Files.readAllLines(errors)).as("stale rows are gone").hasSize(1);
    assertThat(second.err()).contains("40 rows (0 already settled)");
    String lastProgress = second.errLines().getLast();
    assertThat(lastProgress).as(second.err()).contains(" 40/40 rows 100%");
  }

  @Test
  void resumeWritesTheErrorsFileTheJobWasStartedWith() throws IOException {
    // Given: the first run was told --errors-out
    Path custom = dir.resolve("my-errors.csv");
    Ferry.Run first = runAgainstFailingApiThenHeal("r2", 20, List.of("--errors-out", custom.toString()));
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    assertThat(Files.readAllLines(custom)).hasSize(21);

    // When: resume without --errors-out
    Ferry.Run second = Ferry.run(ENV, "resume", "r2", "--checkpoint-dir", state().toString(), "--json", "--quiet");

    // Then: the same file now matches the ledger (no failed rows left), no second errors file appeared
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(second.outJson().path("errors_file").asText()).isEqualTo(custom.toString());
    assertThat(Files.readAllLines(custom)).hasSize(1);
    assertThat(state().resolve("jobs/r2/errors.csv")).doesNotExist();
  }

  @Test
  void theTemporaryErrorsFilesOfAWriterKilledMidWriteAreRemovedByTheNextRun() throws IOException {
    // Given: what kill -9 during the errors file's write leaves beside it (its owner-only temporary file), and a
    // file of the user's that merely looks alike
    Path custom = dir.resolve("my-errors.csv");
    Ferry.Run first = runAgainstFailingApiThenHeal("r6", 10, List.of("--errors-out", custom.toString()));
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    Path leftover = dir.resolve("my-errors.csv.8726865586084110612.tmp");
    Files.writeString(leftover, "ferry_line,...\n");
    Path users = dir.resolve("my-errors.csv.backup.tmp");
    Files.writeString(users, "mine\n");

    // When
    Ferry.Run second = Ferry.run(ENV, "resume", "r6", "--checkpoint-dir", state().toString(), "--quiet");

    // Then
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(leftover).doesNotExist();
    assertThat(users).hasContent("mine");
    assertThat(Files.readAllLines(custom)).hasSize(1);
  }

  @Test
  void aResumeRefusedBecauseTheJobRunsElsewhereLeavesItsLeasesAndStatusAlone() throws IOException {
    // Given: a stopped job, one chunk leased by "another process", which also holds the job's lock file
    Ferry.Run first = runAgainstFailingApiThenHeal("r3", 30, List.of());
    assertThat(first.exit()).isEqualTo(1);
    try (JobStore store = SqliteJobStore.open(state().resolve("ferry.db"))) {
      store.reopenRetryable("r3");
      assertThat(store.claimChunk("r3", "other/w0", Duration.ofHours(1), System.currentTimeMillis())).isPresent();
    }
    Path lockFile = state().resolve("jobs/r3/lock");
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {

      // When
      Ferry.Run refused = Ferry.run(ENV, "resume", "r3", "--checkpoint-dir", state().toString(), "--quiet");

      // Then
      assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
      assertThat(refused.err()).contains("running in another ferry process");
      assertThat(held.isValid()).isTrue();
    }
    try (JobStore store = SqliteJobStore.open(state().resolve("ferry.db"))) {
      List<ChunkRecord> chunks = store.chunks("r3");
      assertThat(chunks.stream().filter(c -> c.state() == ChunkState.LEASED).map(ChunkRecord::leaseOwner))
          .containsExactly("other/w0");
      assertThat(store.findJob("r3").orElseThrow().status().name()).isEqualTo("FINISHED");
    }
    assertThat(sim.stats().requests()).isZero();
  }

  @Test
  void aChangedInputIsRefusedWithOneLineAndNothingIsSent() throws IOException {
    // Given: a job that stopped with retryable failures, then its input file changed
    Ferry.Run first = runAgainstFailingApiThenHeal("r5", 20, List.of());
    assertThat(first.exit()).isEqualTo(1);
    Files.writeString(dir.resolve("users.csv"), "extra@example.com,X,Y,true,ext-x\n", StandardOpenOption.APPEND);

    // When
    Ferry.Run refused = Ferry.run(ENV, "resume", "r5", "--checkpoint-dir", state().toString(), "--quiet");

    // Then
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.errLines()).hasSize(1);
    assertThat(refused.err()).contains("changed since job 'r5' was planned");
    assertThat(sim.stats().requests()).isZero();
    Ferry.Run status = Ferry.run(Map.of(), "status", "r5", "--json", "--checkpoint-dir", state().toString());
    assertThat(status.outJson().path("status").asText()).isEqualTo("finished");
    assertThat(status.outJson().path("retryable_failed").asLong()).isEqualTo(20);
  }

  @Test
  void aFileRewrittenInPlaceWithItsSizeAndTimeKeptIsRefusedByTheHashAndNeverFinishesTheJob() throws IOException {
    // Given: a job that stopped with retryable failures, then one byte of its input changed, the file's size and
    // modification time kept (the cheap checks pass; only the SHA-256, computed while the run starts, tells)
    Ferry.Run first = runAgainstFailingApiThenHeal("r6", 20, List.of());
    assertThat(first.exit()).isEqualTo(1);
    Path users = dir.resolve("users.csv");
    FileTime mtime = Files.getLastModifiedTime(users);
    byte[] bytes = Files.readAllBytes(users);
    int at = new String(bytes, StandardCharsets.ISO_8859_1).lastIndexOf('@');
    bytes[at - 1] = (byte) (bytes[at - 1] == 'x' ? 'y' : 'x');
    Files.write(users, bytes);
    Files.setLastModifiedTime(users, mtime);

    // When
    Ferry.Run refused = Ferry.run(ENV, "resume", "r6", "--checkpoint-dir", state().toString(), "--quiet");

    // Then
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.errLines()).hasSize(1);
    assertThat(refused.err()).contains("changed since job 'r6' was planned");
    Ferry.Run status = Ferry.run(Map.of(), "status", "r6", "--json", "--checkpoint-dir", state().toString());
    assertThat(status.outJson().path("status").asText()).isEqualTo("stopped");
    assertThat(status.outJson().path("message").asText()).contains("changed since job 'r6' was planned");
  }

  @Test
  void resumingAFinishedJobSendsNothing() throws IOException {
    // Given
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 30, 2);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    Ferry.Run first = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, "--api-url", sim.baseUrl(),
        "--checkpoint-dir", state(), "--job-id", "r4", "--quiet", "--create-org-if-missing"));
    assertThat(first.exit()).as(first.toString()).isZero();
    long requests = sim.stats().requests();

    // When
    Ferry.Run again = Ferry.run(ENV, "resume", "r4", "--checkpoint-dir", state().toString(), "--quiet", "--json");

    // Then
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.outJson().path("rows_this_run").asLong()).isZero();
    assertThat(again.outJson().path("done").asLong()).isEqualTo(30);
    assertThat(again.outJson().path("status").asText()).isEqualTo("finished");
    assertThat(again.outJson().path("equation_holds").asBoolean()).isTrue();
    assertThat(again.err()).as("nothing but the JSON").isEmpty();
    assertThat(sim.stats().requests()).isEqualTo(requests);
  }

  @Test
  void resumingAFinishedJobSaysSoInOneLine() throws IOException {
    // Given a finished job
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 30, 0);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    Ferry.Run first = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, "--api-url", sim.baseUrl(),
        "--checkpoint-dir", state(), "--job-id", "r8", "--quiet"));
    assertThat(first.exit()).as(first.toString()).isZero();
    long requests = sim.stats().requests();

    // When resumed without --json
    Ferry.Run again = Ferry.run(ENV, "resume", "r8", "--checkpoint-dir", state().toString());

    // Then one line says when it finished and that there is nothing to do, and nothing is sent
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out().lines().toList()).singleElement().asString()
        .matches("ferry: job r8 finished at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC: 30 rows settled \\(done 30,"
            + " failed 0, invalid 0\\); nothing to do");
    assertThat(again.err()).isEmpty();
    assertThat(sim.stats().requests()).isEqualTo(requests);
  }

  @Test
  void anOrganizationNotFoundOnResumeSaysWhatCreatesItWithoutNamingAFlagResumeLacks() throws IOException {
    // Given: a job planned without --create-org-if-missing whose one row failed with a transient error, then a
    // healthy API that has no organization 'nowhere'
    Path users = dir.resolve("users.csv");
    Files.write(users, List.of("email,org_external_id", "a@example.com,nowhere"));
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).errorRate(1.0).seed(1).build());
    int port = sim.port();
    Ferry.Run first = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, "--api-url", sim.baseUrl(),
        "--checkpoint-dir", state(), "--job-id", "r7", "--quiet", "--rate-limit", "none", "--no-prewarm",
        "--max-attempts", 1, "--max-consecutive-failures", 0));
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    sim.close();
    sim = SimServer.start(SimConfig.builder().port(port).requiredKey(KEY).seed(2).build());

    // When: 'ferry resume' sends the row again
    Ferry.Run second = Ferry.run(ENV, "resume", "r7", "--checkpoint-dir", state().toString(), "--quiet", "--json");

    // Then: the row fails for the missing organization, and the message says what creates it for this job
    assertThat(second.exit()).as(second.toString()).isEqualTo(1);
    Path errors = Path.of(second.outJson().path("errors_file").asText());
    assertThat(Files.readAllLines(errors)).hasSize(2);
    assertThat(Files.readAllLines(errors).get(1)).contains("organization_not_found",
        "no organization has external_id 'nowhere' (the job was planned without --create-org-if-missing, which"
            + " resume cannot add: create the organization, or import the errors file's rows as a new job with"
            + " --create-org-if-missing)").doesNotContain("pass --create-org-if-missing");
  }
}
