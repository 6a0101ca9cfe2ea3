package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ChildFerry;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos: {@code ferry import-users} runs in a child JVM against the simulator in this JVM and is killed with
 * SIGKILL again and again, at seeded moments (during the pre-warm of organizations, right at the start of a
 * resume, right when a resume sends its first row, and in the middle of the rows), each time followed by a
 * resume with another worker count; a last resume runs in this JVM. Whatever the timing, every valid user and
 * membership exists exactly once and the row equation holds.
 */
class CrashChaosTest {
  static final String KEY = "sk_test_ferry_chaos";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", KEY);
  static final int VALID = 5_000;
  static final int INVALID = 12;
  static final int ORGS = 400;
  static final String JOB = "chaos";
  static final Duration CYCLE_LIMIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  SimServer sim;
  final List<Process> children = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    children.forEach(Process::destroyForcibly);
    if (sim != null) sim.close();
  }

  /** When to pull the plug on one child. */
  record Kill(String moment, Predicate<Progress> when) {}

  /** What the child has done so far, as the simulator saw it. */
  record Progress(SimStats stats, SimStats atStart, long millisSinceStart) {
    long newUsers() {
      return stats.usersCreated() - atStart.usersCreated();
    }
  }

  @Test
  void everyRowLandsExactlyOnceAcrossRepeatedKillNineAndResume() throws Exception {
    // Given
    Path csv = dir.resolve("users.csv");
    UserCsvGenerator.write(csv, VALID, ORGS);
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < INVALID / 2; i++) bad.add("not-an-email-" + i + ",X,Y,true,bad-" + i + ",org-1,Org,member");
    for (int i = 1; i <= INVALID / 2; i++) bad.add("user" + (i * 97) + "@example.com,Dup,Row,true,,org-2,Org,member");
    Files.write(csv, bad, StandardOpenOption.APPEND);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(12))
        .jitter(Duration.ofMillis(7)).writeRateLimit(5_000).readRateLimit(5_000).seed(11).build());
    Random seeded = new Random(20251123);
    // The scenario is fixed by the seed: each kill's moment is drawn once, up front.
    List<Kill> plan = List.of(
        duringPrewarm(20 + seeded.nextInt(120)),
        atStart(seeded.nextInt(600)),
        afterNewUsers(1),
        afterNewUsers(150 + seeded.nextInt(600)),
        afterNewUsers(150 + seeded.nextInt(600)),
        atStart(seeded.nextInt(800)));

    // When: each cycle starts (or resumes) the job in a child JVM and kills it at its moment
    int killed = 0;
    Path logs = dir.resolve("logs");
    for (int i = 0; i < plan.size(); i++) {
      int workers = 1 + seeded.nextInt(6);
      List<String> args = nextCommand(csv, workers);
      SimStats atStart = sim.stats();
      long start = System.nanoTime();
      Files.createDirectories(logs);
      // Fast-starting child JVMs: every cycle starts one, and the kill moments are early in its life.
      ChildFerry ferry = ChildFerry.start(logs, "cycle" + i, ENV, List.of(),
          List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args);
      Process child = ferry.process;
      children.add(child);
      boolean exited = false;
      while (true) {
        try {
          child.onExit().get(2, TimeUnit.MILLISECONDS);
          exited = true;
          break;
        } catch (TimeoutException e) {
          // still running
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (plan.get(i).when().test(new Progress(sim.stats(), atStart, ms))) break;
        if (ms > CYCLE_LIMIT.toMillis()) {
          fail("cycle " + i + " did not reach its kill moment: " + ferry);
        }
      }
      SimStats at = sim.stats();
      System.out.printf("cycle %d (%s, %d workers): %s after %d ms; users +%d, organizations %d%n", i,
          args.getFirst(), workers, exited ? "exited by itself" : "killed " + plan.get(i).moment(),
          (System.nanoTime() - start) / 1_000_000, at.usersCreated() - atStart.usersCreated(),
          at.organizationsCreated());
      if (!exited) {
        child.destroyForcibly();
        child.waitFor();
        killed++;
      } else {
        assertThat(child.exitValue()).as(ferry.toString()).isIn(0, 1);
      }
    }

    // When: the last resume, in this JVM, finishes the job
    List<String> args = nextCommand(csv, 4);
    long start = System.nanoTime();
    Ferry.Run run = Ferry.run(ENV, Ferry.args(args, "--json"));
    System.out.printf("final %s: exit %d after %d ms%n", args.getFirst(), run.exit(),
        (System.nanoTime() - start) / 1_000_000);
    assertThat(run.exit()).as(run.toString()).isEqualTo(1); // 1: the invalid rows
    JsonNode report = run.outJson();

    // Then
    assertThat(killed).as("kills").isGreaterThanOrEqualTo(5);
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(VALID);
    assertThat(s.usersCreated()).isEqualTo(VALID);
    assertThat(s.memberships()).isEqualTo(VALID);
    assertThat(s.membershipsCreated()).isEqualTo(VALID);
    assertThat(s.organizations()).isEqualTo(ORGS);
    assertThat(s.organizationsCreated()).isEqualTo(ORGS);
    assertThat(s.duplicateCreations()).isZero();
    assertThat(report.path("status").asText()).isEqualTo("finished");
    assertThat(report.path("rows").asLong()).isEqualTo(VALID + INVALID);
    assertThat(report.path("done").asLong()).isEqualTo(VALID);
    assertThat(report.path("invalid").asLong()).isEqualTo(INVALID);
    assertThat(report.path("failed").asLong()).isZero();
    assertThat(report.path("done").asLong() + report.path("failed").asLong() + report.path("invalid").asLong())
        .isEqualTo(report.path("rows").asLong());
    // Rows in doubt after each kill: at most the rows in flight plus the outcomes not yet flushed; they are
    // re-sent with the same idempotency keys, so they cost requests, never objects.
    long resent = s.requestsTo(ImportUsersCliTest.USERS) - VALID;
    System.out.printf("kills %d; user creations re-sent %d (idempotent replays %d, duplicates refused %d)%n", killed,
        resent, s.idempotentReplays(), s.duplicatesRefused());
    assertThat(resent).isLessThanOrEqualTo((long) killed * (6 * 10 + 1000));
  }

  /** {@code import-users} while the job does not exist or was killed while planning, else {@code resume}. */
  private List<String> nextCommand(Path csv, int workers) {
    Path state = dir.resolve("state");
    Ferry.Run status = Ferry.run(Map.of(), "status", JOB, "--json", "--checkpoint-dir", state.toString());
    boolean plan = status.exit() != 0 || status.outJson().path("stored_status").asText().equals("planning");
    if (status.exit() == 0 && List.of("running", "planning").contains(status.outJson().path("stored_status").asText())) {
      // killed mid-run: no process holds the job, and status says so instead of "running"
      assertThat(status.outJson().path("status").asText()).isEqualTo("interrupted");
      assertThat(status.outJson().path("interrupted").asBoolean()).isTrue();
    }
    List<String> common = List.of("--checkpoint-dir", state.toString(), "--quiet", "--workers", String.valueOf(workers),
        "--concurrency", "10", "--rate-limit", "4000");
    if (plan) {
      return Ferry.args("import-users", "--csv", csv, "--job-id", JOB, "--api-url", sim.baseUrl(),
          "--chunk-size", 250, "--create-org-if-missing", common);
    }
    return Ferry.args("resume", JOB, common);
  }

  static Kill duringPrewarm(long orgsCreated) {
    return new Kill("during the pre-warm (" + orgsCreated + " organizations created)",
        p -> p.stats().organizationsCreated() >= orgsCreated);
  }

  static Kill atStart(long millis) {
    return new Kill("right at the start, " + millis + " ms after launch", p -> p.millisSinceStart() >= millis);
  }

  static Kill afterNewUsers(long users) {
    return new Kill("after " + users + " new users", p -> p.newUsers() >= users);
  }
}
