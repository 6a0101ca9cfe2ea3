package dev.ferry.service;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.spi.StoreException;
import dev.ferry.store.WorkQueue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /status} answers (and {@code ferry status --serve} prints): the service's state, the queue's depth
 * and age, what the drain holds in flight and its concurrency, this process's item rates (in and out), each target's
 * pace, and the oldest failed items. Field names and units are listed in docs/SERVE.md ("Status"); this class only
 * assembles
 * them. A store that cannot be read leaves the queue's fields out and says so in {@code state}. Stateless.
 */
final class ServiceStatus {
  /** Failed items shown (the oldest); {@code GET /failed} lists up to 1000, {@code --list-failed} all. */
  static final int FAILED_SHOWN = 10;

  /** What the status is made of. */
  record Parts(String queueName, WorkQueue queue, Drain drain, int statedConcurrency, ItemRates rates,
      boolean draining, long backlogLimit, Map<String, RateLimiter> targets, long nowMillis) {}

  private ServiceStatus() {}

  static Map<String, Object> of(Parts p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("queue", p.queueName());
    WorkQueue.QueueStats stats = null;
    List<WorkQueue.FailedItem> failed = List.of();
    try {
      stats = p.queue().stats(p.nowMillis());
      failed = stats.failed() > 0 ? p.queue().failed(FAILED_SHOWN, 0) : List.of();
    } catch (StoreException e) {
      // shown as the state below; the rest of the status still answers
    }
    var outage = p.drain().outage();
    m.put("state", p.draining() ? "draining" : stats == null ? "store unreachable"
        : outage.isPresent() ? "target unusable" : "ready");
    outage.ifPresent(o -> {
      Map<String, Object> u = new LinkedHashMap<>();
      u.put("reason", o.reason());
      u.put("for_seconds", o.forSeconds());
      u.put("next_probe_in_seconds", o.nextProbeInSeconds());
      u.put("probes", o.probes());
      m.put("target_unusable", u);
    });
    if (stats != null) {
      m.put("backlog", stats.backlog());
      m.put("backlog_limit", p.backlogLimit());
      m.put("pending", stats.pending());
      m.put("claimed", stats.claimed());
      m.put("done", stats.done());
      m.put("failed", stats.failed());
      m.put("oldest_age_seconds", stats.oldestAgeMillis() / 1e3);
    }
    m.put("in_flight", p.drain().inFlight());
    m.put("concurrency", p.drain().concurrency());
    m.put("concurrency_limit", p.drain().ceiling());
    m.put("concurrency_max", p.statedConcurrency());
    ItemRates.Snapshot r = p.rates().perSecond();
    Map<String, Object> rates = new LinkedHashMap<>();
    rates.put("window_seconds", r.seconds());
    rates.put("received_per_second", r.received());
    rates.put("done_per_second", r.done());
    rates.put("failed_per_second", r.failed());
    rates.put("retried_per_second", r.retried());
    m.put("rates", rates);
    List<Map<String, Object>> targets = new ArrayList<>();
    p.targets().forEach((name, limiter) -> {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("name", name);
      double pace = limiter == null ? Double.POSITIVE_INFINITY : limiter.rate();
      t.put("pace_per_second", Double.isFinite(pace) ? pace : null); // null: no pace (none stated, none learned yet)
      targets.add(t);
    });
    m.put("targets", targets);
    m.put("failed_items", failed.stream().map(ServiceStatus::describe).toList());
    return m;
  }

  /** A failed item as {@code /failed} and {@code /status} show it (the item's body is not included). */
  static Map<String, Object> describe(WorkQueue.FailedItem f) {
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("id", f.id());
    i.put("delivery_id", f.deliveryId());
    i.put("index", f.index());
    i.put("attempts", f.attempts());
    i.put("reason", f.reason());
    i.put("failed_at", f.settledAtMillis());
    return i;
  }
}
