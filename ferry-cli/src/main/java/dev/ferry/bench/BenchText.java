package dev.ferry.bench;

import static dev.ferry.bench.Fmt.f;
import static dev.ferry.bench.Fmt.mb;
import static dev.ferry.bench.Fmt.ms;
import static dev.ferry.bench.Fmt.num;
import static dev.ferry.bench.Fmt.pct;
import static dev.ferry.bench.Fmt.times;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The study as plain text for the terminal: the tables, then the verdict, the fit and the recommendation. */
public final class BenchText {
  private BenchText() {}

  /** Tables, verdict, fit and recommendation. */
  public static String render(BenchResult r) {
    return tables(r) + "\n" + judgement(r);
  }

  /** Throughput, per-call latency and resource tables. */
  public static String tables(BenchResult r) {
    String u = r.context().units();
    boolean http = !r.context().dryRun();
    boolean waits = http && r.rungs().stream().anyMatch(g -> !Double.isNaN(g.waitSeconds()));
    StringBuilder out = new StringBuilder();
    List<String[]> rows = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("workers", "in flight", u + "/s", "speedup", "efficiency"));
    if (http) head.addAll(List.of("req/s", "p50 ms", "p95 ms", "p99 ms", "429s", "retries", "timeouts", "failed"));
    if (waits) head.add("waiting");
    rows.add(head.toArray(String[]::new));
    for (BenchAnalysis.Scaling s : r.analysis().scaling()) {
      Rung g = s.rung();
      boolean judged = g.judged();
      List<String> row = new ArrayList<>(List.of(String.valueOf(g.workers()), String.valueOf(g.inFlight()),
          judged ? num(g.rowsPerSecond()) : "-", judged ? times(s.speedup()) : "-",
          judged ? pct(s.efficiency()) : "-"));
      if (http) {
        row.addAll(List.of(judged ? num(g.requestsPerSecond()) : "-", ms(g.allCalls().p50()), ms(g.allCalls().p95()),
            ms(g.allCalls().p99()), String.valueOf(g.rateLimited()), String.valueOf(g.retries()),
            String.valueOf(g.timeouts()), String.valueOf(g.failedRows())));
      }
      if (waits) row.add(!judged || Double.isNaN(g.waitShare()) ? "-" : pct(g.waitShare()));
      rows.add(row.toArray(String[]::new));
    }
    table(out, rows);

    TreeSet<String> calls = new TreeSet<>();
    r.rungs().forEach(g -> calls.addAll(g.latencies().keySet()));
    if (http && !calls.isEmpty()) {
      out.append("\nlatency per call, ms (p50 / p95 / p99):\n");
      rows = new ArrayList<>();
      List<String> h = new ArrayList<>(List.of("workers"));
      h.addAll(calls);
      rows.add(h.toArray(String[]::new));
      for (Rung g : sorted(r)) {
        List<String> row = new ArrayList<>(List.of(String.valueOf(g.workers())));
        for (String c : calls) {
          Latency l = g.latencies().get(c);
          row.add(l == null ? "-" : ms(l.p50()) + " / " + ms(l.p95()) + " / " + ms(l.p99()));
        }
        rows.add(row.toArray(String[]::new));
      }
      table(out, rows);
    }

    out.append("\nwindow and process cost").append(r.context().simulatorInProcess()
        ? " (the whole process, the in-process simulator included):\n" : " (the whole process):\n");
    rows = new ArrayList<>();
    rows.add(new String[] {"workers", u, "window s", "cpu cores", "gc", "heap peak MB", "live heap MB", "rss peak MB",
        "host cpu", "load avg", "steady"});
    for (Rung g : sorted(r)) {
      boolean judged = g.judged();
      rows.add(new String[] {String.valueOf(g.workers()), String.format(Locale.ROOT, "%,d", g.rows()),
          f("%.1f", g.seconds()), judged ? f("%.2f", g.cpuCores()) : "-", judged ? pct(g.gcShare()) : "-",
          mb(g.peakHeapBytes()), mb(g.liveHeapBytes()), mb(g.peakRssBytes()), judged ? pct(g.hostCpu()) : "-",
          Double.isNaN(g.loadAverage()) ? "n/a" : f("%.1f", g.loadAverage()),
          !judged ? "no (too few rows to judge)" : g.steady() ? "yes" : "no (sample too small)"});
    }
    table(out, rows);
    return out.toString();
  }

  /** The verdict, the fit and the recommendation, one paragraph each. */
  public static String judgement(BenchResult r) {
    BenchAnalysis a = r.analysis();
    StringBuilder out = new StringBuilder();
    out.append("bottleneck: ").append(a.verdict().sentence()).append('\n');
    for (String c : a.caveats()) out.append("caution: ").append(c).append('\n');
    out.append("USL fit: ").append(uslLine(a.usl(), r.context().units())).append('\n');
    Recommendation rec = a.recommendation();
    if (rec != null) {
      out.append(f("recommended: --workers %d --concurrency %d (%s %s/s measured): %s%n", rec.workers(),
          rec.concurrency(), num(rec.expectedRate()), r.context().units(), rec.reason()));
      if (!rec.ceilingNote().isEmpty()) out.append("ceiling: ").append(rec.ceilingNote()).append('\n');
    }
    return out.toString();
  }

  static String uslLine(UslFit usl, String units) {
    if (usl == null) return "needs two judged rungs";
    String peak;
    if (Double.isInfinite(usl.peakWorkers())) {
      peak = usl.sigma() > 0
          ? f("no peak (κ = 0): throughput approaches λ/σ = %s %s/s", num(usl.peakThroughput()), units)
          : "no peak and no ceiling (σ = κ = 0: linear)";
    } else {
      peak = f("predicted peak at %s workers, %s %s/s", num(usl.peakWorkers()), num(usl.peakThroughput()), units);
    }
    return f("λ = %s %s/s a worker, σ = %s, κ = %s, R² = %s; %s", num(usl.lambda()), units, sci(usl.sigma()),
        sci(usl.kappa()), f("%.3f", usl.rSquared()), peak);
  }

  static String sci(double v) {
    if (v == 0) return "0";
    if (Math.abs(v) >= 0.001) return f("%.4f", v);
    return f("%.2e", v);
  }

  private static List<Rung> sorted(BenchResult r) {
    return r.analysis().scaling().stream().map(BenchAnalysis.Scaling::rung).toList();
  }

  /** Right-aligned columns, two spaces apart; the first row is the header. */
  static void table(StringBuilder out, List<String[]> rows) {
    int cols = rows.getFirst().length;
    int[] width = new int[cols];
    for (String[] row : rows) {
      for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], row[i].length());
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        if (i > 0) line.append("  ");
        line.append(" ".repeat(width[i] - row[i].length())).append(row[i]);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
