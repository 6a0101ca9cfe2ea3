package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.spec.BuiltinSpecs;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry run SPEC} end to end over real HTTP against the simulator: a JSONL file of users POSTed to it. */
class SpecRunCliTest {
  static final String KEY = ImportUsersCliTest.KEY;

  @TempDir
  Path dir;
  SimServer sim;

  @AfterEach
  void stopSim() {
    if (sim != null) sim.close();
  }

  /** {@code rows} users, one malformed line after the first. */
  static Path users(Path dir, int rows) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= rows; i++) {
      lines.add("{\"email\":\"user" + i + "@example.com\",\"first_name\":\"F" + i + "\",\"last_name\":\"L\"}");
      if (i == 1) lines.add("{\"email\": oops}");
    }
    Path file = dir.resolve("users.jsonl");
    Files.write(file, lines);
    return file;
  }

  static Path spec(Path dir) throws IOException {
    Path spec = dir.resolve("users.yaml");
    Files.writeString(spec, BuiltinSpecs.text("jsonl-users"));
    return spec;
  }

  static Map<String, String> env(Path dir, Path input, SimServer sim) {
    Map<String, String> env = new HashMap<>();
    env.put("INPUT", input.toString());
    env.put("WORKOS_API_URL", sim.baseUrl().toString());
    env.put("WORKOS_SECRET_KEY", KEY);
    env.put("RESULTS", dir.resolve("results.jsonl").toString());
    return env;
  }

  /** Row numbers in the results file, each line's. */
  static List<Long> resultRows(Path dir) throws IOException {
    List<Long> rows = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) rows.add(Ferry.json(line).path("row").asLong());
    return rows;
  }

  @Test
  void runsAJsonlSpecToTheEndWithResultsErrorsAndReport() throws IOException {
    Path input = users(dir, 50);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
    Ferry.Run run = Ferry.run(env(dir, input, sim), Ferry.args("run", spec(dir), "--job-id", "s1",
        "--checkpoint-dir", dir.resolve("state"), "--quiet", "--json", "--workers", 2, "--concurrency", 4));

    assertThat(run.exit()).as(run.toString()).isEqualTo(1); // the malformed line
    JsonNode report = run.outJson();
    assertThat(report.path("status").asText()).isEqualTo("finished");
    assertThat(report.path("rows").asLong()).isEqualTo(51);
    assertThat(report.path("done").asLong()).isEqualTo(50);
    assertThat(report.path("invalid").asLong()).isEqualTo(1);
    SimStats stats = sim.stats();
    assertThat(stats.usersCreated()).isEqualTo(50);
    assertThat(resultRows(dir)).hasSize(50).doesNotHaveDuplicates().doesNotContain(2L);
    assertThat(Files.readString(dir.resolve("results.jsonl"))).contains("\"key\":\"user7@example.com\"");
    List<String> errors = Files.readAllLines(Path.of(report.path("errors_file").asText()));
    assertThat(errors).hasSize(2);
    assertThat(errors.get(1)).startsWith("2,").contains("users.jsonl:2: not valid JSON");
    assertThat(run.out() + run.err()).doesNotContain(KEY);

    Ferry.Run status = Ferry.run(Map.of(), "status", "s1", "--checkpoint-dir", dir.resolve("state").toString());
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).contains("s1");
    Ferry.Run resume = Ferry.run(env(dir, input, sim), "resume", "s1", "--checkpoint-dir",
        dir.resolve("state").toString(), "--quiet", "--json");
    assertThat(resume.exit()).as(resume.toString()).isEqualTo(1);
    assertThat(sim.stats().usersCreated()).isEqualTo(50);
  }

  @Test
  void theJsonlUsersSpecCountsAUserThatAlreadyExistsDoneAsTheImportDoes() throws IOException {
    // Given 10 users of which 3 exist in WorkOS already (created by someone else: a 422 email_not_available)
    Path input = users(dir, 10);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(4).build());
    String existing = SimHttp.createUser(sim, KEY, "user3@example.com");
    SimHttp.createUser(sim, KEY, "user5@example.com");
    SimHttp.createUser(sim, KEY, "user9@example.com");

    // When
    Ferry.Run run = Ferry.run(env(dir, input, sim), Ferry.args("run", spec(dir), "--job-id", "ex1",
        "--checkpoint-dir", dir.resolve("state"), "--quiet", "--json"));

    // Then the existing users are looked up by email and done, with their ids; only the malformed line is not
    assertThat(run.exit()).as(run.toString()).isEqualTo(1); // the malformed line
    JsonNode report = run.outJson();
    assertThat(report.path("done").asLong()).as(run.out()).isEqualTo(10);
    assertThat(report.path("failed").asLong()).isZero();
    assertThat(sim.stats().usersCreated()).isEqualTo(10);
    assertThat(Files.readAllLines(dir.resolve("results.jsonl"))).filteredOn(l -> l.contains("user3@example.com"))
        .singleElement().asString().contains(existing);
  }

  @Test
  void concurrencyAutoRunsASpecUnderTheAdaptiveLimitItsTargetFeeds() throws IOException {
    // Given a spec job of 80 users and --concurrency auto
    Path input = users(dir, 80);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(5).build());
    // When
    Ferry.Run run = Ferry.run(env(dir, input, sim), Ferry.args("run", spec(dir), "--job-id", "auto1",
        "--checkpoint-dir", dir.resolve("state"), "--quiet", "--json", "--workers", 2, "--concurrency", "auto"));
    // Then every row is imported once, and the report shows the adaptive limit (not a fixed 32 per worker)
    assertThat(run.exit()).as(run.toString()).isEqualTo(1); // the malformed line
    JsonNode report = run.outJson();
    assertThat(report.path("done").asLong()).isEqualTo(80);
    assertThat(sim.stats().usersCreated()).isEqualTo(80);
    assertThat(report.path("adaptive").path("final_limit").asInt()).as(report.toString()).isPositive();
    assertThat(report.path("adaptive").path("peak_limit").asInt()).isGreaterThanOrEqualTo(
        report.path("adaptive").path("lowest_limit").asInt());
  }

  @Test
  void aDryRunRendersEveryRequestWithSecretsMaskedAndSendsNothing() throws IOException {
    Path input = users(dir, 5);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
    Ferry.Run run = Ferry.run(env(dir, input, sim), Ferry.args("run", spec(dir), "--job-id", "d1",
        "--checkpoint-dir", dir.resolve("state"), "--dry-run", "--progress", "never"));

    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).contains("POST " + sim.baseUrl().toString().replaceAll("/$", "") + "/user_management/users")
        .contains("user5@example.com").doesNotContain(KEY);
    assertThat(run.out() + run.err()).doesNotContain(KEY);
    assertThat(sim.stats().usersCreated()).isZero();
    assertThat(sim.stats().requestsTo("POST /user_management/users")).isZero();
    assertThat(Files.exists(dir.resolve("results.jsonl"))).isFalse();
  }

  @Test
  void aMissingSecretIsNamedBeforeAnythingIsPlanned() throws IOException {
    Path input = users(dir, 2);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
    Map<String, String> env = env(dir, input, sim);
    env.remove("WORKOS_SECRET_KEY");
    Ferry.Run run = Ferry.run(env, Ferry.args("run", spec(dir), "--checkpoint-dir", dir.resolve("state")));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("users.yaml:11:39: targets.workos.headers.Authorization: parameter"
        + " ${WORKOS_SECRET_KEY} is not defined").doesNotContain("Exception");
  }

  @Test
  void aSqlTableOfUsersIsImportedAndTheIdsWrittenBack() throws Exception {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
    try (dev.ferry.testing.TestDatabase db = dev.ferry.testing.TestDatabase.sqlite(dir);
        java.sql.Connection c = java.sql.DriverManager.getConnection(db.url());
        java.sql.Statement st = c.createStatement()) {
      Path spec = peopleSpec(st, 30, """
          chunk_size: 7
          sink: { sql_update: { url: "${DATABASE_URL}", table: people, key: id, set: { workos_id: user.id } } }
          """);
      Map<String, String> env = peopleEnv(db);
      Ferry.Run run = Ferry.run(env, Ferry.args("run", spec, "--job-id", "q1", "--checkpoint-dir",
          dir.resolve("state"), "--quiet", "--json"));
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.outJson().path("done").asLong()).isEqualTo(30);
      assertThat(sim.stats().usersCreated()).isEqualTo(30);
      try (java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM people WHERE workos_id LIKE 'user_%'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(30);
      }
      // and status counts a SQL source's input in planned rows (it said "(30 bytes)")
      Ferry.Run status = Ferry.run(env, Ferry.args("status", "q1", "--checkpoint-dir", dir.resolve("state")));
      assertThat(status.out()).as(status.toString()).contains("(key id): SELECT").contains(" (30 planned rows)")
          .doesNotContain("bytes)");
    }
  }

  /**
   * A sql_update sink naming a column the table lacks (a typo) is refused when the job is planned, before anything is
   * sent, also by a dry run. Before, a trial against a foreign embeddings API embedded and stored 61 documents (paid
   * calls) whose writes then failed, until the job paused after 50 failures; the stored spec kept the typo for resume.
   */
  @Test
  void aSqlUpdateSinkWithAColumnTheTableLacksIsRefusedBeforeAnythingIsSent() throws Exception {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
    try (dev.ferry.testing.TestDatabase db = dev.ferry.testing.TestDatabase.sqlite(dir);
        java.sql.Connection c = java.sql.DriverManager.getConnection(db.url());
        java.sql.Statement st = c.createStatement()) {
      Path spec = peopleSpec(st, 5, """
          sink: { sql_update: { url: "${DATABASE_URL}", table: people, key: id, set: { workos_idd: user.id } } }
          """);
      Map<String, String> env = peopleEnv(db);
      for (String mode : List.of("--no-dry-run", "--dry-run")) {
        List<Object> args = new java.util.ArrayList<>(List.of("run", spec, "--job-id", "s" + mode.length(),
            "--checkpoint-dir", dir.resolve("state"), "--quiet"));
        if (mode.equals("--dry-run")) args.add(mode);
        Ferry.Run run = Ferry.run(env, Ferry.args(args.toArray()));
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("sql.yaml: sink.sql_update: cannot write the results to people (key id,"
            + " columns workos_idd)").contains("workos_idd").doesNotContain("Exception");
      }
      assertThat(sim.stats().usersCreated()).isZero();
    }
  }

  @Test
  void thePlanningLineOfASqlSourceInASchemaReadsAsOneNote() throws Exception {
    // Given a table in a PostgreSQL schema of its own (the URL's currentSchema)
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
    try (dev.ferry.testing.TestDatabase db = dev.ferry.testing.TestDatabase.postgres();
        java.sql.Connection c = java.sql.DriverManager.getConnection(db.url());
        java.sql.Statement st = c.createStatement()) {
      Path spec = peopleSpec(st, 3, "");
      String schema = db.url().substring(db.url().indexOf("currentSchema=") + "currentSchema=".length());

      // When
      Ferry.Run run = Ferry.run(peopleEnv(db), Ferry.args("run", spec, "--job-id", "q3", "--checkpoint-dir",
          dir.resolve("state"), "--dry-run", "--progress", "never"));

      // Then the schema and the key share one pair of parentheses
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.err()).contains("ferry: planning job q3 from postgresql://127.0.0.1:5432/test (schema " + schema
          + ", key id): SELECT id, email FROM people").doesNotContain(") (key");
    }
  }

  /**
   * A table {@code people} of {@code rows} rows (id, email, an empty workos_id) and a spec that creates a user of each
   * row ({@code key: row.id}) and ends with {@code tail} (its sink, chunk size, ...).
   */
  private Path peopleSpec(java.sql.Statement st, int rows, String tail) throws Exception {
    st.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, workos_id TEXT)");
    for (int i = 1; i <= rows; i++) st.execute("INSERT INTO people (id, email) VALUES (" + i + ", 'p" + i + "@x.io')");
    Path spec = dir.resolve("sql.yaml");
    Files.writeString(spec, """
        source: { sql: { url: "${DATABASE_URL}", query: "SELECT id, email FROM people", key: id } }
        targets:
          workos:
            base_url: "${WORKOS_API_URL}"
            headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" }
        steps:
          - name: user
            target: workos
            request: { method: POST, path: /user_management/users, body: { email: "{{ row.email }}" } }
            idempotency_key: "person-{{ row.id }}"
            capture: { id: "$.id" }
        key: "{{ row.id }}"
        """ + tail);
    return spec;
  }

  private Map<String, String> peopleEnv(dev.ferry.testing.TestDatabase db) {
    return Map.of("DATABASE_URL", db.url(), "WORKOS_API_URL", sim.baseUrl().toString(), "WORKOS_SECRET_KEY", KEY);
  }
}
