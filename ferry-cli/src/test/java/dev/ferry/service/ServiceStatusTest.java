package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.spi.StoreException;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.store.WorkQueue;
import dev.ferry.testing.FakeTicker;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /status}'s content, assembled from a real queue and a drain in virtual time. */
class ServiceStatusTest {
  @TempDir
  Path dir;
  SqlWorkQueue queue;
  final FakeTicker time = new FakeTicker();
  final List<Runnable> parked = new ArrayList<>();
  ItemRates rates;

  @BeforeEach
  void open() {
    queue = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "pages");
    rates = new ItemRates(time);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private Drain drain() {
    return new Drain(queue, row -> {
      String n = (String) row.record().get("n");
      Outcome o = n.equals("bad") || n.equals("flaky") ? Outcome.FAILED : Outcome.DONE;
      return new RowOutcome(row.row(), 0, 0, o, n.equals("flaky"), "k" + row.row(), "embed", o == Outcome.DONE ? 200
          : 400, "", n.equals("bad") ? "input too long" : "", "", "");
    }, "me", 8, Duration.ofSeconds(30), 3, Duration.ofSeconds(5), time, time, time, MetricsRecorder.none(), rates,
        task -> {
          if (parked.size() < 1) parked.add(task); // the first item stays in flight
          else task.run();
        });
  }

  private Map<String, Object> status(Drain d, boolean draining, WorkQueue q) {
    Map<String, RateLimiter> targets = new LinkedHashMap<>();
    targets.put("embeddings", RateLimiter.smooth(40, time));
    targets.put("qdrant", null);
    return ServiceStatus.of(new ServiceStatus.Parts("pages", q, d, 64, rates, draining, 500, targets, time.millis()));
  }

  @Test
  void theQueueTheDrainTheRatesTheTargetsAndTheFailedItems() {
    List<String> items = new ArrayList<>(List.of("{\"n\":\"slow\"}", "{\"n\":\"bad\"}", "{\"n\":\"flaky\"}"));
    for (int i = 0; i < 4; i++) items.add("{\"n\":\"ok\"}");
    queue.offer("/in d1", items, time.millis(), 100);
    rates.add(ItemRates.Kind.RECEIVED, items.size()); // what the route counts when it stores a delivery
    Drain d = drain();
    for (int i = 0; i < 3; i++) d.round(); // claims of 1 (slow: stays in flight), 1 (bad), 3 (flaky, ok, ok): target 4
    time.advance(Duration.ofSeconds(30));

    Map<String, Object> s = status(d, false, queue);
    assertThat(s).containsEntry("queue", "pages").containsEntry("state", "ready").containsEntry("backlog_limit", 500L)
        .containsEntry("done", 2L).containsEntry("failed", 1L).containsEntry("in_flight", 1)
        .containsEntry("concurrency", 4).containsEntry("concurrency_limit", 8)
        .containsEntry("concurrency_max", 64);
    assertThat(s.get("pending")).as("flaky (due again in 5 s) and two ok").isEqualTo(3L);
    assertThat(s.get("claimed")).isEqualTo(1L);
    assertThat(s.get("backlog")).isEqualTo(4L);
    assertThat(s.get("oldest_age_seconds")).isEqualTo(30.0);
    @SuppressWarnings("unchecked")
    Map<String, Object> shown = (Map<String, Object>) s.get("rates");
    assertThat(shown).containsEntry("window_seconds", 30.0).containsEntry("received_per_second", 7 / 30.0)
        .containsEntry("done_per_second", 2 / 30.0)
        .containsEntry("failed_per_second", 1 / 30.0).containsEntry("retried_per_second", 1 / 30.0);
    assertThat(s.get("targets")).asList().containsExactly(
        Map.of("name", "embeddings", "pace_per_second", 40.0), nullPace("qdrant"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> failed = (List<Map<String, Object>>) s.get("failed_items");
    assertThat(failed).singleElement().satisfies(f -> {
      assertThat(f).containsEntry("delivery_id", "/in d1").containsEntry("index", 1).containsEntry("attempts", 1);
      assertThat(f.get("reason")).isEqualTo("embed: 400 input too long (key k2)");
    });

    time.advance(Duration.ofSeconds(61)); // the settles leave the one-minute window
    @SuppressWarnings("unchecked")
    Map<String, Object> later = (Map<String, Object>) status(d, true, queue).get("rates");
    assertThat(later).containsEntry("window_seconds", 60.0).containsEntry("done_per_second", 0.0);
    assertThat(status(d, true, queue)).containsEntry("state", "draining");
  }

  @Test
  void aStoreThatCannotBeReadStillGivesTheDrainsPart() {
    WorkQueue broken = (WorkQueue) Proxy.newProxyInstance(WorkQueue.class.getClassLoader(),
        new Class<?>[] {WorkQueue.class}, (proxy, method, args) -> {
          throw new StoreException("connection refused");
        });
    Map<String, Object> s = status(drain(), false, broken);
    assertThat(s).containsEntry("state", "store unreachable").containsEntry("in_flight", 0)
        .doesNotContainKeys("backlog", "pending", "done", "failed");
    assertThat(s.get("failed_items")).asList().isEmpty();
  }

  private static Map<String, Object> nullPace(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("pace_per_second", null);
    return m;
  }
}
