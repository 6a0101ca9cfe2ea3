package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * The built-in spec {@code workos-import}, printed by {@code ferry spec show} and run with {@code ferry run}, imports
 * exactly as {@code ferry import-users} does: the same rows done, failed and invalid, the same users, organizations
 * and memberships in the simulator, nothing created twice.
 */
class WorkosImportSpecTest {
  static final String KEY = ImportUsersCliTest.KEY;
  static final String HEADER = "email,first_name,last_name,email_verified,external_id,org_id,org_external_id,org_name,"
      + "role_slugs,metadata,password";

  @TempDir
  Path dir;
  final List<SimServer> sims = new ArrayList<>();

  @AfterEach
  void stopSims() {
    sims.forEach(SimServer::close);
  }

  SimServer sim() {
    SimServer s = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(11).multipleRoles(true).build());
    sims.add(s);
    return s;
  }

  /** Users over 5 organizations, and one row of each kind the import treats apart. */
  static Path input(Path dir, int users) throws IOException {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    for (int i = 1; i <= users; i++) {
      String roles = i % 10 == 0 ? "admin" : i % 15 == 0 ? "\"admin, billing\""
          : i % 21 == 0 ? "\"[\"\"member\"\"]\"" : "";
      lines.add("user" + i + "@example.com,F" + i + ",L" + i + "," + (i % 3 == 0 ? "false" : i % 3 == 1 ? "yes" : "")
          + ",ext-" + i + ",,org-" + (i % 5) + ",\"Org " + (i % 5) + ", Inc.\"," + roles + ","
          + (i % 7 == 0 ? "\"{\"\"plan\"\":\"\"pro\"\"}\"" : "") + "," + (i % 11 == 0 ? "pw-" + i + "-Secret!" : ""));
    }
    lines.add("solo@example.com,Solo,,true,,,,,,,");                           // no organization: no membership
    lines.add("USER1@Example.com,Dup,,,,,org-1,,,,");                         // a repeated email: invalid
    lines.add("not-an-email,,,,,,org-1,,,,");                                 // invalid email
    lines.add("maybe@example.com,,,perhaps,,,org-1,,,,maybe-Secret!");        // invalid email_verified
    lines.add("role@example.com,,,,,,,,admin,,");                             // a role without organization: invalid
    lines.add("meta@example.com,,,,,,org-2,,,\"[1,2]\",");                    // metadata not an object: invalid
    lines.add("meta2@example.com,,,,,,org-2,,,\"{\"\"n\"\":1}\",");              // a metadata value not a string
    lines.add("meta3@example.com,,,,,,org-2,,,\"{\"\"\"\":\"\"x\"\"}\",");        // an empty metadata key: invalid
    lines.add("existing@example.com,Ex,Isting,,,,org-3,,member,,");           // already in WorkOS: looked up, done
    lines.add("ghost-id@example.com,,,,,org_does_not_exist,,,,,");           // unknown org_id: fails
    Path file = dir.resolve("users.csv");
    Files.write(file, lines);
    return file;
  }

  Map<String, String> env(Path input, SimServer sim) {
    Map<String, String> env = new HashMap<>();
    env.put("INPUT", input.toString());
    env.put("WORKOS_API_URL", sim.baseUrl().toString());
    env.put("WORKOS_SECRET_KEY", KEY);
    env.put("CREATE_ORG_IF_MISSING", "true");
    return env;
  }

  /** {@code ferry spec show workos-import > my-import.yaml}. */
  Path shownSpec() throws IOException {
    Ferry.Run show = Ferry.run(Map.of(), "spec", "show", "workos-import");
    assertThat(show.exit()).as(show.toString()).isZero();
    Path spec = dir.resolve("my-import.yaml");
    Files.writeString(spec, show.out());
    return spec;
  }

  @Test
  void theBuiltInSpecImportsExactlyAsImportUsers() throws IOException {
    // Given: the same input, two simulators, the same user already in each
    Path input = input(dir, 150);
    SimServer a = sim();
    SimServer b = sim();
    SimHttp.createUser(a, KEY, "existing@example.com");
    SimHttp.createUser(b, KEY, "existing@example.com");

    // When
    Ferry.Run imported = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", input,
        "--api-url", a.baseUrl(), "--create-org-if-missing", "--job-id", "i1", "--checkpoint-dir",
        dir.resolve("state-a"), "--quiet", "--json", "--rate-limit", "none", "--workers", 3, "--chunk-size", 40));
    Ferry.Run ran = Ferry.run(env(input, b), Ferry.args("run", shownSpec(), "--job-id", "s1", "--checkpoint-dir",
        dir.resolve("state-b"), "--quiet", "--json", "--rate-limit", "none", "--workers", 3, "--chunk-size", 40));

    // Then
    assertThat(ran.exit()).as(ran.toString()).isEqualTo(imported.exit()).isEqualTo(1);
    JsonNode want = imported.outJson();
    JsonNode got = ran.outJson();
    for (String field : List.of("rows", "done", "failed", "invalid", "status")) {
      assertThat(got.path(field)).as(field + "\n" + imported + "\n" + ran).isEqualTo(want.path(field));
    }
    assertThat(got.path("invalid").asLong()).isEqualTo(7);
    assertThat(got.path("failed").asLong()).isEqualTo(1);
    // the report's counts: import-users' users/orgs/memberships created and existing are the spec's steps'
    JsonNode steps = got.path("steps");
    assertThat(steps.path("user").path("ok").asLong()).isEqualTo(want.path("users_created").asLong()).isEqualTo(151);
    assertThat(steps.path("user").path("existing").asLong()).isEqualTo(want.path("users_existing").asLong())
        .isEqualTo(1);
    assertThat(steps.path("org").path("created").asLong()).isEqualTo(want.path("orgs_created").asLong());
    assertThat(steps.path("membership").path("ok").asLong()).isEqualTo(want.path("memberships_created").asLong());
    assertThat(steps.path("org_by_id").path("failed").asLong()).isEqualTo(1);
    SimStats sa = a.stats();
    SimStats sb = b.stats();
    assertThat(sb.users()).isEqualTo(sa.users()).isEqualTo(152);
    assertThat(sb.usersCreated()).isEqualTo(sa.usersCreated());
    assertThat(sb.organizations()).isEqualTo(sa.organizations()).isEqualTo(5);
    assertThat(sb.memberships()).isEqualTo(sa.memberships()).isEqualTo(151);
    assertThat(sb.duplicateCreations()).isEqualTo(sa.duplicateCreations()).isZero();
    assertThat(sb.requestsTo("POST /organizations")).isEqualTo(5);
    assertThat(SimHttp.findUser(b, KEY, "user11@example.com").toString()).doesNotContain("Secret!");
    String errors = Files.readString(dir.resolve("state-b/jobs/s1/errors.csv"));
    assertThat(errors).contains("maybe@example.com").contains("email_verified_invalid").contains("password")
        .doesNotContain("Secret!");
    // the report's counters and the errors file's diagnostics as import-users names them
    for (String counter : List.of("users_created", "users_existing", "users_deleted", "orgs_created",
        "orgs_existing", "memberships_created", "memberships_existing")) {
      assertThat(got.path(counter)).as(counter).isEqualTo(want.path(counter));
    }
    assertThat(diagnostics(dir.resolve("state-b/jobs/s1/errors.csv")))
        .isEqualTo(diagnostics(dir.resolve("state-a/jobs/i1/errors.csv")))
        .contains("153,validate,,duplicate_email", "161,organization,404,entity_not_found");
    assertThat(errors).contains("email USER1@Example.com already appears on line 2");
  }

  /** Each row's line, step, HTTP status and code in an errors file. */
  static List<String> diagnostics(Path errorsFile) throws IOException {
    return Files.readAllLines(errorsFile).stream().skip(1).map(l -> String.join(",",
        java.util.Arrays.asList(l.split(",", -1)).subList(0, 4))).toList();
  }

  @Test
  void organizationsByIdAndTheDefaultOrganizationAsImportUsersWithoutCreating() throws IOException {
    // Given: in each simulator an organization known by id and one by external id; rows use either, or neither
    // (the default organization: --org-external-id / ORG_EXTERNAL_ID), or one that does not exist
    List<Ferry.Run> runs = new ArrayList<>();
    List<SimServer> both = List.of(sim(), sim());
    for (int i = 0; i < 2; i++) {
      SimServer sim = both.get(i);
      String byId = SimHttp.createOrg(sim, KEY, "by-id");
      SimHttp.createOrg(sim, KEY, "acme");
      List<String> lines = new ArrayList<>(List.of(HEADER));
      for (int u = 1; u <= 40; u++) {
        String org = switch (u % 4) {
          case 0 -> byId + ",";
          case 1 -> ",acme";
          case 2 -> ",";                                   // the default organization
          default -> u == 3 ? ",nowhere" : byId + ",acme"; // nowhere: not found (not created); both: the id wins
        };
        lines.add("u" + u + "@example.com,,,,," + org + ",," + (u % 8 == 0 ? "admin" : "") + ",,");
      }
      Path input = dir.resolve("orgs-" + i + ".csv");
      Files.write(input, lines);
      Path state = dir.resolve("orgs-state-" + i);
      if (i == 0) {
        runs.add(Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", input, "--api-url",
            sim.baseUrl(), "--org-external-id", "acme", "--job-id", "o1", "--checkpoint-dir", state, "--quiet",
            "--json", "--rate-limit", "none")));
      } else {
        Map<String, String> env = env(input, sim);
        env.remove("CREATE_ORG_IF_MISSING");
        env.put("ORG_EXTERNAL_ID", "acme");
        runs.add(Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "o1", "--checkpoint-dir", state, "--quiet",
            "--json", "--rate-limit", "none")));
      }
    }
    // Then
    JsonNode want = runs.get(0).outJson();
    JsonNode got = runs.get(1).outJson();
    for (String field : List.of("rows", "done", "failed", "invalid", "status")) {
      assertThat(got.path(field)).as(field + "\n" + runs.get(0) + "\n" + runs.get(1)).isEqualTo(want.path(field));
    }
    assertThat(got.path("failed").asLong()).isEqualTo(1);
    assertThat(both.get(1).stats().organizations()).isEqualTo(both.get(0).stats().organizations()).isEqualTo(2);
    assertThat(both.get(1).stats().memberships()).isEqualTo(both.get(0).stats().memberships()).isEqualTo(39);
    assertThat(both.get(1).stats().requestsTo("POST /organizations")).as("nothing created").isEqualTo(2);
    assertThat(diagnostics(dir.resolve("orgs-state-1/jobs/o1/errors.csv")))
        .isEqualTo(diagnostics(dir.resolve("orgs-state-0/jobs/o1/errors.csv")))
        .containsExactly("4,organization,404,organization_not_found");
  }

  @Test
  void organizationsArePreWarmedBeforeTheRowsAsImportUsersDoesUnlessPrewarmIsFalse() throws IOException {
    // Given: users over 5 organizations (by external id), one organization given by id
    Path input = input(dir, 60);
    Map<String, Ferry.Run> runs = new java.util.LinkedHashMap<>();
    for (String prewarm : List.of("true", "false")) {
      SimServer sim = sim();
      SimHttp.createUser(sim, KEY, "existing@example.com");
      Map<String, String> env = env(input, sim);
      env.put("PREWARM", prewarm);
      // When
      runs.put(prewarm, Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "p-" + prewarm,
          "--checkpoint-dir", dir.resolve("state-" + prewarm), "--json", "--progress", "never", "--rate-limit",
          "none")));
      // Then: each organization created once either way
      assertThat(sim.stats().requestsTo("POST /organizations")).isEqualTo(5);
    }
    Ferry.Run warm = runs.get("true");
    Ferry.Run cold = runs.get("false");
    assertThat(warm.err()).as(warm.toString()).contains("ferry: pre-warming 6 lookup keys (org_by_id, org)");
    assertThat(cold.err()).doesNotContain("pre-warming");
    JsonNode w = warm.outJson().path("steps");
    JsonNode c = cold.outJson().path("steps");
    // pre-warmed, the 5 organizations were created before any row, so every row with one found it cached; else
    // the first row of each created it
    assertThat(w.path("org").path("created").asLong()).isEqualTo(c.path("org").path("created").asLong())
        .isEqualTo(warm.outJson().path("orgs_created").asLong()).isEqualTo(5);
    assertThat(w.path("org").path("cached").asLong()).isEqualTo(c.path("org").path("cached").asLong() + 5);
    for (String field : List.of("done", "failed", "invalid")) {
      assertThat(warm.outJson().path(field)).isEqualTo(cold.outJson().path(field));
    }
  }

  @Test
  void parameterValuesWithQuotesAreTakenAsTheyAre() throws IOException {
    // Given rows without an organization, and a default organization whose external id and name hold quotes
    SimServer sim = sim();
    List<String> lines = new ArrayList<>(List.of(HEADER));
    for (int u = 1; u <= 6; u++) lines.add("q" + u + "@example.com,,,,,,,,,,");
    Path input = dir.resolve("quotes.csv");
    Files.write(input, lines);
    Map<String, String> env = env(input, sim);
    env.put("ORG_EXTERNAL_ID", "o'brien-co");
    env.put("ORG_NAME", "O'Brien's \"Co\"");

    // When the built-in spec runs, told to create the organization
    Ferry.Run run = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "q1", "--checkpoint-dir",
        dir.resolve("quotes-state"), "--quiet", "--json", "--rate-limit", "none"));

    // Then the organization is created once under exactly that external id, and every user joins it
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.outJson().path("done").asLong()).isEqualTo(6);
    assertThat(sim.stats().organizations()).isEqualTo(1);
    assertThat(sim.stats().memberships()).isEqualTo(6);
    assertThat(sim.stats().requestsTo("POST /organizations")).isEqualTo(1);
    assertThatThrownBy(() -> SimHttp.createOrg(sim, KEY, "o'brien-co")).as("that exact external id is taken")
        .hasMessageContaining("409");
  }

  @Test
  void aRoleMappingAsImportUsersRoleMapping() throws IOException {
    // Given: rows without a role get the mapped role of their external_id; a row's own role wins
    Path roles = dir.resolve("roles.csv");
    Files.write(roles, List.of("external_id,role_slug", "ext-1,admin", "ext-2,billing", "ext-3,admin"));
    List<String> lines = new ArrayList<>(List.of(HEADER));
    for (int u = 1; u <= 4; u++) lines.add("u" + u + "@example.com,,,,ext-" + u + ",,acme,,"
        + (u == 3 ? "member" : "") + ",,");
    Path input = dir.resolve("roles-users.csv");
    Files.write(input, lines);
    SimServer a = sim();
    SimServer b = sim();
    // When
    Ferry.Run imported = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", input,
        "--api-url", a.baseUrl(), "--create-org-if-missing", "--role-mapping", roles, "--job-id", "r1",
        "--checkpoint-dir", dir.resolve("state-a"), "--quiet", "--json", "--rate-limit", "none"));
    Map<String, String> env = env(input, b);
    env.put("ROLE_MAPPING", roles.toString());
    Ferry.Run ran = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "r1", "--checkpoint-dir",
        dir.resolve("state-b"), "--quiet", "--json", "--rate-limit", "none"));
    // Then: the same roles on the same users
    assertThat(ran.exit()).as(ran.toString()).isZero();
    assertThat(imported.exit()).as(imported.toString()).isZero();
    for (int u = 1; u <= 4; u++) {
      assertThat(roleOf(b, "u" + u + "@example.com")).as("u" + u).isEqualTo(roleOf(a, "u" + u + "@example.com"));
    }
    assertThat(roleOf(b, "u1@example.com")).isEqualTo("admin");
    assertThat(roleOf(b, "u3@example.com")).isEqualTo("member");
    // a role mapping file that is not there: exit 2 naming it, nothing sent
    env.put("ROLE_MAPPING", dir.resolve("nope.csv").toString());
    Ferry.Run missing = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "r2", "--checkpoint-dir",
        dir.resolve("state-b")));
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.csv: no such file").doesNotContain("Exception");
  }

  @Test
  void requireMembershipDeletesTheUsersWhoseMembershipFailedAsImportUsers() throws IOException {
    // Given: a simulator without multiple roles, so rows with two roles fail their membership (422)
    List<String> lines = new ArrayList<>(List.of(HEADER));
    for (int u = 1; u <= 12; u++) {
      lines.add("u" + u + "@example.com,,,,,,acme,," + (u % 3 == 0 ? "\"admin,billing\"" : "") + ",,");
    }
    Path input = dir.resolve("require.csv");
    Files.write(input, lines);
    List<SimServer> both = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      SimServer s = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build());
      sims.add(s);
      both.add(s);
    }
    // When
    Ferry.Run imported = Ferry.run(Map.of("WORKOS_SECRET_KEY", KEY), Ferry.args("import-users", "--csv", input,
        "--api-url", both.get(0).baseUrl(), "--create-org-if-missing", "--require-membership", "--job-id", "m1",
        "--checkpoint-dir", dir.resolve("state-a"), "--quiet", "--json", "--rate-limit", "none"));
    Map<String, String> env = env(input, both.get(1));
    env.put("REQUIRE_MEMBERSHIP", "true");
    Ferry.Run ran = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "m1", "--checkpoint-dir",
        dir.resolve("state-b"), "--quiet", "--json", "--rate-limit", "none"));
    // Then
    JsonNode want = imported.outJson();
    JsonNode got = ran.outJson();
    for (String field : List.of("rows", "done", "failed", "invalid", "status")) {
      assertThat(got.path(field)).as(field + "\n" + imported + "\n" + ran).isEqualTo(want.path(field));
    }
    assertThat(got.path("failed").asLong()).isEqualTo(4);
    SimStats sa = both.get(0).stats();
    SimStats sb = both.get(1).stats();
    assertThat(sb.usersDeleted()).isEqualTo(sa.usersDeleted()).isEqualTo(4);
    assertThat(got.path("steps").path("user").path("undone").asLong()).isEqualTo(want.path("users_deleted").asLong());
    assertThat(sb.users()).isEqualTo(sa.users()).isEqualTo(8);
    assertThat(Files.readString(dir.resolve("state-b/jobs/m1/errors.csv"))).contains("undone: step 'user'");
  }

  /** The role of the user's membership, read from the simulator. */
  private static String roleOf(SimServer sim, String email) {
    String userId = SimHttp.findUser(sim, KEY, email).path("id").asText();
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build()) {
      java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
              sim.baseUrl() + "/user_management/organization_memberships?user_id=" + userId))
          .header("Authorization", "Bearer " + KEY).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      JsonNode list = Ferry.json(r.body());
      return list.path("data").path(0).path("role").path("slug").asText(list.toString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void killNineAndResumeCreateEveryUserAndMembershipOnce() throws Exception {
    // Given
    int users = 600;
    Path input = input(dir, users);
    SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(5).multipleRoles(true)
        .latency(java.time.Duration.ofMillis(15)).build());
    sims.add(sim);
    SimHttp.createUser(sim, KEY, "existing@example.com");
    Map<String, String> env = env(input, sim);
    Path state = dir.resolve("state");
    Path spec = shownSpec();

    // When: a child runs the job and is killed once some users exist
    dev.ferry.cli.ChildFerry ferry = dev.ferry.cli.ChildFerry.start(dir, "run", env, List.of(),
        List.of("-XX:+UseSerialGC"), List.of("run", spec.toString(), "--job-id", "k1", "--checkpoint-dir",
            state.toString(), "--quiet", "--workers", "2", "--concurrency", "8", "--rate-limit", "none",
            "--chunk-size", "100"));
    try {
      ferry.await("a quarter of the users", java.time.Duration.ofSeconds(60),
          () -> sim.stats().usersCreated() >= users / 4);
    } finally {
      ferry.process.destroyForcibly();
      ferry.process.waitFor();
    }
    assertThat(sim.stats().usersCreated()).isLessThan(users + 1);

    // When: resumed in this JVM
    Ferry.Run run = Ferry.run(env, "resume", "k1", "--checkpoint-dir", state.toString(), "--quiet", "--json");

    // Then: every row settled once; each user, organization and membership created once
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode report = run.outJson();
    assertThat(report.path("status").asText()).isEqualTo("finished");
    assertThat(report.path("done").asLong()).isEqualTo(users + 2);
    assertThat(report.path("invalid").asLong()).isEqualTo(7);
    assertThat(report.path("failed").asLong()).isEqualTo(1);
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(users + 2);
    assertThat(s.usersCreated()).isEqualTo(users + 2);
    assertThat(s.organizations()).isEqualTo(5);
    assertThat(s.memberships()).isEqualTo(users + 1);
    assertThat(s.duplicateCreations()).isZero();
  }

  @Test
  void anUnreachableTargetStopsTheJobBeforeAnyRowIsMarkedAsImportUsers() throws IOException {
    // Given: a port where nothing listens
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path input = input(dir, 20);
    Map<String, String> env = env(input, sim());
    env.put("WORKOS_API_URL", "http://127.0.0.1:" + port);
    // When
    Ferry.Run run = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "u1", "--checkpoint-dir",
        dir.resolve("state"), "--quiet", "--json", "--rate-limit", "none"));
    // Then: stopped (exit 3, resumable) with the reason, and no row has an outcome
    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    JsonNode report = run.outJson();
    assertThat(report.path("status").asText()).isEqualTo("stopped");
    assertThat(report.path("stop_reason").asText()).contains("cannot connect to 127.0.0.1:" + port);
    assertThat(report.path("done").asLong() + report.path("failed").asLong()).isZero();
  }

  @Test
  void aWorkerReadsTheJobsCsvFromAnotherPathWithCsv() throws IOException {
    // Given: a job of the built-in spec in a shared store, stopped at once by a refused key
    Path input = input(dir, 20);
    SimServer sim = sim();
    try (DistributedJob job = new DistributedJob(dir, "ferry_wcsv")) {
      Map<String, String> env = env(input, sim);
      env.put("WORKOS_SECRET_KEY", "sk_test_wrong_key");
      Ferry.Run run = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "w1", "--store", job.url(),
          "--quiet", "--json", "--rate-limit", "none"));
      assertThat(run.exit()).as(run.toString()).isEqualTo(3);
      // ... and its input moved to another path (as on another machine)
      Path copy = dir.resolve("elsewhere/users-copy.csv");
      Files.createDirectories(copy.getParent());
      Files.move(input, copy);
      Map<String, String> workerEnv = Map.of("WORKOS_SECRET_KEY", KEY);

      // When a worker is given a changed copy, it refuses it before sending anything
      Path changed = dir.resolve("elsewhere/changed.csv");
      Files.writeString(changed, Files.readString(copy).replace("user1@", "userX@"));
      Ferry.Run refused = Ferry.run(workerEnv, Ferry.args("worker", "w1", "--store", job.url(), "--csv", changed,
          "--quiet", "--json"));
      assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
      assertThat(refused.err()).contains("the file changed since job 'w1' was planned");
      assertThat(sim.stats().users()).isZero();

      // Then the same bytes at the other path finish the job
      Ferry.Run worker = Ferry.run(workerEnv, Ferry.args("worker", "w1", "--store", job.url(), "--csv", copy,
          "--quiet", "--json"));
      assertThat(worker.exit()).as(worker.toString()).isEqualTo(1);
      assertThat(worker.outJson().path("status").asText()).isEqualTo("finished");
      assertThat(worker.outJson().path("done").asLong()).isEqualTo(22);
      assertThat(sim.stats().users()).isEqualTo(22);
    }
  }

  @Test
  void aDryRunSendsNothingAndFindsTheInvalidRows() throws IOException {
    Path input = input(dir, 30);
    SimServer sim = sim();
    Ferry.Run run = Ferry.run(env(input, sim), Ferry.args("run", shownSpec(), "--dry-run", "--job-id", "d1",
        "--checkpoint-dir", dir.resolve("state"), "--json"));
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode report = Ferry.json(run.out().substring(run.out().lastIndexOf("\n{") + 1));
    assertThat(report.path("invalid").asLong()).as(run.toString()).isEqualTo(7);
    assertThat(report.path("done").asLong()).isEqualTo(33);
    assertThat(sim.stats().requests()).isZero();
    assertThat(run.out() + run.err()).doesNotContain(KEY).doesNotContain("Secret!");
    // printed (--show-requests all): every request, headers and the password column masked; no API key needed, as
    // import-users --dry-run
    Map<String, String> noKey = env(input, sim);
    noKey.remove("WORKOS_SECRET_KEY");
    Ferry.Run shown = Ferry.run(noKey, Ferry.args("run", shownSpec(), "--dry-run", "--job-id", "d2",
        "--checkpoint-dir", dir.resolve("state"), "--progress", "never", "--show-requests", "all"));
    assertThat(shown.out()).as(shown.toString()).contains("row 11 user: POST " + sim.baseUrl())
        .contains("\"password\":\"***\"").contains("Authorization: ***").doesNotContain("Secret!").doesNotContain(KEY);
    assertThat(sim.stats().requests()).isZero();
  }

  @Test
  void metadataValuesOfAtMost600CharactersPassAndLongerOnesAreInvalidAsImportUsers() throws IOException {
    // Given values of 600 characters (plain, with escaped quotes, newlines and a control character, non-ASCII) and
    // one of 601
    String plain = "x".repeat(600);
    String escaped = "\\\"" + "\\n" + "\\u0001" + "é".repeat(597); // JSON: \" \n \u0001 then 597 é: 600 chars
    List<String> lines = new ArrayList<>(List.of("email,metadata"));
    lines.add("a@example.com,\"{\"\"k\"\":\"\"" + plain + "\"\"}\"");
    lines.add("b@example.com,\"{\"\"k\"\":\"\"" + escaped.replace("\"", "\"\"") + "\"\"}\"");
    lines.add("c@example.com,\"{\"\"k\"\":\"\"y\"\",\"\"long\"\":\"\"" + plain + "z\"\"}\"");
    Path input = dir.resolve("meta.csv");
    Files.write(input, lines);
    // When both dry-run it
    Ferry.Run imported = Ferry.run(Map.of(), Ferry.args("import-users", "--csv", input, "--dry-run", "--job-id", "i",
        "--checkpoint-dir", dir.resolve("a"), "--quiet", "--json"));
    Ferry.Run ran = Ferry.run(Map.of("INPUT", input.toString()), Ferry.args("run", shownSpec(), "--dry-run",
        "--job-id", "s", "--checkpoint-dir", dir.resolve("b"), "--quiet", "--json"));
    // Then the same row is invalid, with the same code
    for (Ferry.Run run : List.of(imported, ran)) {
      assertThat(run.exit()).as(run.toString()).isEqualTo(1);
      assertThat(run.outJson().path("done").asLong()).as(run.toString()).isEqualTo(2);
      assertThat(run.outJson().path("invalid").asLong()).isEqualTo(1);
    }
    assertThat(Files.readString(dir.resolve("b/jobs/s/errors.csv")))
        .contains("4,validate,,metadata_value_too_long,a metadata value is 601 characters (at most 600)");
  }

  @Test
  void aMissingParameterIsOneClearMessageAndExit2() throws IOException {
    Path spec = shownSpec();
    // an input that is a directory: exit 2 naming it, as import-users
    Ferry.Run directory = Ferry.run(Map.of("INPUT", dir.toString(), "WORKOS_SECRET_KEY", KEY), Ferry.args("run",
        spec, "--checkpoint-dir", dir.resolve("state")));
    assertThat(directory.exit()).as(directory.toString()).isEqualTo(2);
    assertThat(directory.err()).contains(dir + ": is a directory, not a CSV file").doesNotContain("Exception");
    Ferry.Run run = Ferry.run(Map.of("INPUT", "users.csv"), Ferry.args("run", spec, "--checkpoint-dir",
        dir.resolve("state")));
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("WORKOS_SECRET_KEY").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(run.err().lines().filter(l -> l.contains("WORKOS_SECRET_KEY")).count()).isEqualTo(1);
  }

  @Test
  void aRefusedKeyStopsTheJobWithExit3() throws IOException {
    Path input = input(dir, 20);
    SimServer sim = sim();
    Map<String, String> env = env(input, sim);
    env.put("WORKOS_SECRET_KEY", "sk_test_wrong_key");
    Ferry.Run run = Ferry.run(env, Ferry.args("run", shownSpec(), "--job-id", "x1", "--checkpoint-dir",
        dir.resolve("state"), "--quiet", "--json", "--rate-limit", "none"));
    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.outJson().path("status").asText()).isEqualTo("stopped");
    assertThat(run.outJson().path("stop_reason").asText()).as("the target's refused: 401, as import-users words it")
        .isEqualTo("the target refused the API key (HTTP 401): check WORKOS_SECRET_KEY or WORKOS_API_KEY (or"
            + " --api-key-file) and --api-url");
    assertThat(run.out() + run.err()).doesNotContain("sk_test_wrong_key");
    assertThat(sim.stats().users()).isZero();

    // A resume refuses a changed input at once (size and modification time), as import-users does ...
    byte[] original = Files.readAllBytes(input);
    java.nio.file.attribute.FileTime planned = Files.getLastModifiedTime(input);
    Files.writeString(input, "extra@example.com,,,,,,,,,,\n", java.nio.file.StandardOpenOption.APPEND);
    env.put("WORKOS_SECRET_KEY", KEY);
    Ferry.Run changed = Ferry.run(env, "resume", "x1", "--checkpoint-dir", dir.resolve("state").toString(),
        "--quiet", "--json");
    assertThat(changed.exit()).as(changed.toString()).isEqualTo(2);
    assertThat(changed.err()).contains("the file changed since job 'x1' was planned");
    assertThat(sim.stats().users()).isZero();
    // ... and finishes the job on the planned file
    Files.write(input, original);
    Files.setLastModifiedTime(input, planned);
    Ferry.Run resumed = Ferry.run(env, "resume", "x1", "--checkpoint-dir", dir.resolve("state").toString(),
        "--quiet", "--json");
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(1);
    assertThat(resumed.outJson().path("status").asText()).isEqualTo("finished");
    assertThat(sim.stats().users()).isEqualTo(22);
  }
}
