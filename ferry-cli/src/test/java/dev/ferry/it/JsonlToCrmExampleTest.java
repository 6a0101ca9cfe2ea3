package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sim.CrmStats;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.testing.Repo;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/jsonl-to-crm/} as its README runs it: {@code ferry run job.yaml} over real HTTP against the
 * simulator's CRM API with injected errors and dropped connections. Every contact is created exactly once; the update
 * file patches the known contacts and creates the new ones; a dry run sends nothing and shows no key.
 */
class JsonlToCrmExampleTest {
  private static final Path EXAMPLE = Repo.path("examples/jsonl-to-crm");
  private static final String KEY = "sk_test_jsonl_to_crm";

  @TempDir
  Path dir;
  SimServer sim;

  @AfterEach
  void stopSim() {
    if (sim != null) sim.close();
  }

  private Map<String, String> env(String input) {
    Map<String, String> env = new HashMap<>();
    env.put("INPUT", EXAMPLE.resolve(input).toString());
    env.put("CRM_URL", sim.baseUrl().toString());
    env.put("CRM_API_KEY", KEY);
    return env;
  }

  private Ferry.Run run(String input, String jobId, String... more) {
    java.util.List<String> args = Ferry.args("run", EXAMPLE.resolve("job.yaml"), "--job-id", jobId,
        "--checkpoint-dir", dir.resolve("state"), "--workers", 2, "--concurrency", 8);
    args.addAll(java.util.List.of(more));
    return Ferry.run(env(input), args);
  }

  @Test
  void upsertsEveryContactOnceThenPatchesTheKnownOnes() {
    // Given a CRM that fails 10 % of calls and drops 5 % of connections
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).errorRate(0.10).dropRate(0.05).seed(11)
        .build());
    // When the 40 contacts are imported
    Ferry.Run first = run("contacts.jsonl", "crm-1", "--quiet", "--json");
    // Then every row is done and every contact was created once
    assertThat(first.exit()).as(first.toString()).isZero();
    JsonNode report = first.outJson();
    assertThat(report.path("rows").asLong()).isEqualTo(40);
    assertThat(report.path("done").asLong()).isEqualTo(40);
    CrmStats crm = sim.stats().crm();
    assertThat(crm.contacts()).isEqualTo(40);
    assertThat(crm.created()).isEqualTo(40);
    assertThat(crm.duplicateCreations()).isZero();
    assertThat(first.out() + first.err()).doesNotContain(KEY);
    // When the update file (10 known contacts changed, 5 new) runs as another job
    Ferry.Run second = run("contacts-update.jsonl", "crm-2", "--quiet", "--json");
    // Then the 10 are patched and the 5 created, nothing twice
    assertThat(second.exit()).as(second.toString()).isZero();
    crm = sim.stats().crm();
    assertThat(crm.contacts()).isEqualTo(45);
    assertThat(crm.created()).isEqualTo(45);
    assertThat(crm.patches()).isEqualTo(10);
    assertThat(crm.duplicateCreations()).isZero();
    assertThat(sim.stats().errorsInjected() + sim.stats().dropsInjected()).isPositive();
  }

  @Test
  void aDryRunShowsTheRequestsWithTheKeyMaskedAndSendsNothing() {
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).build());
    Ferry.Run dry = run("contacts.jsonl", "crm-dry", "--dry-run", "--progress", "never");
    assertThat(dry.exit()).as(dry.toString()).isZero();
    assertThat(dry.out()).contains("POST " + sim.baseUrl() + "/crm/contacts")
        .contains("\"email\":\"margaret.7@example.com\""); // lower(trim(row.email)) of "  Margaret.7@Example.COM "
    assertThat(dry.out() + dry.err()).doesNotContain(KEY);
    assertThat(sim.stats().requests()).isZero();
  }
}
