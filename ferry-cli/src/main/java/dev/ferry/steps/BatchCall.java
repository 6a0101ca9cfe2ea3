package dev.ferry.steps;

import dev.ferry.core.engine.StopJobException;
import dev.ferry.http.OutOfQuota;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends one batch of rows as one call and settles every row's future: the answer is mapped back per row
 * ({@link ItemMapping}); an item the answer marks as an error fails its row alone; a call refused as a whole with a
 * {@code split_on} status is split in halves, recursively, until the offending rows fail alone and every other row
 * gets its own answer (seed 003's {@code return_exceptions=True}). Threadsafe (immutable; one call per batch).
 */
final class BatchCall {
  private final RequestStepConfig config;
  private final StepTarget target;
  private final CallRunner runner;

  BatchCall(RequestStepConfig config, StepTarget target, CallRunner runner) {
    this.config = config;
    this.target = target;
    this.runner = runner;
  }

  /** The context a batch's templates render against. */
  static RenderContext context(List<RowBatcher.Item> items) {
    List<RenderContext> rows = new ArrayList<>(items.size());
    long weight = 0;
    long bytes = 0;
    for (RowBatcher.Item i : items) {
      rows.add(i.ctx());
      weight += i.weight();
      bytes += i.bytes();
    }
    return RenderContext.ofBatch(rows, Map.of("size", (long) items.size(), "weight", weight, "bytes", bytes));
  }

  /** Sends the batch and completes every row's future (a stop, or a target that cannot be used, completes them with its exception). */
  void send(List<RowBatcher.Item> items) {
    try {
      sendOrSplit(items);
    } catch (StopJobException | dev.ferry.http.TargetUnusableException e) {
      for (RowBatcher.Item i : items) i.result().completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (RowBatcher.Item i : items) {
        i.result().complete(new StepResult.Failed(0, "interrupted", "the batch was interrupted", "", true));
      }
    }
  }

  private void sendOrSplit(List<RowBatcher.Item> items) throws InterruptedException {
    RenderedCall rc;
    try {
      rc = RenderedCall.of(config.call(), context(items)).withRows(items.size());
    } catch (SpecException e) {
      settleAll(items, CallRunner.templateFailure(e));
      return;
    }
    Answer a = runner.send(config.name(), target, config.call().rules(), rc);
    // a 429 "Request too large": the batch holds more tokens than the target admits in a window; halves may pass
    boolean refusedWhole = config.batch().splitOn().contains(a.status())
        || (a.status() == 429 && OutOfQuota.tooLarge(a.response().body()));
    if (refusedWhole) {
      if (items.size() == 1) {
        settleAll(items, runner.failure(target, a, false));
        return;
      }
      int half = items.size() / 2;
      sendOrSplit(items.subList(0, half));
      sendOrSplit(items.subList(half, items.size()));
      return;
    }
    switch (a.rule().action()) {
      case OK, EXISTS -> mapBack(items, a);
      case FINAL -> settleAll(items, runner.failure(target, a, false));
      case RETRY -> settleAll(items, runner.failure(target, a, true));
      case STOP -> throw runner.stop(config.name(), target, a.status(), a.message().message());
    }
  }

  private void mapBack(List<RowBatcher.Item> items, Answer a) {
    ItemMapping m = config.batch().items();
    String note = a.rule().action() == StatusAction.EXISTS ? "existing" : "";
    String requestId = a.response().requestId();
    if (m.whole()) {
      settleAll(items, new StepResult.Ok(Answer.capture(config.call(), a.rule(), a.tree()), a.status(), note, requestId));
      return;
    }
    if (!(m.items().read(a.tree()) instanceof List<?> answerItems)) {
      settleAll(items, new StepResult.Failed(a.status(), "no_items", "the answer has no list of items at "
          + m.items().source(), requestId, false));
      return;
    }
    List<Object> byRow = match(items, m, answerItems);
    for (int i = 0; i < items.size(); i++) {
      Object item = byRow.get(i);
      StepResult r;
      if (item == null) {
        r = new StepResult.Failed(a.status(), "no_item", "the answer has no item for this row (" + answerItems.size()
            + " items for " + items.size() + " rows)", requestId, true);
      } else if (m.error() != null && m.error().read(item) != null) {
        ApiMessage msg = ApiMessage.of(m.error().read(item), a.status(), "");
        r = new StepResult.Failed(a.status(), msg.code(), target.scrub(msg.message()), requestId, false);
      } else {
        r = new StepResult.Ok(Answer.capture(config.call(), a.rule(), item), a.status(), note, requestId);
      }
      items.get(i).result().complete(r);
    }
  }

  /** The answer's item for each row, in the rows' order; null where none matches. */
  private List<Object> match(List<RowBatcher.Item> items, ItemMapping m, List<?> answerItems) {
    List<Object> out = new ArrayList<>(items.size());
    if (m.index() == null && m.key() == null) {
      for (int i = 0; i < items.size(); i++) out.add(i < answerItems.size() ? answerItems.get(i) : null);
      return out;
    }
    Map<String, Object> byKey = new HashMap<>();
    for (Object item : answerItems) {
      Object k = m.index() != null ? m.index().read(item) : m.key().read(item);
      if (k != null) byKey.putIfAbsent(keyText(k), item);
    }
    for (int i = 0; i < items.size(); i++) {
      String k;
      if (m.index() != null) {
        k = Long.toString(i);
      } else {
        try {
          k = keyText(m.rowKey().render(items.get(i).ctx()));
        } catch (SpecException e) {
          k = null;
        }
      }
      out.add(k == null ? null : byKey.get(k));
    }
    return out;
  }

  private static String keyText(Object k) {
    if (k instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return Long.toString(n.longValue());
    return String.valueOf(k);
  }

  private static void settleAll(List<RowBatcher.Item> items, StepResult r) {
    for (RowBatcher.Item i : items) i.result().complete(r);
  }
}
