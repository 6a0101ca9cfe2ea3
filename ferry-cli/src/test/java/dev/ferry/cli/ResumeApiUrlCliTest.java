package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.LoopbackTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.testing.ApiProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry resume JOB --api-url URL} moves an import job to another API (it was fixed at planning, and
 * {@code resume} refused the flag: after a redirect stop or a server move the user had to plan a new job): one line on
 * stderr names both URLs, the new one is kept with the job ({@code status}, later resumes), rows with an outcome are
 * not sent again and the rest go with the same idempotency keys. A bad URL, a spec job or a dry-run job: exit 2, the
 * job unchanged.
 */
class ResumeApiUrlCliTest {
  static final String KEY = "sk_test_move_key";
  static final int ROWS = 30;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  SimServer sim;
  ApiProxy proxy;
  @RegisterExtension final LoopbackTarget redirecting = new LoopbackTarget();
  Path csv;

  @BeforeEach
  void start() throws IOException {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    csv = StopConditionsTest.users(dir.resolve("users.csv"), ROWS);
  }

  @AfterEach
  void stop() {
    if (proxy != null) proxy.close();
    sim.close();
  }

  /** A server answering 301 to the simulator to every request (an http URL for an https API); counts them. */
  private String redirectingServer(AtomicInteger redirected) {
    redirecting.on("/", ex -> {
      redirected.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().add("Location", sim.baseUrl().toString() + ex.getRequestURI());
      ex.sendResponseHeaders(301, -1);
      ex.close();
    });
    return redirecting.url();
  }

  @Test
  void aJobStoppedByARedirectIsResumedAtTheNewUrlWhichStatusAndLaterResumesKeep() throws IOException {
    // Given: a job whose API answers 301 to every request (http for https): stopped at the first answer, no row marked
    AtomicInteger redirected = new AtomicInteger();
    String old = redirectingServer(redirected);
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), importArgs("moved", old));
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.err()).contains("give the final address as --api-url");

    // When: resumed with a URL that is not one, then with one that has credentials
    CliRun ftp = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("moved", "--api-url", "ftp://127.0.0.1/"));
    CliRun creds = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("moved", "--api-url",
        "http://user:pa55word@127.0.0.1:1"));

    // Then: exit 2 each, the password never shown, and the job still points at the old URL
    assertThat(ftp.exit()).as(ftp.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(ftp.err()).contains("--api-url 'ftp://127.0.0.1/' is not an http(s) URL");
    assertThat(creds.exit()).as(creds.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(creds.err()).contains("without credentials").doesNotContain("pa55word");
    assertThat(statusText("moved")).contains("target      " + old + "\n");

    // When: resumed with the final address
    int before = redirected.get();
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("moved", "--api-url", sim.baseUrl().toString()));

    // Then: one line names both, every row is done once at the new URL, none went to the old one
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertThat(resumed.errLines()).containsExactly("ferry: job moved: target changed from " + old + " to "
        + sim.baseUrl() + " (kept with the job: later resumes and 'ferry status' use it; rows with an outcome are not"
        + " sent again)");
    assertThat(JSON.readTree(resumed.out()).path("done").asLong()).isEqualTo(ROWS);
    assertExactlyOnce(ROWS);
    assertThat(redirected.get()).isEqualTo(before);

    // And: status shows the new URL (text and JSON); a resume without --api-url, or with the same, says nothing
    assertThat(statusText("moved")).contains("target      " + sim.baseUrl() + "\n");
    CliRun json = CliRun.run(Map.of(), "status", "moved", "--json", "--checkpoint-dir", state());
    assertThat(JSON.readTree(json.out()).path("api_url").asText()).isEqualTo(sim.baseUrl().toString());
    CliRun again = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("moved", "--api-url", sim.baseUrl() + "/"));
    assertThat(again.exit()).as(again.toString()).isEqualTo(ExitCodes.OK);
    assertThat(again.err()).doesNotContain("target changed");
    assertThat(redirected.get()).isEqualTo(before);
  }

  @Test
  void aJobMovedMidwaySendsOnlyTheRowsWithoutAnOutcomeWithTheirIdempotencyKeys() throws IOException {
    // Given: a job run through a proxy that, for 11 rows, lets the simulator create the user and loses the answer (a
    // transient failure: the user exists, the job does not know); every other row is done
    proxy = ApiProxy.start(sim.baseUrl()).loseAnswersTo("user1"); // user1, user10..user19
    List<String> args = importArgs("midway", proxy.baseUrl().toString());
    args.addAll(List.of("--max-attempts", "1", "--max-consecutive-failures", "0"));
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), args);
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(JSON.readTree(run.out()).path("retryable_failed").asLong()).isEqualTo(11);
    assertThat(sim.stats().usersCreated()).as("the lost answers' users were created").isEqualTo(ROWS);
    int proxied = proxy.calls();

    // When: the job moves to the simulator itself
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("midway", "--api-url", sim.baseUrl().toString()));

    // Then: only the 11 rows are sent, with the keys of their first attempt: replayed, not created twice
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertThat(resumed.err()).contains("ferry: job midway: target changed from " + proxy.baseUrl() + " to "
        + sim.baseUrl());
    JsonNode report = JSON.readTree(resumed.out());
    assertThat(report.path("done").asLong()).isEqualTo(ROWS);
    assertThat(report.path("rows_this_run").asLong()).isEqualTo(11);
    assertExactlyOnce(ROWS);
    assertThat(sim.stats().idempotentReplays()).isEqualTo(11);
    assertThat(proxy.calls()).as("nothing more through the old URL").isEqualTo(proxied);
  }

  @Test
  void aSpecJobFollowsItsParametersOnResumeAndSaysSoButApiUrlIsRefusedAsOnADryRunJob() throws IOException {
    // Given: a dry-run import job, and a spec job whose API_URL redirected (stopped at the first answer)
    List<String> dry = importArgs("dry", sim.baseUrl().toString());
    dry.add("--dry-run");
    assertThat(CliRun.run(Map.of(), dry).exit()).isEqualTo(ExitCodes.OK);
    String old = redirectingServer(new AtomicInteger());
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source: { csv: { path: "${INPUT}" } }
        targets:
          api: { base_url: "${API_URL}", headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" } }
        steps:
          - name: create
            target: api
            request: { method: POST, path: /user_management/users, body: { email: "{{ row.email }}" } }
        """);
    Map<String, String> env = Map.of("INPUT", csv.toString(), "API_URL", sim.baseUrl().toString(), ApiKeys.ENV, KEY);
    Map<String, String> oldEnv = new java.util.HashMap<>(env);
    oldEnv.put("API_URL", old);
    CliRun specRun = CliRun.run(oldEnv, "run", spec.toString(), "--job-id", "s", "--quiet", "--json",
        "--checkpoint-dir", state());
    assertThat(specRun.exit()).as(specRun.toString()).isEqualTo(ExitCodes.STOPPED);

    // When: resumed with API_URL set to the simulator in the environment
    CliRun envOnly = CliRun.run(env, resumeArgs("s"));

    // Then: the value stored at planning is used (a non-secret parameter is not read again): stopped again, and
    // the environment's other value is named as not used, with what to do
    assertThat(envOnly.exit()).as(envOnly.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(envOnly.errLines()).contains("ferry: job s: API_URL in the environment differs from the job's value,"
        + " which it keeps (a job runs with the parameters it was planned with): give --param API_URL=VALUE to"
        + " change it");

    // When: a parameter the rows are read by differs in the environment
    Map<String, String> otherInput = new java.util.HashMap<>(oldEnv);
    otherInput.put("INPUT", dir.resolve("other.csv").toString());
    CliRun inputEnv = CliRun.run(otherInput, resumeArgs("s"));

    // Then: named, and a new job is what uses it
    assertThat(inputEnv.errLines()).as(inputEnv.toString()).contains("ferry: job s: INPUT in the environment differs"
        + " from the job's value, which it keeps (a job runs with the parameters it was planned with): the spec's"
        + " source, steps or keys read it, so a job planned anew (another --job-id) is needed to use it");

    // When: --api-url, a parameter the job did not store, a value the spec refuses
    CliRun specMove = CliRun.run(env, resumeArgs("s", "--api-url", "http://127.0.0.1:1"));
    CliRun unknown = CliRun.run(env, resumeArgs("s", "--param", "NOPE=x"));
    CliRun refused = CliRun.run(env, resumeArgs("s", "--param", "API_URL=ftp://127.0.0.1/"));
    CliRun input = CliRun.run(env, resumeArgs("s", "--param", "INPUT=" + dir.resolve("other.csv")));

    // Then: exit 2 each, saying what to do; nothing kept
    assertThat(specMove.exit()).as(specMove.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(specMove.err()).contains("--api-url is for import-users jobs; job 's' runs a spec, whose targets'"
        + " base_url come from its parameters: give the parameter another value with --param NAME=VALUE");
    assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("--param NOPE: not a parameter job 's' stored at planning (stored: API_URL,"
        + " INPUT); a secret parameter is read from the environment at every start");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(input.exit()).as(input.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(input.err()).contains("--param INPUT: the spec uses it outside its targets (the source, steps, keys)");
    assertThat(statusText("s")).contains("target      api " + old);

    // When: resumed with the parameter's new value
    CliRun specResumed = CliRun.run(env, resumeArgs("s", "--param", "API_URL=" + sim.baseUrl()));

    // Then: it says so, and which target moved; every row is done once; status shows the new base URL
    assertThat(specResumed.exit()).as(specResumed.toString()).isEqualTo(ExitCodes.OK);
    assertThat(specResumed.errLines()).hasSize(2);
    assertThat(specResumed.errLines().get(0)).isEqualTo("ferry: job s: --param API_URL: the value given replaces the"
        + " one stored (kept with the job: later resumes and workers use it)");
    assertThat(specResumed.errLines().get(1)).startsWith("ferry: job s: target 'api' changed from " + old)
        .contains(" to " + sim.baseUrl()).endsWith("(its base_url comes from the spec's parameters; rows with an"
            + " outcome are not sent again)");
    assertExactlyOnce(ROWS);
    assertThat(statusText("s")).contains("target      api " + sim.baseUrl());
    CliRun importParam = CliRun.run(Map.of(), resumeArgs("dry", "--param", "API_URL=x"));
    assertThat(importParam.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(importParam.err()).contains("--param is for spec jobs; job 'dry' is an import");
    CliRun dryMove = CliRun.run(Map.of(), resumeArgs("dry", "--api-url", "http://127.0.0.1:1"));
    assertThat(dryMove.exit()).as(dryMove.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(dryMove.err()).contains("job 'dry' is a dry run, which sends nothing");
    assertThat(statusText("dry")).contains("target      " + sim.baseUrl() + "\n");
  }

  private String state() {
    return dir.resolve(".ferry").toString();
  }

  private List<String> importArgs(String job, String apiUrl) {
    return new ArrayList<>(List.of("import-users", "--csv", csv.toString(), "--job-id", job, "--api-url", apiUrl,
        "--rate-limit", "none", "--quiet", "--json", "--workers", "1", "--concurrency", "1", "--checkpoint-dir",
        state()));
  }

  private List<String> resumeArgs(String job, String... more) {
    List<String> a = new ArrayList<>(List.of("resume", job, "--quiet", "--json", "--checkpoint-dir", state()));
    a.addAll(List.of(more));
    return a;
  }

  private String statusText(String job) {
    CliRun status = CliRun.run(Map.of(), "status", job, "--checkpoint-dir", state());
    assertThat(status.exit()).as(status.toString()).isZero();
    return status.out();
  }

  private void assertExactlyOnce(int users) {
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(users);
    assertThat(s.usersCreated()).isEqualTo(users);
    assertThat(s.duplicateCreations()).isZero();
  }
}
