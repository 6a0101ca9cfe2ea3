package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import dev.ferry.testing.FakeTicker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookup-or-create: single-flight per key across threads, cached in the job store for other processes and resumes. */
class LookupStepTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 4, 3);
  private final FakeTicker time = new FakeTicker();
  private final CallRunner runner = new CallRunner(false, null, RetryPolicy.defaults(), time, () -> 0.5);
  @TempDir
  Path dir;

  /** An organizations API: GET /orgs?external_id= lists matches, POST /orgs creates (409 on a duplicate). */
  private static final class Orgs {
    final Map<String, String> byExternalId = new ConcurrentHashMap<>();
    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger finds = new AtomicInteger();
    final FakeApi api = new FakeApi(call -> {
      if (call.method().equals("GET")) {
        finds.incrementAndGet();
        String ext = call.path().substring(call.path().indexOf('=') + 1);
        String id = byExternalId.get(ext);
        return FakeApi.answer(200, id == null ? "{\"data\":[]}" : "{\"data\":[{\"id\":\"" + id + "\"}]}");
      }
      creates.incrementAndGet();
      String ext = (String) ((Map<?, ?>) Json.readOrNull(call.jsonBody())).get("external_id");
      String id = "org_" + ext;
      if (byExternalId.putIfAbsent(ext, id) != null) return FakeApi.answer(409, "{\"message\":\"exists\"}");
      return FakeApi.answer(201, "{\"id\":\"" + id + "\"}");
    });
  }

  private static LookupStepConfig config(boolean create) {
    CallConfig find = new CallConfig(new RequestTemplate("GET", Template.parse("/orgs", AT),
        Map.of("external_id", Template.parse("{{ row.org }}", AT)), Map.of(), null), null, ResponseRules.DEFAULTS,
        Map.of("org_id", JsonPath.parse("$.data[0].id", AT)), Map.of());
    CallConfig make = new CallConfig(new RequestTemplate("POST", Template.parse("/orgs", AT), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("external_id", "{{ row.org }}"), AT)), Template.parse("org-{{ row.org }}", AT),
        ResponseRules.DEFAULTS, Map.of("org_id", JsonPath.parse("$.id", AT)), Map.of());
    return new LookupStepConfig("org", AT, null, "api", Template.parse("{{ row.org }}", AT), "orgs", find,
        create ? make : null);
  }

  private static RowState row(long n, String org) {
    return new RowState(new RowInput(n, 0, n, null, null, Map.of("org", org)), "", Map.of("id", "job"));
  }

  private SqliteJobStore store() {
    SqliteJobStore s = SqliteJobStore.open(dir.resolve("ferry.db"));
    s.createJob(new JobRecord("job", "spec", "in.jsonl", 0, "", 0, 100, "{}", JobStatus.RUNNING, "", 0, 0));
    return s;
  }

  @Test
  void manyRowsWithOneKeyAtOnceMakeOneFindAndOneCreate() throws Exception {
    // Given 32 rows of the same organization, started together
    Orgs orgs = new Orgs();
    LookupStep step = new LookupStep(config(true), orgs.api.target("api", TargetLimits.NONE, time, time), runner,
        null, "job");
    CountDownLatch start = new CountDownLatch(1);
    List<StepResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 1; i <= 32; i++) {
      long n = i;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          start.await();
          results.add(step.run(row(n, "acme")));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    // When
    start.countDown();
    for (Thread t : threads) t.join();
    // Then one find, one create, and every row has the id
    assertThat(orgs.finds).hasValue(1);
    assertThat(orgs.creates).hasValue(1);
    assertThat(results).hasSize(32).allSatisfy(r ->
        assertThat(((StepResult.Ok) r).captures()).containsEntry("org_id", "org_acme"));
    assertThat(results).filteredOn(r -> ((StepResult.Ok) r).note().equals("created")).hasSize(1);
    assertThat(orgs.api.calls).filteredOn(c -> c.method().equals("POST"))
        .extracting(c -> c.idempotencyKey()).containsExactly("org-acme");
  }

  @Test
  void createWhenFalseFailsAMissingKeyAsNotFoundWithoutCreating() throws Exception {
    Orgs orgs = new Orgs();
    LookupStepConfig c = config(true);
    LookupStepConfig only = new LookupStepConfig(c.name(), c.location(), null, c.target(), c.key(), c.namespace(),
        c.find(), c.create(), Template.parse("{{ row.org != 'ghost' }}", AT));
    LookupStep step = new LookupStep(only, orgs.api.target("api", TargetLimits.NONE, time, time), runner, null, "job");
    StepResult ghost = step.run(row(1, "ghost"));
    assertThat(ghost).isInstanceOf(StepResult.Failed.class);
    assertThat(((StepResult.Failed) ghost).status()).isEqualTo(404);
    assertThat(((StepResult.Failed) ghost).message()).contains("create_when is false");
    assertThat(((StepResult.Ok) step.run(row(2, "acme"))).note()).isEqualTo("created");
    assertThat(orgs.creates).hasValue(1);
  }

  @Test
  void anotherProcessOrAResumeReusesWhatTheStoreRemembers() throws Exception {
    Orgs orgs = new Orgs();
    try (SqliteJobStore store = store()) {
      // Given one process resolved acme (created) and globex (found)
      orgs.byExternalId.put("globex", "org_g");
      LookupStep first = new LookupStep(config(true), orgs.api.target("api", TargetLimits.NONE, time, time), runner,
          store, "job");
      assertThat(((StepResult.Ok) first.run(row(1, "acme"))).note()).isEqualTo("created");
      assertThat(((StepResult.Ok) first.run(row(2, "globex"))).note()).isEqualTo("found");
      int calls = orgs.api.calls.size();
      // When another process starts with the same store
      LookupStep second = new LookupStep(config(true), orgs.api.target("api", TargetLimits.NONE, time, time), runner,
          store, "job");
      StepResult acme = second.run(row(3, "acme"));
      StepResult globex = second.run(row(4, "globex"));
      // Then it sends nothing for them
      assertThat(orgs.api.calls).hasSize(calls);
      assertThat(((StepResult.Ok) acme).captures()).containsEntry("org_id", "org_acme");
      assertThat(((StepResult.Ok) acme).note()).isEqualTo("cached");
      assertThat(((StepResult.Ok) globex).captures()).containsEntry("org_id", "org_g");
      assertThat(store.lookups("job", "orgs")).containsOnlyKeys("acme", "globex");
    }
  }

  @Test
  void aCreateRefusedBecauseSomeoneElseCreatedItMeanwhileFindsItAgain() throws Exception {
    // Given a find that misses once (another process creates between our find and our create)
    Orgs orgs = new Orgs();
    AtomicInteger gets = new AtomicInteger();
    FakeApi racing = new FakeApi(call -> {
      if (call.method().equals("GET") && gets.incrementAndGet() == 1) {
        orgs.byExternalId.put("acme", "org_theirs");
        return FakeApi.answer(200, "{\"data\":[]}");
      }
      return orgs.api.call(call);
    });
    LookupStep step = new LookupStep(config(true), racing.target("api", TargetLimits.NONE, time, time), runner, null,
        "job");
    StepResult r = step.run(row(1, "acme"));
    assertThat(((StepResult.Ok) r).captures()).containsEntry("org_id", "org_theirs");
    assertThat(((StepResult.Ok) r).note()).isEqualTo("existing");
  }

  @Test
  void withoutCreateNotFoundFailsEveryRowOfTheKeyWithOneRequest() throws Exception {
    Orgs orgs = new Orgs();
    LookupStep step = new LookupStep(config(false), orgs.api.target("api", TargetLimits.NONE, time, time), runner,
        null, "job");
    StepResult a = step.run(row(1, "nope"));
    StepResult b = step.run(row(2, "nope"));
    assertThat(a).isInstanceOf(StepResult.Failed.class);
    assertThat(((StepResult.Failed) b).message()).contains("nothing found for key 'nope'");
    assertThat(orgs.finds).hasValue(1);
  }

  @Test
  void aRetryableFailureIsNotCached() throws Exception {
    AtomicInteger n = new AtomicInteger();
    FakeApi flaky = new FakeApi(call -> n.incrementAndGet() == 1 ? FakeApi.exhausted(503)
        : FakeApi.answer(200, "{\"data\":[{\"id\":\"org_1\"}]}"));
    LookupStep step = new LookupStep(config(true), flaky.target("api", TargetLimits.NONE, time, time), runner, null,
        "job");
    assertThat(((StepResult.Failed) step.run(row(1, "acme"))).retryable()).isTrue();
    assertThat(((StepResult.Ok) step.run(row(2, "acme"))).captures()).containsEntry("org_id", "org_1");
  }

  @Test
  void anEmptyKeySkipsTheStep() throws Exception {
    Orgs orgs = new Orgs();
    LookupStep step = new LookupStep(config(true), orgs.api.target("api", TargetLimits.NONE, time, time), runner,
        null, "job");
    assertThat(step.run(row(1, ""))).isEqualTo(StepResult.SKIPPED);
    assertThat(orgs.api.calls).isEmpty();
  }
}
