package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.StopJobException;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import dev.ferry.testing.FakeScheduler;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Batch steps against a fake embeddings API: batches cut by count, weight and linger (virtual time), answers mapped
 * back per row by position, index or key, per-item errors, and calls refused as a whole split until the bad rows fail
 * alone.
 */
class BatchStepTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 1, 1);
  private final FakeTicker time = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(time);
  private final CallRunner runner = new CallRunner(false, null, RetryPolicy.defaults(), time, () -> 0.5);

  /** OpenAI-like: one item per input, {"index", "embedding"}; a 400 for the whole call if any input is "BAD". */
  private static ApiResponse embeddings(ApiCall call, boolean reversed) {
    List<?> input = (List<?>) ((Map<?, ?>) Json.readOrNull(call.jsonBody())).get("input");
    if (input.stream().anyMatch(i -> String.valueOf(i).startsWith("BAD"))) {
      return FakeApi.answer(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
          + "\"type\":\"invalid_request_error\"}}");
    }
    List<Object> data = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      data.add(Map.of("object", "embedding", "index", i, "embedding", List.of(i, String.valueOf(input.get(i)))));
    }
    if (reversed) java.util.Collections.reverse(data);
    return FakeApi.answer(200, Json.write(Map.of("object", "list", "data", data)));
  }

  private static RequestStepConfig embedStep(BatchSettings batch) {
    RequestTemplate request = new RequestTemplate("POST", Template.parse("/embeddings", AT), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("model", "m", "input", "{{ batch.each(row.content) }}"), AT));
    CallConfig call = new CallConfig(request, null, ResponseRules.DEFAULTS,
        Map.of("vector", JsonPath.parse("$.embedding", AT)), Map.of("tokens", Template.parse("{{ batch.weight }}", AT)));
    return new RequestStepConfig("embed", AT, null, "embeddings", call, batch);
  }

  private static BatchSettings settings(int maxItems, long maxWeight, ItemMapping mapping) {
    return new BatchSettings(maxItems, 0, maxWeight, Template.parse("{{ length(row.content) }}", AT),
        Duration.ofMillis(50), mapping, BatchSettings.DEFAULT_SPLIT_ON);
  }

  private static ItemMapping byIndex() {
    return ItemMapping.byIndex(JsonPath.parse("$.data", AT), JsonPath.parse("$.index", AT), null);
  }

  private RowBatcher batcher(RequestStepConfig step, FakeApi api) {
    StepTarget target = api.target("embeddings", TargetLimits.NONE, time, time);
    BatchCall call = new BatchCall(step, target, runner);
    return new RowBatcher(step.batch(), scheduler, Runnable::run, call::send);
  }

  private static RowBatcher.Item item(long row, String content) {
    RenderContext ctx = RenderContext.ofRow(Map.of("id", row, "content", content), Map.of(), Map.of("id", "j"));
    return new RowBatcher.Item(row, ctx, content.length(), 0, new CompletableFuture<>());
  }

  private static StepResult result(RowBatcher.Item i) throws Exception {
    assertThat(i.result()).isDone();
    return i.result().get();
  }

  @Test
  void aBatchLeavesWhenItsFirstRowHasLingeredLongEnough() throws Exception {
    // Given a batch of up to 10 rows lingering 50 ms
    FakeApi api = new FakeApi(c -> embeddings(c, false));
    RowBatcher b = batcher(embedStep(settings(10, 0, byIndex())), api);
    // When three rows arrive 10 ms apart
    RowBatcher.Item a = item(1, "alpha");
    b.add(a);
    scheduler.advance(Duration.ofMillis(10));
    RowBatcher.Item c = item(2, "beta");
    b.add(c);
    scheduler.advance(Duration.ofMillis(10));
    RowBatcher.Item d = item(3, "gamma");
    b.add(d);
    scheduler.advance(Duration.ofMillis(29));
    // Then nothing left before the first row's 50 ms
    assertThat(api.calls).isEmpty();
    assertThat(b.pending()).isEqualTo(3);
    scheduler.advance(Duration.ofMillis(1));
    // and then one call carried all three, and each row got its own vector
    assertThat(api.calls).hasSize(1);
    assertThat(api.calls.get(0).jsonBody()).contains("\"input\":[\"alpha\",\"beta\",\"gamma\"]");
    assertThat(((StepResult.Ok) result(c)).captures().get("vector")).isEqualTo(List.of(1, "beta"));
    assertThat(((StepResult.Ok) result(d)).captures().get("vector")).isEqualTo(List.of(2, "gamma"));
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aFullBatchLeavesAtOnceAndTheNextStartsItsOwnLinger() throws Exception {
    FakeApi api = new FakeApi(c -> embeddings(c, false));
    RowBatcher b = batcher(embedStep(settings(2, 0, byIndex())), api);
    b.add(item(1, "a"));
    b.add(item(2, "b"));
    assertThat(api.calls).hasSize(1);
    RowBatcher.Item third = item(3, "c");
    b.add(third);
    scheduler.advance(Duration.ofMillis(49));
    assertThat(third.result()).isNotDone();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(api.calls).hasSize(2);
    assertThat(result(third)).isInstanceOf(StepResult.Ok.class);
  }

  @Test
  void aRowThatWouldTakeTheBatchPastItsWeightStartsTheNextBatch() {
    // Given at most 10 weight units (characters here) per batch
    FakeApi api = new FakeApi(c -> embeddings(c, false));
    RowBatcher b = batcher(embedStep(settings(100, 10, byIndex())), api);
    // When rows of 6, 3 and 5 characters arrive
    b.add(item(1, "aaaaaa"));
    b.add(item(2, "bbb"));
    b.add(item(3, "ccccc"));
    // Then the first two left together (9) when the third (14) would not fit; the third waits for its linger
    assertThat(api.calls).hasSize(1);
    assertThat(api.calls.get(0).jsonBody()).contains("[\"aaaaaa\",\"bbb\"]");
    scheduler.advance(Duration.ofMillis(50));
    assertThat(api.calls).hasSize(2);
    // and a row heavier than the whole budget goes alone
    b.add(item(4, "x".repeat(25)));
    assertThat(api.calls).hasSize(3);
  }

  @Test
  void answersAreMappedBackByIndexWhateverTheirOrder() throws Exception {
    FakeApi api = new FakeApi(c -> embeddings(c, true));
    RowBatcher b = batcher(embedStep(settings(3, 0, byIndex())), api);
    List<RowBatcher.Item> items = List.of(item(1, "one"), item(2, "two"), item(3, "three"));
    items.forEach(b::add);
    for (int i = 0; i < 3; i++) {
      assertThat(((StepResult.Ok) result(items.get(i))).captures().get("vector"))
          .isEqualTo(List.of(i, List.of("one", "two", "three").get(i)));
    }
  }

  @Test
  void answersAreMappedBackByKeyAndAnItemMarkedFailedFailsItsRowAlone() throws Exception {
    // Given an API answering {"results": [{"id", "error"?}]} in any order
    FakeApi api = new FakeApi(c -> FakeApi.answer(207, "{\"results\":[{\"id\":3,\"ok\":true},"
        + "{\"id\":1,\"error\":{\"message\":\"email is invalid\",\"code\":\"invalid_email\"}},{\"id\":2,\"ok\":true}]}"));
    ItemMapping byKey = ItemMapping.byKey(JsonPath.parse("$.results", AT), JsonPath.parse("$.id", AT),
        Template.parse("{{ row.id }}", AT), JsonPath.parse("$.error", AT));
    RequestStepConfig base = embedStep(settings(3, 0, byKey));
    RequestStepConfig step = new RequestStepConfig("upsert", AT, null, "embeddings",
        new CallConfig(base.call().request(), null, ResponseRules.DEFAULTS, Map.of("ok", JsonPath.parse("$.ok", AT)),
            Map.of()), base.batch());
    RowBatcher b = batcher(step, api);
    List<RowBatcher.Item> items = List.of(item(1, "a"), item(2, "b"), item(3, "c"));
    items.forEach(b::add);
    // Then row 1 fails with the item's message, rows 2 and 3 succeed
    StepResult.Failed f = (StepResult.Failed) result(items.get(0));
    assertThat(f.message()).isEqualTo("email is invalid");
    assertThat(f.code()).isEqualTo("invalid_email");
    assertThat(f.retryable()).isFalse();
    assertThat(((StepResult.Ok) result(items.get(1))).captures()).containsEntry("ok", true);
    assertThat(((StepResult.Ok) result(items.get(2))).captures()).containsEntry("ok", true);
  }

  @Test
  void aRowMissingFromTheAnswerFailsRetryably() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(200, "{\"data\":[{\"index\":0,\"embedding\":[1]}]}"));
    RowBatcher b = batcher(embedStep(settings(2, 0, byIndex())), api);
    RowBatcher.Item first = item(1, "a");
    RowBatcher.Item second = item(2, "b");
    b.add(first);
    b.add(second);
    assertThat(result(first)).isInstanceOf(StepResult.Ok.class);
    StepResult.Failed f = (StepResult.Failed) result(second);
    assertThat(f.code()).isEqualTo("no_item");
    assertThat(f.retryable()).isTrue();
  }

  @Test
  void aCallRefusedAsAWholeIsSplitUntilTheBadRowsFailAlone() throws Exception {
    // Given 8 rows of which rows 3 and 8 make the API refuse any call that carries them
    FakeApi api = new FakeApi(c -> embeddings(c, false));
    RowBatcher b = batcher(embedStep(settings(8, 0, byIndex())), api);
    List<RowBatcher.Item> items = new ArrayList<>();
    for (int i = 1; i <= 8; i++) items.add(item(i, i == 3 || i == 8 ? "BAD" + i : "doc" + i));
    // When they go as one batch
    items.forEach(b::add);
    // Then the two bad rows fail alone with the API's message, and every other row has its own vector
    for (RowBatcher.Item i : items) {
      StepResult r = result(i);
      if (i.row() == 3 || i.row() == 8) {
        assertThat(r).isInstanceOf(StepResult.Failed.class);
        assertThat(((StepResult.Failed) r).message()).contains("maximum context length");
        assertThat(((StepResult.Failed) r).status()).isEqualTo(400);
        assertThat(((StepResult.Failed) r).retryable()).isFalse();
      } else {
        assertThat(((StepResult.Ok) r).captures().get("vector"))
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains("doc" + i.row());
      }
    }
    // 8 → 4+4 → (2+2)+(2+2) → the halves with a bad row split to singles: 1 + 2 + 4 + 4 calls
    assertThat(api.calls).hasSize(11);
    assertThat(api.calls.get(0).jsonBody()).contains("BAD3", "BAD8");
  }

  @Test
  void aStatusNotDeclaredForSplittingFailsTheWholeBatch() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.answer(404, "{\"status\":{\"error\":\"Collection `docs` not found\"}}"));
    RowBatcher b = batcher(embedStep(new BatchSettings(2, 0, 0, null, Duration.ofMillis(50), ItemMapping.WHOLE,
        Set.of(413))), api);
    RowBatcher.Item x = item(1, "a");
    RowBatcher.Item y = item(2, "b");
    b.add(x);
    b.add(y);
    assertThat(api.calls).hasSize(1);
    assertThat(((StepResult.Failed) result(x)).message()).isEqualTo("Collection `docs` not found");
    assertThat(((StepResult.Failed) result(y)).message()).isEqualTo("Collection `docs` not found");
  }

  @Test
  void exhaustedRetriesFailEveryRowRetryably() throws Exception {
    FakeApi api = new FakeApi(c -> FakeApi.exhausted(503));
    RowBatcher b = batcher(embedStep(settings(2, 0, byIndex())), api);
    RowBatcher.Item x = item(1, "a");
    b.add(x);
    b.add(item(2, "b"));
    assertThat(((StepResult.Failed) result(x)).retryable()).isTrue();
  }

  @Test
  void aRefusedKeyStopsEveryRowOfTheBatch() {
    FakeApi api = new FakeApi(c -> {
      throw new dev.ferry.http.AuthFailureException(401, "refused");
    });
    RowBatcher b = batcher(embedStep(settings(2, 0, byIndex())), api);
    RowBatcher.Item x = item(1, "a");
    b.add(x);
    b.add(item(2, "b"));
    assertThat(x.result()).isCompletedExceptionally();
    try {
      x.result().get();
    } catch (ExecutionException | InterruptedException e) {
      assertThat(e.getCause()).isInstanceOf(StopJobException.class).hasMessageContaining("HTTP 401");
    }
  }
}
