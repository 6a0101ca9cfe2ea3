package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.StopJobException;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.AuthFailureException;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import dev.ferry.testing.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What an answer means for a step: defaults, declared rules, captures, follow-up calls, step-level retries. */
class ResponseRulesTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 9, 5);
  private final FakeTicker time = new FakeTicker();
  private final CallRunner runner = new CallRunner(false, null,
      RetryPolicy.builder().maxAttempts(3).build(), time, () -> 0.5);
  private final RenderContext row = RenderContext.ofRow(Map.of("id", "c1", "email", "a@b.c"), Map.of(),
      Map.of("id", "job"));

  private static CallConfig create(ResponseRules rules) {
    return new CallConfig(new RequestTemplate("POST", Template.parse("/crm/contacts", AT), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("external_id", "{{ row.id }}"), AT)), Template.parse("contact-{{ row.id }}", AT), rules,
        Map.of("contact_id", JsonPath.parse("$.id", AT)), Map.of());
  }

  private StepResult run(CallConfig call, Function<dev.ferry.http.ApiCall, ApiResponse> script)
      throws InterruptedException {
    FakeApi api = new FakeApi(script);
    return runner.run("create", api.target("crm", TargetLimits.NONE, time, time), call, row, 1);
  }

  @Test
  void defaults() {
    assertThat(ResponseRules.DEFAULTS.ruleFor(201).action()).isEqualTo(StatusAction.OK);
    assertThat(ResponseRules.DEFAULTS.ruleFor(409).action()).isEqualTo(StatusAction.FINAL);
    assertThat(ResponseRules.DEFAULTS.ruleFor(422).action()).isEqualTo(StatusAction.FINAL);
    assertThat(ResponseRules.DEFAULTS.ruleFor(429).action()).isEqualTo(StatusAction.RETRY);
    assertThat(ResponseRules.DEFAULTS.ruleFor(503).action()).isEqualTo(StatusAction.RETRY);
    assertThat(ResponseRules.DEFAULTS.ruleFor(0).action()).isEqualTo(StatusAction.RETRY);
    assertThat(ResponseRules.DEFAULTS.ruleFor(401).action()).isEqualTo(StatusAction.STOP);
    assertThat(ResponseRules.DEFAULTS.ruleFor(403).action()).isEqualTo(StatusAction.STOP);
  }

  @Test
  void anExactStatusWinsOverItsClassAndAClassNeverCoversTheSpecialStatuses() {
    ResponseRules r = new ResponseRules(Map.of("4xx", StatusRule.of(StatusAction.RETRY),
        "409", StatusRule.of(StatusAction.EXISTS)));
    assertThat(r.ruleFor(409).action()).isEqualTo(StatusAction.EXISTS);
    assertThat(r.ruleFor(404).action()).isEqualTo(StatusAction.RETRY);
    assertThat(r.ruleFor(401).action()).isEqualTo(StatusAction.STOP);
    assertThat(r.ruleFor(429).action()).isEqualTo(StatusAction.RETRY);
    assertThatThrownBy(() -> new ResponseRules(Map.of("4x", StatusRule.of(StatusAction.OK))))
        .hasMessageContaining("'4x' is not an HTTP status");
  }

  @Test
  void aRuleWithCodesHoldsOnlyForThoseErrorCodes() {
    ResponseRules r = new ResponseRules(Map.of("422", new StatusRule(StatusAction.EXISTS, null,
        java.util.Set.of("email_not_available", "user_already_exists")), "4xx", StatusRule.of(StatusAction.RETRY)));
    String taken = "{\"code\":\"user_creation_error\",\"errors\":[{\"code\":\"email_not_available\"}]}";
    assertThat(r.ruleFor(422, taken).action()).isEqualTo(StatusAction.EXISTS);
    assertThat(r.ruleFor(422, "{\"code\":\"user_already_exists\"}").action()).isEqualTo(StatusAction.EXISTS);
    assertThat(r.ruleFor(422, "{\"error\":{\"code\":\"email_not_available\"}}").action())
        .isEqualTo(StatusAction.EXISTS);
    // another code, no body, not JSON: the class rule applies
    assertThat(r.ruleFor(422, "{\"code\":\"invalid_request_parameters\"}").action()).isEqualTo(StatusAction.RETRY);
    assertThat(r.ruleFor(422).action()).isEqualTo(StatusAction.RETRY);
    assertThat(r.ruleFor(422, "<html>").action()).isEqualTo(StatusAction.RETRY);
    assertThat(new ResponseRules(Map.of("422", new StatusRule(StatusAction.EXISTS, null, java.util.Set.of("x"))))
        .ruleFor(422, "{}").action()).isEqualTo(StatusAction.FINAL);
  }

  @Test
  void omitEmptyLeavesEmptyFieldsOutOfTheBody() {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("email", "a@b.co");
    body.put("first_name", "");
    body.put("verified", false);
    body.put("role", null);
    body.put("roles", List.of());
    Map<String, Object> inner = new java.util.LinkedHashMap<>();
    inner.put("x", null);
    body.put("metadata", inner);
    body.put("n", 0L);
    assertThat(Json.write(RenderedCall.withoutEmpty(body)))
        .isEqualTo("{\"email\":\"a@b.co\",\"verified\":false,\"n\":0}");
  }

  @Test
  void okCapturesFromTheAnswerAndAnAbsentPathIsNull() throws Exception {
    StepResult r = run(create(ResponseRules.DEFAULTS), c -> FakeApi.answer(201, "{\"id\":\"ct_1\"}"));
    assertThat(((StepResult.Ok) r).captures()).containsEntry("contact_id", "ct_1");
    StepResult empty = run(create(ResponseRules.DEFAULTS), c -> FakeApi.answer(204, ""));
    assertThat(((StepResult.Ok) empty).captures()).containsEntry("contact_id", null);
  }

  @Test
  void theRequestCarriesTheRenderedBodyAndIdempotencyKey() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(201, "{\"id\":\"ct_1\"}"));
    runner.run("create", api.target("crm", TargetLimits.NONE, time, time), create(ResponseRules.DEFAULTS), row, 1);
    assertThat(api.calls.get(0).path()).isEqualTo("/crm/contacts");
    assertThat(api.calls.get(0).jsonBody()).isEqualTo("{\"external_id\":\"c1\"}");
    assertThat(api.calls.get(0).idempotencyKey()).isEqualTo("contact-c1");
  }

  @Test
  void aJobsRedirectStopsTheJobUnlessTheStepNamesItAndA304IsNoRedirect() throws Exception {
    // Given a job's runner (redirects stop) and a target that redirects every request (HttpTarget never follows it)
    CallRunner job = new CallRunner(false, null, RetryPolicy.builder().maxAttempts(3).build(), time, () -> 0.5, true);
    String why = "the target answered HTTP 301 redirecting to https://api.example.com/crm/contacts: ferry never"
        + " follows redirects; give the final address as targets.crm.base_url";
    FakeApi api = new FakeApi(c -> new ApiResponse(301, "", "", 1, false, why));
    StepTarget crm = api.target("crm", TargetLimits.NONE, time, time);
    // Then the job stops at once, naming the target, the step and where it was sent (before: the row failed for
    // good, and 50 rows did before the job paused)
    assertThatThrownBy(() -> job.run("create", crm, create(ResponseRules.DEFAULTS), row, 1))
        .isInstanceOf(StopJobException.class)
        .hasMessage("target 'crm' redirected step 'create', so no row can get past it: " + why);
    assertThat(api.calls).hasSize(1);
    // Given the step names 3xx (or 301) / Then the row fails for good, as before
    for (String key : List.of("3xx", "301")) {
      StepResult failed = job.run("create", crm, create(new ResponseRules(Map.of(key, StatusRule.of(
          StatusAction.FINAL)))), row, 1);
      assertThat(failed).isEqualTo(new StepResult.Failed(301, "http_301", why, "", false));
    }
    // Given a 304 (an answer to a conditional request, not a redirect) / Then it is final, not a stop
    FakeApi notModified = new FakeApi(c -> FakeApi.answer(304, ""));
    assertThat(job.run("create", notModified.target("crm", TargetLimits.NONE, time, time),
        create(ResponseRules.DEFAULTS), row, 1)).isInstanceOf(StepResult.Failed.class);
    // Given a service's runner (the default) / Then the redirect is the item's failure
    assertThat(runner.run("create", crm, create(ResponseRules.DEFAULTS), row, 1))
        .isEqualTo(new StepResult.Failed(301, "http_301", why, "", false));
  }

  @Test
  void a409IsFinalUnlessDeclaredExists() throws Exception {
    StepResult failed = run(create(ResponseRules.DEFAULTS), c -> FakeApi.answer(409,
        "{\"message\":\"external_id already exists\",\"code\":\"duplicate\"}"));
    assertThat(failed).isEqualTo(new StepResult.Failed(409, "duplicate", "external_id already exists", "req_409",
        false));
    StepResult exists = run(create(new ResponseRules(Map.of("409", StatusRule.of(StatusAction.EXISTS)))),
        c -> FakeApi.answer(409, "{\"message\":\"exists\"}"));
    assertThat(((StepResult.Ok) exists).note()).isEqualTo("existing");
  }

  @Test
  void existsWithAFollowUpCallTakesItsCaptures() throws Exception {
    // Given 409 → GET /crm/contacts?external_id=... to recover the id (the WorkOS "email already exists" recovery)
    CallConfig recover = new CallConfig(new RequestTemplate("GET", Template.parse("/crm/contacts", AT),
        Map.of("external_id", Template.parse("{{ row.id }}", AT)), Map.of(), null), null, ResponseRules.DEFAULTS,
        Map.of("contact_id", JsonPath.parse("$.data[0].id", AT)), Map.of());
    CallConfig call = create(new ResponseRules(Map.of("409", new StatusRule(StatusAction.EXISTS, recover))));
    FakeApi api = new FakeApi(c -> c.method().equals("POST") ? FakeApi.answer(409, "{}")
        : FakeApi.answer(200, "{\"data\":[{\"id\":\"ct_9\"}]}"));
    // When
    StepResult r = runner.run("create", api.target("crm", TargetLimits.NONE, time, time), call, row, 1);
    // Then
    assertThat(((StepResult.Ok) r).captures()).isEqualTo(Map.of("contact_id", "ct_9"));
    assertThat(((StepResult.Ok) r).note()).isEqualTo("existing");
    assertThat(api.calls.get(1).path()).isEqualTo("/crm/contacts?external_id=c1");
  }

  @Test
  void aStatusDeclaredRetryIsSentAgainWithBackoffThenFailsRetryably() throws Exception {
    AtomicInteger n = new AtomicInteger();
    CallConfig call = create(new ResponseRules(Map.of("404", StatusRule.of(StatusAction.RETRY))));
    StepResult r = run(call, c -> {
      n.incrementAndGet();
      return FakeApi.answer(404, "{\"message\":\"not replicated yet\"}");
    });
    assertThat(n).hasValue(3);
    assertThat(time.sleeps()).hasSize(2);
    assertThat(((StepResult.Failed) r).retryable()).isTrue();
    // and a 5xx that HttpTarget already retried fails retryably at once
    n.set(0);
    StepResult exhausted = run(create(ResponseRules.DEFAULTS), c -> {
      n.incrementAndGet();
      return FakeApi.exhausted(503);
    });
    assertThat(n).hasValue(1);
    assertThat(((StepResult.Failed) exhausted).retryable()).isTrue();
  }

  @Test
  void aRefusedKeyStopsTheJobWithoutShowingAnything() {
    assertThatThrownBy(() -> run(create(ResponseRules.DEFAULTS), c -> {
      throw new AuthFailureException(401, "check WORKOS_SECRET_KEY");
    })).isInstanceOf(StopJobException.class)
        .hasMessage("target 'crm' refused the credentials (HTTP 401): check its headers (the API key in the "
            + "environment) and base_url");
  }

  @Test
  void anAccountOutOfQuotaStopsTheJobInsteadOfFailingEveryRow() {
    assertThatThrownBy(() -> run(create(ResponseRules.DEFAULTS), c -> new ApiResponse(429, "{\"error\":{\"message\":"
        + "\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}",
        "", 4, true, ""))).isInstanceOf(StopJobException.class)
        .hasMessage("target 'crm' is out of quota (HTTP 429 insufficient_quota): You exceeded your current quota");
  }

  @Test
  void aTemplateThatCannotRenderFailsTheRowNamingTheSpecLocation() throws Exception {
    CallConfig call = new CallConfig(new RequestTemplate("POST", Template.parse("/x", AT), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("n", "{{ tokens(row.tags) }}"), AT)), null, ResponseRules.DEFAULTS, Map.of(), Map.of());
    FakeApi api = new FakeApi(c -> FakeApi.answer(200, "{}"));
    RenderContext withList = RenderContext.ofRow(Map.of("tags", List.of("a")), Map.of(), Map.of());
    StepResult r = runner.run("s", api.target("crm", TargetLimits.NONE, time, time), call, withList, 1);
    assertThat(((StepResult.Failed) r).code()).isEqualTo("template");
    assertThat(((StepResult.Failed) r).message()).startsWith("job.yaml:9:");
    assertThat(api.calls).isEmpty();
  }

  @Test
  void pathValuesArePercentEncodedAsOneSegmentAndQueryValuesAsComponents() throws Exception {
    CallConfig call = new CallConfig(new RequestTemplate("PATCH", Template.parse("/crm/contacts/{{ row.id }}", AT),
        Map.of("q", Template.parse("{{ row.email }}", AT), "skip", Template.parse("{{ row.none }}", AT)), Map.of(),
        null), null, ResponseRules.DEFAULTS, Map.of(), Map.of());
    FakeApi api = new FakeApi(c -> FakeApi.answer(200, "{}"));
    RenderContext ctx = RenderContext.ofRow(Map.of("id", "a/../b?c", "email", "x+y@z.com"), Map.of(), Map.of());
    runner.run("s", api.target("crm", TargetLimits.NONE, time, time), call, ctx, 1);
    assertThat(api.calls.get(0).path()).isEqualTo("/crm/contacts/a%2F..%2Fb%3Fc?q=x%2By%40z.com");
  }
}
