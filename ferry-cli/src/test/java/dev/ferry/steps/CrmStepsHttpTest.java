package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.sim.CrmStats;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CRM upsert job (find by external id, then create or patch) at the processor level, over real HTTP against the
 * simulator with injected errors and dropped connections: every row done, every contact created exactly once, a
 * second run patches instead of creating, and two runs racing on the same rows still create each contact once.
 */
class CrmStepsHttpTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 1, 1);
  private static final String KEY = "sk_test_crm_steps";
  private SimServer sim;

  @AfterEach
  void stop() {
    if (sim != null) sim.close();
  }

  private static Template t(String text) {
    return Template.parse(text, AT);
  }

  /** The steps of examples/jsonl-to-crm/job.yaml, as the spec parser fills them. */
  static List<StepConfig> crmSteps() {
    CallConfig find = new CallConfig(new RequestTemplate("GET", t("/crm/contacts"),
        Map.of("external_id", t("{{ row.id }}")), Map.of(), null), null, ResponseRules.DEFAULTS,
        Map.of("contact_id", JsonPath.parse("$.data[0].id", AT)), Map.of());
    CallConfig create = new CallConfig(new RequestTemplate("POST", t("/crm/contacts"), Map.of(), Map.of(),
        JsonTemplate.of(ordered("external_id", "{{ row.id }}", "email", "{{ row.email }}", "name", "{{ row.name }}"),
            AT)), t("contact-{{ row.id }}"), new ResponseRules(Map.of("409", StatusRule.of(StatusAction.EXISTS))),
        Map.of("contact_id", JsonPath.parse("$.id", AT)), Map.of());
    CallConfig update = new CallConfig(new RequestTemplate("PATCH", t("/crm/contacts/{{ steps.find.contact_id }}"),
        Map.of(), Map.of(), JsonTemplate.of(Map.of("email", "{{ row.email }}", "name", "{{ row.name }}"), AT)), null,
        ResponseRules.DEFAULTS, Map.of("version", JsonPath.parse("$.version", AT)), Map.of());
    return List.of(
        new RequestStepConfig("find", AT, null, "crm", find, null),
        new RequestStepConfig("create", AT, t("{{ steps.find.contact_id == null }}"), "crm", create, null),
        new RequestStepConfig("update", AT, t("{{ steps.find.contact_id != null }}"), "crm", update, null));
  }

  private static Map<String, Object> ordered(String... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  private TargetConfig crm() {
    return new TargetConfig("crm", AT, sim.baseUrl(), Map.of("Authorization", "Bearer " + KEY),
        TargetLimits.of(List.of(new LimitRule("requests", 2000, Duration.ofSeconds(1)))), Duration.ofSeconds(5));
  }

  private JobSteps steps(boolean dryRun, java.util.function.Consumer<RenderedRequest> rendered) {
    return JobSteps.builder(List.of(crm()), crmSteps()).jobId("crm-job").key(t("{{ row.id }}")).dryRun(dryRun)
        .onRendered(rendered)
        .retryPolicy(RetryPolicy.builder().maxAttempts(8).baseDelay(Duration.ofMillis(1))
            .maxDelay(Duration.ofMillis(5)).build()).build();
  }

  private static List<RowInput> contacts(int from, int to, String domain) {
    List<RowInput> rows = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("id", "c-" + i);
      record.put("email", "user" + i + "@" + domain);
      record.put("name", "User " + i);
      rows.add(new RowInput(i, 0, i, null, null, record));
    }
    return rows;
  }

  /** Processes the rows with up to 16 in flight, each on its own virtual thread (as the engine does). */
  private static List<RowOutcome> run(RowProcessor p, List<RowInput> rows) throws InterruptedException {
    ConcurrentLinkedQueue<RowOutcome> out = new ConcurrentLinkedQueue<>();
    Semaphore inFlight = new Semaphore(16);
    List<Thread> threads = new ArrayList<>();
    for (RowInput r : rows) {
      inFlight.acquire();
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          out.add(p.process(r));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          inFlight.release();
        }
      }));
    }
    for (Thread t : threads) t.join();
    return new ArrayList<>(out);
  }

  @Test
  void everyContactIsCreatedOnceThenPatchedDespiteFaults() throws Exception {
    // Given a CRM that fails 10 % of calls with 5xx and drops 5 % of connections
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).errorRate(0.10).dropRate(0.05).seed(7).build());
    // When 150 contacts are upserted
    try (JobSteps steps = steps(false, null)) {
      List<RowOutcome> first = run(steps.processor(), contacts(1, 150, "old.example"));
      // Then every row is done, by its create
      assertThat(first).hasSize(150).allSatisfy(o -> {
        assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE);
        assertThat(o.step()).isEqualTo("create");
      });
      assertThat(first).extracting(RowOutcome::key).contains("c-1", "c-150");
      CrmStats crm = sim.stats().crm();
      assertThat(crm.contacts()).isEqualTo(150);
      assertThat(crm.created()).isEqualTo(150);
      assertThat(crm.duplicateCreations()).isZero();
      // When the same contacts (new emails) and 10 new ones run again
      List<RowOutcome> second = run(steps.processor(), contacts(1, 160, "new.example"));
      // Then the known ones are patched, the new ones created, none twice
      assertThat(second).allSatisfy(o -> assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE));
      assertThat(second).filteredOn(o -> o.step().equals("update")).hasSize(150);
      crm = sim.stats().crm();
      assertThat(crm.contacts()).isEqualTo(160);
      assertThat(crm.created()).isEqualTo(160);
      assertThat(crm.patches()).isGreaterThanOrEqualTo(150);
      assertThat(crm.duplicateCreations()).isZero();
    }
    assertThat(sim.stats().errorsInjected()).isPositive();
    assertThat(sim.stats().dropsInjected()).isPositive();
  }

  @Test
  void twoRunsRacingOnTheSameRowsCreateEachContactOnce() throws Exception {
    // Given two independent runs (two processes: no shared memory) over the same 60 rows at once
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build());
    List<RowOutcome> a;
    List<RowOutcome> b;
    try (JobSteps one = steps(false, null); JobSteps two = steps(false, null)) {
      List<RowInput> rows = contacts(1, 60, "example.com");
      List<List<RowOutcome>> results = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread x = Thread.ofVirtual().start(() -> results.add(uncheckedRun(one.processor(), rows)));
      Thread y = Thread.ofVirtual().start(() -> results.add(uncheckedRun(two.processor(), rows)));
      x.join();
      y.join();
      a = results.get(0);
      b = results.get(1);
    }
    // Then both runs end every row done, and each contact exists once
    assertThat(a).hasSize(60).allSatisfy(o -> assertThat(o.outcome()).isEqualTo(Outcome.DONE));
    assertThat(b).hasSize(60).allSatisfy(o -> assertThat(o.outcome()).isEqualTo(Outcome.DONE));
    CrmStats crm = sim.stats().crm();
    assertThat(crm.contacts()).isEqualTo(60);
    assertThat(crm.created()).isEqualTo(60);
    assertThat(crm.duplicateCreations()).isZero();
  }

  @Test
  void aDryRunRendersEveryRequestSendsNothingAndMasksTheKey() throws Exception {
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build());
    List<RenderedRequest> rendered = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (JobSteps steps = steps(true, rendered::add)) {
      assertThat(steps.processor().sideEffectFree()).isTrue();
      List<RowOutcome> out = run(steps.processor(), contacts(1, 3, "example.com"));
      assertThat(out).allSatisfy(o -> assertThat(o.outcome()).isEqualTo(Outcome.DONE));
    }
    assertThat(sim.stats().requests()).isZero();
    // find and create per row (find captures null in a dry run, so create is the branch shown)
    assertThat(rendered).hasSize(6);
    RenderedRequest create = rendered.stream().filter(r -> r.row() == 2 && r.step().equals("create")).findFirst()
        .orElseThrow();
    assertThat(create.url()).isEqualTo(sim.baseUrl() + "/crm/contacts");
    assertThat(create.body()).isEqualTo("{\"external_id\":\"c-2\",\"email\":\"user2@example.com\",\"name\":\"User 2\"}");
    assertThat(create.headers()).anySatisfy(h -> assertThat(h).containsExactly("Authorization", "***"));
    assertThat(create.headers()).anySatisfy(h -> assertThat(h).containsExactly("Idempotency-Key", "contact-c-2"));
    assertThat(rendered.toString()).doesNotContain(KEY);
  }

  @Test
  void aRefusedKeyStopsTheJob() throws Exception {
    sim = SimServer.start(SimConfig.builder().requiredKey("sk_test_other").build());
    try (JobSteps steps = steps(false, null)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> steps.processor().process(contacts(1, 1, "x").get(0)))
          .isInstanceOf(dev.ferry.core.engine.StopJobException.class)
          .hasMessageContaining("target 'crm' refused the credentials (HTTP 401)")
          .hasMessageNotContaining(KEY);
    }
  }

  private static List<RowOutcome> uncheckedRun(RowProcessor p, List<RowInput> rows) {
    try {
      return run(p, rows);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

}
