package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.JobStore;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.store.SqliteJobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real {@code ferry import-users} after its plan ended and before its first row: {@code ferry resume}
 * writes the errors file the job was started with ({@code --errors-out}), not the default one in the checkpoint
 * directory. (The kill trials met it: a job killed in that window resumed into {@code .ferry/jobs/JOB/errors.csv}.)
 *
 * <p>The child is held in that window deterministically: its key comes from a FIFO ({@code --api-key-file}),
 * read once before planning; the run reads it again after the plan, and nobody writes it a second time.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class KilledAfterPlanningTest {
  static final String KEY = "sk_test_killed_after_planning";
  static final int ROWS = 20;

  @TempDir
  Path dir;

  @Test
  void aJobKilledBetweenItsPlanAndItsFirstRowResumesIntoItsErrorsOutFile() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build())) {
      // Given: 20 users and one invalid row; the key in a FIFO, written once
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, ROWS, 0);
      Files.writeString(users, "not-an-email,A,B,true,ext-x\n", StandardOpenOption.APPEND);
      Path fifo = dir.resolve("key.fifo");
      assertThat(new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start().waitFor()).isZero();
      Path errorsOut = dir.resolve("bad-rows.csv");
      Path state = dir.resolve("state");
      ChildFerry ferry = ChildFerry.start(dir, "import", Map.of(), List.of("import-users", "--csv", users.toString(),
          "--api-url", sim.baseUrl().toString(), "--checkpoint-dir", state.toString(), "--job-id", "k1", "--errors-out",
          errorsOut.toString(), "--api-key-file", fifo.toString(), "--quiet", "--progress", "never"));
      Thread.ofVirtual().start(() -> {
        try {
          Files.writeString(fifo, KEY); // blocks until the child opens it, the first time
        } catch (Exception ignored) {
          // the test fails on its own assertions
        }
      });

      // When: the plan is done (the job is running, nothing was sent), the process is killed
      ferry.await("the plan", Duration.ofSeconds(60), () -> status(state).equals("RUNNING"));
      assertThat(sim.stats().requests()).isZero();
      ferry.process.destroyForcibly(); // SIGKILL
      ferry.exitCode(Duration.ofSeconds(30));
      CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), "resume", "k1", "--checkpoint-dir", state.toString(),
          "--quiet", "--json");

      // Then: the errors file is the one the job was started with
      assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
      JsonNode report = new ObjectMapper().readTree(resumed.out());
      assertThat(report.path("errors_file").asText()).isEqualTo(errorsOut.toString());
      assertThat(Files.readAllLines(errorsOut)).hasSize(2).last().asString().contains("email_invalid");
      assertThat(state.resolve("jobs/k1/errors.csv")).doesNotExist();
      assertThat(sim.stats().usersCreated()).isEqualTo(ROWS);
    }
  }

  private static String status(Path state) {
    if (!Files.exists(state.resolve("ferry.db"))) return "";
    try (JobStore store = SqliteJobStore.open(state.resolve("ferry.db"))) {
      return store.findJob("k1").map(j -> j.status().name()).orElse("");
    } catch (RuntimeException e) {
      return ""; // the schema is being made
    }
  }
}
