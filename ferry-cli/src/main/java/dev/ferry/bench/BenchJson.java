package dev.ferry.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The study as JSON (snake_case; rates per second, latencies in ms, memory in bytes). Non-finite numbers
 * (no peak, no ceiling) are written as null. Stateless.
 */
public final class BenchJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchJson() {}

  public static String render(BenchResult r) {
    return tree(r).toPrettyString() + "\n";
  }

  /** The JSON tree (also embedded in the HTML report for its chart). */
  public static ObjectNode tree(BenchResult r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("started_at", r.startedAt());
    put(root, "total_seconds", r.totalSeconds());
    BenchSetup s = r.setup();
    ObjectNode setup = root.putObject("setup");
    setup.put("mode", s.mode());
    setup.put("target", s.target());
    put(setup, "latency_ms", s.latencyMs());
    put(setup, "jitter_ms", s.jitterMs());
    put(setup, "server_rate_limit", s.serverRateLimit());
    put(setup, "serial_ms", s.serialMs());
    put(setup, "client_rate_limit", r.context().rateLimit());
    put(setup, "client_pace_share", r.context().paceShare());
    ArrayNode ladder = setup.putArray("ladder");
    s.ladder().forEach(ladder::add);
    setup.put("concurrency", s.concurrency());
    setup.put("records", s.records());
    setup.put("chunk_size", s.chunkSize());
    put(setup, "warmup_seconds", s.warmupSeconds());
    put(setup, "rung_seconds", s.rungSeconds());
    setup.put("rounds", s.rounds());
    setup.put("cores", r.context().cores());
    setup.put("unit", r.context().unit());
    if (!r.context().limits().isEmpty()) setup.put("limits", r.context().limits());
    ArrayNode notes = setup.putArray("notes");
    s.notes().forEach(notes::add);

    ArrayNode rungs = root.putArray("rungs");
    for (BenchAnalysis.Scaling sc : r.analysis().scaling()) {
      Rung g = sc.rung();
      ObjectNode n = rungs.addObject();
      n.put("workers", g.workers());
      n.put("concurrency", g.concurrency());
      n.put("in_flight", g.inFlight());
      n.put("rows", g.rows());
      put(n, "seconds", g.seconds());
      put(n, "rows_per_second", g.rowsPerSecond());
      put(n, "speedup", sc.speedup());
      put(n, "efficiency", sc.efficiency());
      n.put("requests", g.requests());
      put(n, "requests_per_second", g.requestsPerSecond());
      put(n, "calls_per_row", g.callsPerRow());
      latency(n.putObject("latency_ms"), g.allCalls());
      ObjectNode per = n.putObject("latency_ms_by_call");
      for (Map.Entry<String, Latency> e : g.latencies().entrySet()) latency(per.putObject(e.getKey()), e.getValue());
      n.put("rate_limited", g.rateLimited());
      n.put("retries", g.retries());
      n.put("timeouts", g.timeouts());
      n.put("other_errors", g.otherErrors());
      n.put("failed_rows", g.failedRows());
      put(n, "wait_seconds", g.waitSeconds());
      put(n, "call_seconds", g.callSeconds());
      put(n, "wait_share", g.waitShare());
      put(n, "cpu_seconds", g.cpuSeconds());
      put(n, "cpu_cores", g.cpuCores());
      put(n, "gc_seconds", g.gcSeconds());
      n.put("peak_heap_bytes", g.peakHeapBytes());
      n.put("live_heap_bytes", g.liveHeapBytes());
      n.put("max_heap_bytes", g.maxHeapBytes());
      n.put("peak_rss_bytes", g.peakRssBytes());
      n.put("steady", g.steady());
      n.put("judged", g.judged());
      if (!g.judged()) n.put("not_judged", g.notJudgedReason());
      put(n, "host_cpu", g.hostCpu());
      put(n, "load_average", g.loadAverage());
      if (g.serverMaxInFlight() >= 0) n.put("server_max_in_flight", g.serverMaxInFlight());
    }

    BenchAnalysis a = r.analysis();
    ObjectNode v = root.putObject("verdict");
    v.put("bottleneck", a.verdict().bottleneck().name().toLowerCase(java.util.Locale.ROOT));
    v.put("label", a.verdict().bottleneck().label());
    v.put("from_workers", a.verdict().fromWorkers());
    v.put("sentence", a.verdict().sentence());
    ArrayNode caveats = v.putArray("caveats");
    a.caveats().forEach(caveats::add);
    if (a.usl() != null) {
      ObjectNode u = root.putObject("usl");
      put(u, "lambda", a.usl().lambda());
      put(u, "sigma", a.usl().sigma());
      put(u, "kappa", a.usl().kappa());
      put(u, "r_squared", a.usl().rSquared());
      put(u, "peak_workers", a.usl().peakWorkers());
      put(u, "peak_rows_per_second", a.usl().peakThroughput());
    } else {
      root.putNull("usl");
    }
    Recommendation rec = a.recommendation();
    if (rec != null) {
      ObjectNode n = root.putObject("recommendation");
      n.put("workers", rec.workers());
      n.put("concurrency", rec.concurrency());
      put(n, "rows_per_second", rec.expectedRate());
      n.put("reason", rec.reason());
      put(n, "ceiling_rows_per_second", rec.ceilingRate());
      n.put("in_flight_for_ceiling", rec.inFlightForCeiling());
      n.put("ceiling_note", rec.ceilingNote());
    } else {
      root.putNull("recommendation");
    }
    return root;
  }

  private static void latency(ObjectNode n, Latency l) {
    n.put("count", l.count());
    put(n, "p50", l.p50());
    put(n, "p95", l.p95());
    put(n, "p99", l.p99());
    put(n, "max", l.max());
  }

  private static void put(ObjectNode n, String field, double v) {
    if (Double.isFinite(v)) n.put(field, v);
    else n.putNull(field);
  }

  static String compact(ObjectNode n) {
    try {
      return new ObjectMapper().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
