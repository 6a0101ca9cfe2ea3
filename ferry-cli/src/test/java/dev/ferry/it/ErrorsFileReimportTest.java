package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The errors file is an input (README, docs/GUARANTEES.md: it can be fed back after fixing): fixed, it imports the
 * rows that failed; a secret ferry left out of it is never lost silently.
 */
class ErrorsFileReimportTest {
  static final String KEY = "sk_test_errors_file";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", KEY);

  @TempDir
  Path dir;
  SimServer sim;

  @BeforeEach
  void startSim() {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
  }

  @AfterEach
  void stopSim() {
    sim.close();
  }

  Ferry.Run importUsers(Path csv, String jobId, Path errors) {
    return Ferry.run(ENV, Ferry.args("import-users", "--csv", csv, "--job-id", jobId, "--api-url", sim.baseUrl(),
        "--checkpoint-dir", dir.resolve("state"), "--rate-limit", "none", "--progress", "never", "--json",
        "--errors-out", errors, "--create-org-if-missing", "--chunk-size", 2));
  }

  @Test
  void theErrorsFileFixedByHandImportsTheRowsThatFailed() throws IOException {
    // Given: a first import with three bad rows among five
    Path input = write("users.csv", "email,first_name,last_name,metadata,org_external_id",
        "a@example.com,Ann,One,,acme",
        "not-an-email,Bob,Two,,acme",
        "c@example.com,Cy,Three,\"{\"\"plan\"\":1}\",acme",
        "d@example.com,Di,Four,,acme",
        "A@example.com,Eve,Five,,acme");
    Path errors = dir.resolve("errors.csv");
    Ferry.Run first = importUsers(input, "first", errors);
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    assertThat(first.outJson().path("invalid").asLong()).isEqualTo(3);

    // When: the user fixes the three rows in the errors file itself and imports it
    String fixed = Files.readString(errors)
        .replace("not-an-email", "b@example.com")
        .replace("\"{\"\"plan\"\":1}\"", "\"{\"\"plan\"\":\"\"pro\"\"}\"")
        .replace("A@example.com", "e@example.com");
    Path again = dir.resolve("errors-fixed.csv");
    Files.writeString(again, fixed);
    Ferry.Run second = importUsers(again, "second", dir.resolve("errors-2.csv"));

    // Then: ferry's diagnostic columns are ignored without a warning, the three users exist with their names
    assertThat(second.exit()).as(second.toString()).isZero();
    JsonNode r = second.outJson();
    assertThat(r.path("rows").asLong()).isEqualTo(3);
    assertThat(r.path("done").asLong()).isEqualTo(3);
    assertThat(second.err()).doesNotContain("unknown column");
    assertThat(sim.stats().users()).isEqualTo(5);
    assertThat(sim.stats().memberships()).isEqualTo(5);
    assertThat(SimHttp.findUser(sim, KEY, "b@example.com").path("first_name").asText()).isEqualTo("Bob");
    assertThat(SimHttp.findUser(sim, KEY, "e@example.com").path("last_name").asText()).isEqualTo("Five");
  }

  @Test
  void aPasswordLeftOutOfTheErrorsFileIsNeverLostOnReimport() throws IOException {
    // Given: two bad rows with passwords
    Path input = write("users.csv", "email,password,first_name",
        "ok@example.com,PWCANARY-ok-123,Ok",
        "bad@@example.com,PWCANARY-bad-123,Bad",
        "worse,PWCANARY-worse-123,Worse");
    Path errors = dir.resolve("errors.csv");
    Ferry.Run first = importUsers(input, "pw1", errors);
    assertThat(first.outJson().path("invalid").asLong()).isEqualTo(2);
    String content = Files.readString(errors);
    assertThat(content).doesNotContain("PWCANARY");
    assertThat(content.lines().skip(1)).allSatisfy(l -> assertThat(l).contains(",password,"));

    // When: the emails are fixed, one password put back, the other left out
    List<String> lines = new ArrayList<>(content.lines().toList());
    lines.set(1, lines.get(1).replace("bad@@example.com,", "bad@example.com,PWCANARY-bad-123"));
    lines.set(2, lines.get(2).replace("worse,", "worse@example.com,"));
    Path again = dir.resolve("errors-fixed.csv");
    Files.write(again, lines);
    Ferry.Run second = importUsers(again, "pw2", dir.resolve("errors-2.csv"));

    // Then: the row with its password is imported; the other is refused, not created without one
    JsonNode r = second.outJson();
    assertThat(r.path("done").asLong()).as(second.toString()).isEqualTo(1);
    assertThat(r.path("invalid").asLong()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("errors-2.csv"))).contains("secret_omitted")
        .contains("worse@example.com").doesNotContain("PWCANARY");
    assertThat(sim.stats().users()).isEqualTo(2);
  }

  private Path write(String name, String header, String... rows) throws IOException {
    Path f = dir.resolve(name);
    List<String> lines = new ArrayList<>();
    lines.add(header);
    lines.addAll(List.of(rows));
    Files.write(f, lines);
    return f;
  }
}
