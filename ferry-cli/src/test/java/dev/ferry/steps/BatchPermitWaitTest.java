package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch waiting for its request permit keeps its door open (virtual time for the linger; the permit is a gate the
 * test opens): rows that arrive while it waits join it up to {@code max_items}, instead of each lingered batch
 * leaving with the few rows it had (3.7 of 8 against 5 requests/s before, docs/SERVE.md).
 */
class BatchPermitWaitTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 1, 1);
  private final FakeTicker time = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(time);
  private final CallRunner runner = new CallRunner(false, null, RetryPolicy.defaults(), time, () -> 0.5);
  private final FakeApi api = new FakeApi(BatchPermitWaitTest::embeddings);

  /** A request permit the test hands out one at a time; counts the permits taken and released. */
  private static final class Gate implements RowBatcher.Permit {
    final Semaphore permits = new Semaphore(0);
    final Semaphore released = new Semaphore(0);

    @Override
    public Object take() throws InterruptedException {
      permits.acquire();
      return this;
    }

    @Override
    public void release(Object token) {
      released.release();
    }
  }

  private static ApiResponse embeddings(ApiCall call) {
    List<?> input = (List<?>) ((Map<?, ?>) Json.readOrNull(call.jsonBody())).get("input");
    List<Object> data = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) data.add(Map.of("index", i, "embedding", List.of(i)));
    return FakeApi.answer(200, Json.write(Map.of("data", data)));
  }

  private RowBatcher batcher(int maxItems, long maxWeight, Gate gate) {
    RequestTemplate request = new RequestTemplate("POST", Template.parse("/embeddings", AT), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("input", "{{ batch.each(row.content) }}"), AT));
    CallConfig call = new CallConfig(request, null, ResponseRules.DEFAULTS,
        Map.of("vector", JsonPath.parse("$.embedding", AT)), Map.of());
    BatchSettings batch = new BatchSettings(maxItems, 0, maxWeight, Template.parse("{{ length(row.content) }}", AT),
        Duration.ofMillis(50), ItemMapping.byIndex(JsonPath.parse("$.data", AT), JsonPath.parse("$.index", AT), null),
        BatchSettings.DEFAULT_SPLIT_ON);
    RequestStepConfig step = new RequestStepConfig("embed", AT, null, "embeddings", call, batch);
    StepTarget target = api.target("embeddings", TargetLimits.NONE, time, time);
    return new RowBatcher(batch, scheduler, command -> Thread.ofVirtual().start(command),
        new BatchCall(step, target, runner)::send, gate);
  }

  private static RowBatcher.Item item(long row, String content) {
    RenderContext ctx = RenderContext.ofRow(Map.of("id", row, "content", content), Map.of(), Map.of("id", "j"));
    return new RowBatcher.Item(row, ctx, content.length(), 0, new CompletableFuture<>());
  }

  private static List<RowBatcher.Item> add(RowBatcher b, int from, int to) {
    List<RowBatcher.Item> items = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      RowBatcher.Item it = item(i, "d" + i);
      items.add(it);
      b.add(it);
    }
    return items;
  }

  private static void settled(List<RowBatcher.Item> items) throws Exception {
    for (RowBatcher.Item i : items) assertThat(i.result().get(1, TimeUnit.MINUTES)).isInstanceOf(StepResult.Ok.class);
  }

  @Test
  void aBatchWaitingForItsPermitFillsToMaxItems() throws Exception {
    // Given batches of up to 8 rows lingering 50 ms, against a target whose permit is not free yet
    Gate gate = new Gate();
    RowBatcher b = batcher(8, 0, gate);
    // When one row lingers its 50 ms (the batch now waits for its permit) and 9 more rows arrive meanwhile
    List<RowBatcher.Item> first = add(b, 1, 1);
    scheduler.advance(Duration.ofMillis(50));
    first.addAll(add(b, 2, 8));
    List<RowBatcher.Item> second = add(b, 9, 10);
    // Then the waiting batch took 7 of them (8, full) and the 2 others start the next batch, nothing sent yet
    assertThat(b.pending()).isEqualTo(2);
    assertThat(api.calls).isEmpty();
    // When the permit comes
    gate.permits.release();
    // Then one call carries the 8 rows, each row has its own answer, and the permit was handed back once
    settled(first);
    assertThat(api.calls).hasSize(1);
    assertThat(api.calls.get(0).jsonBody()).contains("\"input\":[\"d1\",\"d2\",\"d3\",\"d4\",\"d5\",\"d6\",\"d7\",\"d8\"]");
    gate.released.acquire();
    assertThat(second.get(0).result()).isNotDone();
    // When the next batch lingers and rows 11-13 arrive while it waits for its own permit
    scheduler.advance(Duration.ofMillis(50));
    second.addAll(add(b, 11, 13));
    assertThat(api.calls).hasSize(1);
    gate.permits.release();
    // Then it leaves with all five
    settled(second);
    assertThat(api.calls).hasSize(2);
    assertThat(api.calls.get(1).jsonBody()).contains("\"input\":[\"d9\",\"d10\",\"d11\",\"d12\",\"d13\"]");
    assertThat(b.pending()).isZero();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aWaitingBatchClosesAtItsWeightBudget() throws Exception {
    // Given batches of at most 10 weight units (characters), the first batch waiting for its permit
    Gate gate = new Gate();
    RowBatcher b = batcher(100, 10, gate);
    List<RowBatcher.Item> first = add(b, 1, 1); // "d1": 2
    scheduler.advance(Duration.ofMillis(50));
    // When rows of 2 units each arrive while it waits
    first.addAll(add(b, 2, 5));
    List<RowBatcher.Item> next = add(b, 6, 6);
    // Then the waiting batch took rows until it weighed 10 (5 rows), and the sixth starts the next batch
    gate.permits.release(2);
    settled(first);
    b.flush();
    settled(next);
    assertThat(api.calls).extracting(c -> ((List<?>) ((Map<?, ?>) Json.readOrNull(c.jsonBody())).get("input")).size())
        .containsExactly(5, 1);
  }

  @Test
  void aBatchWithoutAPermitToWaitForLeavesAsBefore() throws Exception {
    // Given no permit to wait for (a target without a request limit)
    RowBatcher b = new RowBatcher(new BatchSettings(8, 0, 0, null, Duration.ofMillis(50), ItemMapping.WHOLE,
        BatchSettings.DEFAULT_SPLIT_ON), scheduler, Runnable::run, items -> items.forEach(
            i -> i.result().complete(new StepResult.Ok(Map.of(), 200, "", ""))));
    // When a row lingers 50 ms
    RowBatcher.Item one = item(1, "a");
    b.add(one);
    scheduler.advance(Duration.ofMillis(50));
    // Then its batch left alone, and the next row starts a new one
    assertThat(one.result()).isDone();
    b.add(item(2, "b"));
    assertThat(b.pending()).isEqualTo(1);
  }
}
