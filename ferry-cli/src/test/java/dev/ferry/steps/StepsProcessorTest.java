package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.http.ApiResponse;
import dev.ferry.sinks.ResultSink;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import dev.ferry.testing.FakeTicker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One outcome per row: steps in order, when, the first failure decides, the sink before done, invalid rows. */
class StepsProcessorTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 2, 2);
  private final FakeTicker time = new FakeTicker();
  private final CallRunner runner = new CallRunner(false, null, RetryPolicy.defaults(), time, () -> 0.5);
  private final List<String> written = new ArrayList<>();
  private final ResultSink sink = new ResultSink() {
    @Override
    public void write(RowInput row, Map<String, Object> results) throws IOException {
      if ("sink-fails".equals(row.record().get("id"))) throw new IOException("disk full");
      written.add(row.row() + ":" + results);
    }

    @Override
    public void close() {}
  };

  private StepsProcessor processor(FakeApi api) {
    StepTarget target = api.target("api", TargetLimits.NONE, time, time);
    RequestStepConfig find = new RequestStepConfig("find", AT, null, "api", new CallConfig(
        RequestTemplate.of("GET", Template.parse("/things/{{ row.id }}", AT)), null, ResponseRules.DEFAULTS,
        Map.of("thing", JsonPath.parse("$.id", AT)), Map.of()), null);
    RequestStepConfig touch = new RequestStepConfig("touch", AT, Template.parse("{{ steps.find.thing != null }}", AT),
        "api", CallConfig.of(RequestTemplate.of("POST", Template.parse("/things/{{ steps.find.thing }}/touch", AT))),
        null);
    List<StepConfig> configs = List.of(find, touch);
    return new StepsProcessor(configs, List.of(new RequestStep(find, target, runner),
        new RequestStep(touch, target, runner)), Template.parse("{{ row.id }}", AT), Map.of(), List.of(),
        Map.of("id", "j"), sink, false);
  }

  private static RowInput row(long n, String id) {
    return new RowInput(n, 0, n, null, null, Map.of("id", id));
  }

  @Test
  void stepsRunInOrderAndTheSinkGetsTheResultsBeforeTheOutcome() throws Exception {
    FakeApi api = new FakeApi(c -> c.method().equals("GET") ? FakeApi.answer(200, "{\"id\":\"t1\"}")
        : FakeApi.answer(204, ""));
    RowOutcome o = processor(api).process(row(1, "a"));
    assertThat(o.outcome()).isEqualTo(Outcome.DONE);
    assertThat(o.key()).isEqualTo("a");
    assertThat(o.step()).isEqualTo("touch");
    assertThat(o.httpStatus()).isEqualTo(204);
    assertThat(api.calls).extracting(c -> c.method() + " " + c.path())
        .containsExactly("GET /things/a", "POST /things/t1/touch");
    assertThat(written).containsExactly("1:{find={thing=t1}, touch={}}");
  }

  @Test
  void theJobsSecretsAreMaskedInOutcomesResultsAndExceptionsAndAnUnusableTargetStopsTheJob() throws Exception {
    // Given a job secret with a space (URL-encoded as %20 or +) and a quote (JSON-escaped)
    String secret = "tok SECRET\"x";
    java.util.function.Function<dev.ferry.http.ApiCall, dev.ferry.http.ApiResponse>[] answer = new java.util.function.Function[1];
    FakeApi api = new FakeApi(c -> answer[0].apply(c));
    StepTarget target = api.target("api", TargetLimits.NONE, time, time);
    RequestStepConfig find = new RequestStepConfig("find", AT, null, "api", new CallConfig(
        RequestTemplate.of("GET", Template.parse("/things/{{ row.id }}", AT)), null, ResponseRules.DEFAULTS,
        Map.of("thing", JsonPath.parse("$.name", AT)), Map.of()), null);
    StepsProcessor p = new StepsProcessor(List.of(find), List.of(new RequestStep(find, target, runner)),
        Template.parse("{{ row.id }}", AT), Map.of(), Map.of(), List.of(), Map.of("id", "j"), sink, false,
        new RowSecrets(dev.ferry.http.SecretMask.of(List.of(secret)), java.util.Set.of()));

    // When the API echoes it in an error (URL form and JSON form): the ledger's message is masked
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    String echo = "bad: /x?t=tok%20SECRET%22x and tok+SECRET%22x; body " + json.writeValueAsString(Map.of("t", secret));
    String error = json.writeValueAsString(Map.of("message", echo));
    answer[0] = c -> FakeApi.answer(422, error);
    RowOutcome failed = p.process(row(1, "a"));
    assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(failed.message()).isEqualTo("bad: /x?t=*** and ***; body {\"t\":\"***\"}");

    // When it echoes it in a success that the step captures: the sink gets it masked
    String ok = json.writeValueAsString(Map.of("name", secret));
    answer[0] = c -> FakeApi.answer(200, ok);
    assertThat(p.process(row(2, "b")).outcome()).isEqualTo(Outcome.DONE);
    assertThat(written).containsExactly("2:{find={thing=***}}");

    // When the call fails unexpectedly, or the target cannot be used: the exception's message is masked, and an
    // unusable target stops the job
    answer[0] = c -> {
      throw new IllegalStateException("cannot send tok SECRET\"x");
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.process(row(3, "c")))
        .hasMessage("cannot send ***").hasToString("java.lang.IllegalStateException: cannot send ***");
    answer[0] = c -> {
      throw new dev.ferry.http.TargetUnusableException("cannot connect to tok SECRET\"x");
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.process(row(4, "d")))
        .isInstanceOf(dev.ferry.core.engine.StopJobException.class).hasMessage("cannot connect to ***");
  }

  @Test
  void aStepWhoseWhenIsFalseIsSkipped() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(200, "{}"));
    RowOutcome o = processor(api).process(row(1, "a"));
    assertThat(o.outcome()).isEqualTo(Outcome.DONE);
    assertThat(o.step()).isEqualTo("find");
    assertThat(api.calls).hasSize(1);
    assertThat(written).containsExactly("1:{find={thing=null}}");
  }

  @Test
  void theFirstFailingStepDecidesTheRow() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(422, "{\"message\":\"bad id\",\"code\":\"invalid\"}"));
    RowOutcome o = processor(api).process(row(3, "b"));
    assertThat(o).isEqualTo(new RowOutcome(3, 0, 3, Outcome.FAILED, false, "b", "find", 422, "invalid", "bad id",
        "req_422", ""));
    assertThat(written).isEmpty();
  }

  @Test
  void aRedirectFailsTheRowWithTheMessageNamingItsLocation() throws Exception {
    // Given a target that answers 307 (HttpTarget never follows it: the body is empty, its error says why)
    String why = "the target answered HTTP 307 redirecting to https://api.example.com/v2/find: ferry never follows"
        + " redirects; give the final address as targets.api.base_url";
    FakeApi api = new FakeApi(c -> new ApiResponse(307, "", "", 1, false, why));
    RowOutcome o = processor(api).process(row(3, "b"));
    // Then the row's message is that error, not a bare "HTTP 307"
    assertThat(o).isEqualTo(new RowOutcome(3, 0, 3, Outcome.FAILED, false, "b", "find", 307, "http_307", why, "",
        ""));
  }

  @Test
  void aSuccessThatIsNotJsonFailsARowThatCapturesFromItAndAnEmptyOneDoesNot() throws Exception {
    // Given a target whose 200 is a login page (a proxy or a wrong base_url answered), for a step capturing $.id
    FakeApi html = new FakeApi(c -> FakeApi.answer(200, "<!DOCTYPE html><html><body>Sign in</body></html>"));
    RowOutcome o = processor(html).process(row(5, "e"));
    // Then the row fails, retryable, saying so, instead of going done with nothing captured
    assertThat(o.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(o.retryable()).isTrue();
    assertThat(o.code()).isEqualTo("answer_not_json");
    assertThat(o.message()).startsWith("target 'api' answered HTTP 200 with HTML or XML (").contains("not JSON");
    assertThat(html.calls).hasSize(1);
    assertThat(written).isEmpty();
    // Given a 200 with no body, or JSON that is not an object / Then the step is done and its capture null, as before
    FakeApi empty = new FakeApi(c -> FakeApi.answer(200, c.method().equals("GET") ? "" : "\"ok\""));
    assertThat(processor(empty).process(row(6, "f")).outcome()).isEqualTo(Outcome.DONE);
    assertThat(written).containsExactly("6:{find={thing=null}}");
  }

  @Test
  void varsChecksAndSecretFieldsBeforeAndAfterTheSteps() throws Exception {
    // Given a processor with a var, a check on it, and a secret field the API echoes in its error
    FakeApi api = new FakeApi(c -> FakeApi.answer(422, "{\"message\":\"bad password hunter22\"}"));
    StepTarget target = api.target("api", TargetLimits.NONE, time, time);
    RequestStepConfig post = new RequestStepConfig("post", AT, null, "api",
        CallConfig.of(RequestTemplate.of("POST", Template.parse("/things/{{ vars.id }}", AT))), null);
    StepsProcessor p = new StepsProcessor(List.of(post), List.of(new RequestStep(post, target, runner)),
        Template.parse("{{ row.id }}", AT), Map.of("id", Template.parse("{{ lower(row.id) }}", AT)), Map.of(),
        List.of(new RowCheck(AT, Template.parse("{{ vars.id != 'bad' }}", AT), "bad_id",
            Template.parse("id {{ vars.id }} is refused (line {{ source.line }})", AT))),
        Map.of("id", "j"), sink, false,
        new RowSecrets(dev.ferry.http.SecretMask.NONE, java.util.Set.of("password")));
    // When / Then: a row failing the check is invalid and sends nothing
    RowOutcome invalid = p.process(new RowInput(5, 0, 6, null, null, Map.of("id", "BAD")));
    assertThat(invalid.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(invalid.code()).isEqualTo("bad_id");
    assertThat(invalid.message()).isEqualTo("id bad is refused (line 6)");
    assertThat(api.calls).isEmpty();
    // a row sent: the var is in its path, and the echoed password is scrubbed from the message
    RowOutcome failed = p.process(new RowInput(7, 0, 7, null, null, Map.of("id", "X1", "Password", "hunter22")));
    assertThat(api.calls.get(0).path()).isEqualTo("/things/x1");
    assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(failed.message()).isEqualTo("bad password ***");
  }

  @Test
  void aMalformedRowIsInvalidAndSendsNothing() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(200, "{}"));
    RowOutcome o = processor(api).process(new RowInput(4, 0, 4, null, "line 4: not valid JSON", null));
    assertThat(o.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(o.message()).isEqualTo("line 4: not valid JSON");
    assertThat(api.calls).isEmpty();
  }

  @Test
  void aSinkThatFailsLeavesTheRowRetryable() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(200, "{}"));
    RowOutcome o = processor(api).process(row(5, "sink-fails"));
    assertThat(o.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(o.retryable()).isTrue();
    assertThat(o.step()).isEqualTo("sink");
    assertThat(o.message()).contains("disk full");
  }
}
