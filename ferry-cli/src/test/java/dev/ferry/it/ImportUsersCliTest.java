package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry import-users}, {@code resume} and {@code status} end to end, in this JVM, against the WorkOS
 * simulator on an ephemeral port (issue "ferry 0.1", item 8).
 */
class ImportUsersCliTest {
  static final String KEY = "sk_test_ferry_it";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", KEY);
  static final String USERS = "POST /user_management/users";
  static final String MEMBERSHIPS = "POST /user_management/organization_memberships";

  @TempDir
  Path dir;
  SimServer sim;
  Path state;

  @BeforeEach
  void startSim() {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(7).build());
    state = dir.resolve("state");
  }

  @AfterEach
  void stopSim() {
    sim.close();
  }

  /** Flags every run here shares: this simulator, this state dir, no progress output, no client-side rate limit. */
  List<String> common(String jobId) {
    return List.of("--api-url", sim.baseUrl().toString(), "--checkpoint-dir", state.toString(), "--job-id", jobId,
        "--quiet", "--rate-limit", "none");
  }

  List<String> resumeFlags() {
    return List.of("--checkpoint-dir", state.toString(), "--quiet");
  }

  Path csv(String name, String header, List<String> rows) throws IOException {
    Path f = dir.resolve(name);
    List<String> lines = new ArrayList<>();
    lines.add(header);
    lines.addAll(rows);
    Files.write(f, lines);
    return f;
  }

  static void assertEquationHolds(JsonNode report) {
    assertThat(report.path("done").asLong() + report.path("failed").asLong() + report.path("invalid").asLong())
        .as("done + failed + invalid = rows").isEqualTo(report.path("rows").asLong());
    assertThat(report.path("equation_holds").asBoolean()).isTrue();
  }

  @Test
  void importsUsersWithOrganizationsAndMembershipsAndWritesTheJsonReport() throws IOException {
    // Given
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 300, 7);
    Path reportFile = dir.resolve("report.json");

    // When
    Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("a"), "--workers", 4,
        "--chunk-size", 40, "--create-org-if-missing", "--report-json", reportFile));

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode report = Ferry.readJson(reportFile);
    assertThat(report.has("rows") && report.has("done") && report.has("failed") && report.has("invalid")
        && report.has("requests") && report.has("rate_limited") && report.has("retries") && report.has("elapsed_s")
        && report.has("rows_per_s")).as(report.toString()).isTrue();
    assertThat(report.path("rows").asLong()).isEqualTo(300);
    assertThat(report.path("done").asLong()).isEqualTo(300);
    assertEquationHolds(report);
    assertThat(report.path("status").asText()).isEqualTo("finished");
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(300);
    assertThat(s.memberships()).isEqualTo(300);
    assertThat(s.organizations()).isEqualTo(7);
    assertThat(s.duplicateCreations()).isZero();
    assertThat(s.requestsTo(USERS)).isEqualTo(300);
    assertThat(report.path("requests").asLong()).isEqualTo(s.requests());
    assertThat(run.out()).contains("rows        300 = done 300 + failed 0 + invalid 0");
    // seconds from this (test) process's start to the run's first request: after everything the JVM did so far
    double uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
    assertThat(report.path("first_request_s").isNumber()).as(report.toString()).isTrue();
    assertThat(report.path("first_request_s").asDouble()).isPositive().isLessThan(uptime + 60);
    assertThat(run.out()).containsPattern("first call  [0-9]+\\.[0-9]{2} s after the process started");
  }

  @Test
  void resumeWithAnotherWorkerCountNeverResendsASettledRow() throws IOException {
    // Given: rows 101..110 reference an organization that does not exist, so a run with one worker and one row
    // in flight pauses after 3 failures in a row, at row 103 exactly
    SimHttp.createOrg(sim, KEY, "acme");
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= 200; i++) rows.add("u" + i + "@example.com," + (i > 100 && i <= 110 ? "ghost" : "acme"));
    Path input = csv("users.csv", "email,org_external_id", rows);

    // When
    Ferry.Run first = Ferry.run(ENV, Ferry.args("import-users", "--csv", input, common("b"), "--workers", 1,
        "--concurrency", 1, "--chunk-size", 25, "--max-consecutive-failures", 3, "--json"));

    // Then
    assertThat(first.exit()).as(first.toString()).isEqualTo(3);
    JsonNode r1 = first.outJson();
    assertThat(r1.path("status").asText()).isEqualTo("stopped");
    assertThat(r1.path("stop_reason").asText()).contains("3 rows failed in a row");
    assertThat(r1.path("done").asLong()).isEqualTo(100);
    assertThat(r1.path("failed").asLong()).isEqualTo(3);
    assertThat(r1.path("pending").asLong()).isEqualTo(97);
    assertThat(r1.path("rows_this_run").asLong()).isEqualTo(103);
    assertThat(sim.stats().requestsTo(USERS)).isEqualTo(100);

    // When: resumed with more workers and rows in flight, and no failure limit
    Ferry.Run second = Ferry.run(ENV, Ferry.args("resume", "b", resumeFlags(), "--workers", 3, "--concurrency", 4,
        "--max-consecutive-failures", 0, "--json"));

    // Then: only the 97 unsettled rows were processed, each user and membership sent exactly once overall
    assertThat(second.exit()).as(second.toString()).isEqualTo(1);
    JsonNode r2 = second.outJson();
    assertThat(r2.path("status").asText()).isEqualTo("finished");
    assertThat(r2.path("rows_this_run").asLong()).isEqualTo(97);
    assertThat(r2.path("done").asLong()).isEqualTo(190);
    assertThat(r2.path("failed").asLong()).isEqualTo(10);
    assertEquationHolds(r2);
    SimStats s = sim.stats();
    assertThat(s.requestsTo(USERS)).isEqualTo(190);
    assertThat(s.requestsTo(MEMBERSHIPS)).isEqualTo(190);
    assertThat(s.users()).isEqualTo(190);
    assertThat(s.memberships()).isEqualTo(190);
    assertThat(s.duplicatesRefused()).isZero();
    assertThat(s.idempotentReplays()).isZero();
  }

  @Test
  void aFailureRunThatEndsOnTheLastRowFinishesTheJob() throws IOException {
    // Given: every row references a missing organization; the failure limit is reached by the last row
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= 5; i++) rows.add("u" + i + "@example.com,ghost");
    Path input = csv("users.csv", "email,org_external_id", rows);

    // When
    Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", input, common("b2"), "--workers", 1,
        "--concurrency", 1, "--max-consecutive-failures", 5, "--json"));

    // Then: nothing is left to resume, so the job is finished (exit 1: failed rows), not stopped (exit 3)
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.outJson().path("status").asText()).isEqualTo("finished");
    assertThat(run.outJson().path("failed").asLong()).isEqualTo(5);
    assertThat(run.outJson().has("stop_reason")).isFalse();
    assertThat(statusJson("b2").path("status").asText()).isEqualTo("finished");
  }

  @Test
  void dryRunMakesNoApiCallsAndNeedsNoKey() throws IOException {
    // Given
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 120, 3);

    // When
    Ferry.Run run = Ferry.run(Map.of(), Ferry.args("import-users", "--csv", users, common("c"), "--dry-run",
        "--chunk-size", 50, "--create-org-if-missing", "--json"));

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode r = run.outJson();
    assertThat(r.path("dry_run").asBoolean()).isTrue();
    assertThat(r.path("done").asLong()).isEqualTo(120);
    assertThat(r.path("requests").asLong()).isZero();
    assertThat(r.path("first_request_s").isNull()).as("no request, no time to it").isTrue();
    assertThat(sim.stats().requests()).isZero();
  }

  @Test
  void badRowsGoToAnOwnerOnlyErrorsFileAndExitWithOne() throws IOException {
    // Given: chunks of 2 rows; an invalid email, bad metadata, a duplicate email two chunks after its first
    // line, and a row whose organization does not exist (a failure the API decides)
    SimHttp.createOrg(sim, KEY, "acme");
    Path input = csv("users.csv", "email,first_name,metadata,org_external_id", List.of(
        "a@example.com,A,,acme",                 // line 2: done
        "not-an-email,B,,acme",                  // line 3: invalid email
        "c@example.com,C,\"{\"\"k\"\":1}\",acme", // line 4: metadata value not a string
        "d@example.com,D,,acme",                 // line 5: done
        "A@example.com,E,,acme",                 // line 6: duplicate of line 2 (another chunk)
        "f@example.com,F,,nowhere"));            // line 7: failed, organization not found
    Path errors = dir.resolve("out/errors.csv");

    // When
    Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", input, common("d"), "--chunk-size", 2,
        "--errors-out", errors, "--json"));

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode r = run.outJson();
    assertThat(r.path("done").asLong()).isEqualTo(2);
    assertThat(r.path("invalid").asLong()).isEqualTo(3);
    assertThat(r.path("failed").asLong()).isEqualTo(1);
    assertEquationHolds(r);
    assertThat(r.path("error_rows").asLong()).isEqualTo(4);
    List<String> lines = Files.readAllLines(errors);
    assertThat(lines.getFirst()).isEqualTo("ferry_line,ferry_step,ferry_http_status,ferry_code,ferry_message,"
        + "ferry_request_id,ferry_secret_omitted,email,first_name,metadata,org_external_id");
    assertThat(lines).hasSize(5);
    assertThat(lines.get(1)).startsWith("3,validate,,email_invalid,").endsWith(",,not-an-email,B,,acme");
    assertThat(lines.get(2)).startsWith("4,validate,,metadata_value_not_string,")
        .endsWith(",c@example.com,C,\"{\"\"k\"\":1}\",acme");
    assertThat(lines.get(3)).startsWith("6,validate,,duplicate_email,").contains("line 2")
        .endsWith(",A@example.com,E,,acme");
    assertThat(lines.get(4)).startsWith("7,organization,404,organization_not_found,").contains("nowhere")
        .endsWith(",f@example.com,F,,nowhere");
    assertThat(String.join("\n", lines)).doesNotContain(KEY);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(errors))).isEqualTo("rw-------");
    assertThat(sim.stats().users()).isEqualTo(2);
  }

  @Test
  void wrongKeyStopsTheJobWithOneLineAndResumeWithTheRightKeyFinishesIt() throws IOException {
    // Given
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 150, 4);
    Map<String, String> wrong = Map.of("WORKOS_SECRET_KEY", "sk_test_wrong");

    // When: pre-warm is on (the default), so the first calls are the organization look-ups
    Ferry.Run stopped = Ferry.run(wrong, Ferry.args("import-users", "--csv", users, common("e"),
        "--create-org-if-missing", "--chunk-size", 50));

    // Then
    assertThat(stopped.exit()).as(stopped.toString()).isEqualTo(3);
    assertThat((stopped.out() + stopped.err()).split("HTTP 401", -1)).as(stopped.toString()).hasSize(2);
    assertThat(stopped.err() + stopped.out()).doesNotContain("internal error").doesNotContain("sk_test_wrong");
    assertThat(statusJson("e").path("status").asText()).isEqualTo("stopped");

    // When
    Ferry.Run resumed = Ferry.run(ENV, Ferry.args("resume", "e", resumeFlags(), "--json"));

    // Then
    assertThat(resumed.exit()).as(resumed.toString()).isZero();
    assertThat(resumed.outJson().path("done").asLong()).isEqualTo(150);
    assertThat(sim.stats().users()).isEqualTo(150);
    assertThat(sim.stats().memberships()).isEqualTo(150);
  }

  @Test
  void wrongKeyDuringTheRowsStopsWithOneLine() throws IOException {
    // Given: no organizations, so the rows themselves meet the 401, many at once
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 200, 0);

    // When
    Ferry.Run stopped = Ferry.run(Map.of("WORKOS_SECRET_KEY", "sk_test_wrong"), Ferry.args("import-users", "--csv",
        users, common("e2"), "--workers", 4, "--concurrency", 8, "--chunk-size", 20));

    // Then
    assertThat(stopped.exit()).as(stopped.toString()).isEqualTo(3);
    assertThat((stopped.out() + stopped.err()).split("HTTP 401", -1)).as(stopped.toString()).hasSize(2);
    JsonNode status = statusJson("e2");
    assertThat(status.path("status").asText()).isEqualTo("stopped");
    assertThat(status.path("done").asLong() + status.path("failed").asLong()).isZero();

    // When
    Ferry.Run resumed = Ferry.run(ENV, Ferry.args("resume", "e2", resumeFlags(), "--workers", 2, "--json"));

    // Then
    assertThat(resumed.exit()).as(resumed.toString()).isZero();
    assertThat(sim.stats().users()).isEqualTo(200);
  }

  @Test
  void usersThatAlreadyExistAreCountedAsDone() throws IOException {
    // Given: 25 of the 100 users exist already
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 100, 2);
    for (int i = 4; i <= 100; i += 4) SimHttp.createUser(sim, KEY, "user" + i + "@example.com");

    // When
    Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("f"), "--chunk-size", 30,
        "--create-org-if-missing", "--json"));

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode r = run.outJson();
    assertThat(r.path("done").asLong()).isEqualTo(100);
    assertThat(r.path("users_existing").asLong()).isEqualTo(25);
    assertThat(r.path("users_created").asLong()).isEqualTo(75);
    assertThat(r.path("error_rows").asLong()).isZero();
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(100);
    assertThat(s.memberships()).isEqualTo(100);
    assertThat(s.duplicateCreations()).isZero();
  }

  @Test
  void racingWorkersCreateEachOrganizationExactlyOnce() throws IOException {
    // Given: 8 workers x 10 rows in flight over chunks of 10 rows, every organization referenced by 5 rows
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 250, 50);
    sim.close();
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(3))
        .jitter(Duration.ofMillis(2)).seed(3).build());

    // When
    Ferry.Run run = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("g"), "--workers", 8,
        "--chunk-size", 10, "--create-org-if-missing", "--no-prewarm", "--json"));

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    SimStats s = sim.stats();
    assertThat(s.organizationsCreated()).isEqualTo(50);
    assertThat(s.requestsTo("POST /organizations")).isEqualTo(50);
    assertThat(s.duplicateCreations()).isZero();
    assertThat(s.duplicatesRefused()).isZero();
    assertThat(s.users()).isEqualTo(250);
    assertThat(s.memberships()).isEqualTo(250);
    assertThat(run.outJson().path("orgs_created").asLong()).isEqualTo(50);
  }

  @Test
  void statusShowsAJobAsTextAndJsonAndListsJobs() throws IOException {
    // Given
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 60, 0);
    assertThat(Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("h"), "--chunk-size", 25)).exit())
        .isZero();

    // When
    Ferry.Run text = Ferry.run(Map.of(), "status", "h", "--checkpoint-dir", state.toString());
    Ferry.Run json = Ferry.run(Map.of(), "status", "h", "--json", "--checkpoint-dir", state.toString());
    Ferry.Run list = Ferry.run(Map.of(), "status", "--checkpoint-dir", state.toString());
    Ferry.Run listJson = Ferry.run(Map.of(), "status", "--json", "--checkpoint-dir", state.toString());

    // Then
    assertThat(text.exit()).isZero();
    assertThat(text.out()).contains("job         h (finished)").contains("rows        60 = done 60 + failed 0")
        .contains("chunks      3 done, 0 leased, 0 pending (of 3; 25 rows each)");
    assertThat(json.exit()).isZero();
    JsonNode j = json.outJson();
    assertThat(j.path("job_id").asText()).isEqualTo("h");
    assertThat(j.path("status").asText()).isEqualTo("finished");
    assertThat(j.path("rows").asLong()).isEqualTo(60);
    assertThat(j.path("done").asLong()).isEqualTo(60);
    assertThat(j.path("pending").asLong()).isZero();
    assertThat(j.path("chunks_done").asLong()).isEqualTo(3);
    assertThat(list.out()).contains("h ").contains("finished");
    assertThat(listJson.outJson().isArray()).isTrue();
    assertThat(listJson.outJson().path(0).path("job_id").asText()).isEqualTo("h");
  }

  @Test
  void usageErrorsExitWithTwoAndOneLine() throws IOException {
    // Given
    Path noEmail = csv("no-email.csv", "first_name,last_name", List.of("Ada,Lovelace"));
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 5, 0);
    String missing = dir.resolve("missing.csv").toString();

    // When / Then
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("i1"), "--bogus")), "--bogus");
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", common("i2"))), "--csv");
    assertUsage(Ferry.run(Map.of(), Ferry.args("import-users", "--csv", users, common("i3"))), "WORKOS_SECRET_KEY");
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", noEmail, common("i4"))), "email");
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", missing, common("i5"))), "missing.csv");
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("i6"), "--workers", 0)), "--workers");
    assertUsage(Ferry.run(ENV, Ferry.args("resume", "nope", resumeFlags())), "nope");
    assertThat(sim.stats().requests()).isZero();
  }

  @Test
  void outputsThatCannotBeWrittenAndEmptyInputsAreUsageErrorsBeforeAnythingIsSent() throws IOException {
    // Given
    Path users = dir.resolve("users.csv");
    UserCsvGenerator.write(users, 5, 0);
    Path aFile = Files.writeString(dir.resolve("a-file"), "x");
    Path empty = Files.writeString(dir.resolve("empty.csv"), "");

    // When / Then: before the fix these ran the whole job, then failed with "internal error" (exit 4)
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("o1"), "--report-json",
        aFile.resolve("report.json"))), "--report-json");
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", users, common("o2"), "--errors-out", dir)),
        "--errors-out");
    assertUsage(Ferry.run(ENV, Ferry.args("import-users", "--csv", empty, common("o3"))), "empty.csv");
    assertThat(sim.stats().requests()).isZero();
  }

  private static void assertUsage(Ferry.Run run, String mentions) {
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains(mentions);
    assertThat(run.out()).isEmpty();
  }

  private JsonNode statusJson(String jobId) {
    Ferry.Run s = Ferry.run(Map.of(), "status", jobId, "--json", "--checkpoint-dir", state.toString());
    assertThat(s.exit()).as(s.toString()).isZero();
    return s.outJson();
  }
}
