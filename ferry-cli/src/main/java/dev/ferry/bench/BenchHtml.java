package dev.ferry.bench;

import static dev.ferry.bench.Fmt.f;
import static dev.ferry.bench.Fmt.mb;
import static dev.ferry.bench.Fmt.ms;
import static dev.ferry.bench.Fmt.num;
import static dev.ferry.bench.Fmt.pct;
import static dev.ferry.bench.Fmt.times;

import java.util.TreeSet;

/**
 * The study as one self-contained HTML file: no network, no external script, style or font. The tables and
 * the verdict are static HTML; the chart (throughput against workers, the ideal linear line, the fitted USL
 * curve, the known ceiling) is drawn into an inline SVG by an inline script from the study's JSON, embedded in
 * the page. When the script has run, the SVG carries {@code data-drawn="true"} and the measured points are
 * in {@code polyline#measured}. Stateless.
 */
public final class BenchHtml {
  private BenchHtml() {}

  public static String render(BenchResult r) {
    BenchAnalysis a = r.analysis();
    String u = r.context().units();
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>ferry bench: ").append(esc(a.verdict().bottleneck().label())).append("</title>\n")
        .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    h.append("<h1>ferry bench</h1>\n<p class=\"meta\">").append(esc(r.startedAt())).append(" · ")
        .append(esc(r.setup().mode())).append(r.setup().target().isEmpty() ? "" : " · " + esc(r.setup().target()))
        .append(" · ").append(f("%.0f s", r.totalSeconds())).append("</p>\n");
    h.append("<ul class=\"notes\">\n");
    for (String n : r.setup().notes()) h.append("<li>").append(esc(n)).append("</li>\n");
    h.append("</ul>\n");

    h.append("<section class=\"verdict\" id=\"verdict\"><h2>Bottleneck: ")
        .append(esc(a.verdict().bottleneck().label())).append("</h2>\n<p>").append(esc(a.verdict().sentence()))
        .append("</p>\n");
    Recommendation rec = a.recommendation();
    if (rec != null) {
      h.append("<p><b>Recommended: <code>--workers ").append(rec.workers()).append(" --concurrency ")
          .append(rec.concurrency()).append("</code></b> (").append(esc(num(rec.expectedRate()))).append(' ')
          .append(esc(u)).append("/s measured): ").append(esc(rec.reason())).append("</p>\n");
      if (!rec.ceilingNote().isEmpty()) h.append("<p>Ceiling: ").append(esc(rec.ceilingNote())).append("</p>\n");
    }
    for (String c : a.caveats()) h.append("<p class=\"caution\">Caution: ").append(esc(c)).append("</p>\n");
    h.append("<p>USL fit: ").append(esc(BenchText.uslLine(a.usl(), u))).append("</p>\n</section>\n");

    h.append("<h2>Throughput against workers</h2>\n")
        .append("<svg id=\"chart\" viewBox=\"0 0 760 440\" width=\"760\" height=\"440\" role=\"img\"")
        .append(" aria-label=\"throughput against workers\"></svg>\n")
        .append("<noscript><p>The chart needs JavaScript; the tables below hold the same numbers.</p></noscript>\n");

    boolean http = !r.context().dryRun();
    h.append("<h2>Measurements</h2>\n<div class=\"scroll\"><table id=\"rungs\">\n<thead><tr><th>workers</th><th>in flight</th><th>")
        .append(esc(u)).append("/s</th><th>speedup</th><th>efficiency</th>");
    if (http) {
      h.append("<th>req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>429s</th><th>retries</th>")
          .append("<th>timeouts</th><th>failed</th>");
    }
    h.append("<th>window s</th><th>CPU cores</th><th>GC</th><th>heap peak MB</th><th>RSS peak MB</th><th>host CPU</th></tr></thead>\n<tbody>\n");
    for (BenchAnalysis.Scaling s : a.scaling()) {
      Rung g = s.rung();
      boolean judged = g.judged();
      h.append("<tr><td>").append(g.workers()).append("</td><td>").append(g.inFlight()).append("</td><td>")
          .append(judged ? num(g.rowsPerSecond()) : "-").append("</td><td>").append(judged ? times(s.speedup()) : "-")
          .append("</td><td>").append(judged ? pct(s.efficiency()) : "-").append("</td>");
      if (http) {
        h.append("<td>").append(judged ? num(g.requestsPerSecond()) : "-").append("</td><td>").append(ms(g.allCalls().p50()))
            .append("</td><td>").append(ms(g.allCalls().p95())).append("</td><td>").append(ms(g.allCalls().p99()))
            .append("</td><td>").append(g.rateLimited()).append("</td><td>").append(g.retries()).append("</td><td>")
            .append(g.timeouts()).append("</td><td>").append(g.failedRows()).append("</td>");
      }
      h.append("<td>").append(f("%.1f", g.seconds()))
          .append(!judged ? " (" + esc(g.notJudgedReason()) + ")" : g.steady() ? "" : " (ramp-up included)")
          .append("</td><td>").append(judged ? f("%.2f", g.cpuCores()) : "-").append("</td><td>")
          .append(judged ? pct(g.gcShare()) : "-").append("</td><td>").append(mb(g.peakHeapBytes()))
          .append("</td><td>").append(mb(g.peakRssBytes())).append("</td><td>").append(judged ? pct(g.hostCpu()) : "-")
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table></div>\n");

    TreeSet<String> calls = new TreeSet<>();
    r.rungs().forEach(g -> calls.addAll(g.latencies().keySet()));
    if (http && !calls.isEmpty()) {
      h.append("<h2>Latency per call (ms, p50 / p95 / p99)</h2>\n<table id=\"calls\">\n<thead><tr><th>workers</th>");
      for (String c : calls) h.append("<th>").append(esc(c)).append("</th>");
      h.append("</tr></thead>\n<tbody>\n");
      for (BenchAnalysis.Scaling s : a.scaling()) {
        h.append("<tr><td>").append(s.rung().workers()).append("</td>");
        for (String c : calls) {
          Latency l = s.rung().latencies().get(c);
          h.append("<td>").append(l == null ? "-" : ms(l.p50()) + " / " + ms(l.p95()) + " / " + ms(l.p99()))
              .append("</td>");
        }
        h.append("</tr>\n");
      }
      h.append("</tbody>\n</table>\n");
    }
    h.append("<p class=\"meta\">CPU, heap and RSS are the whole process")
        .append(r.context().simulatorInProcess() ? ", the in-process simulator included" : "")
        .append(". Rates and latencies are measured in each rung's window (after its warm-up, before its drain);")
        .append(" 429s, retries, timeouts and failed rows count the whole rung.</p>\n");

    h.append("<script type=\"application/json\" id=\"bench-data\">")
        .append(BenchJson.compact(BenchJson.tree(r)).replace("<", "\\u003c").replace(">", "\\u003e"))
        .append("</script>\n<script>\n").append(CHART_JS).append("</script>\n</body>\n</html>\n");
    return h.toString();
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String CSS = """
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px;
             padding: 0 1em; color: #1d2327; }
      h1 { margin-bottom: 0.2em; }
      .meta { color: #646970; }
      .notes { color: #3c434a; }
      .verdict { border-left: 4px solid #d63638; background: #fcf0f1; padding: 0.4em 1em; }
      table { border-collapse: collapse; margin: 0.5em 0 1em; }
      th, td { border-bottom: 1px solid #dcdcde; padding: 0.25em 0.7em; text-align: right; white-space: nowrap; }
      th { background: #f6f7f7; }
      code { background: #f0f0f1; padding: 0 0.25em; }
      .scroll { overflow-x: auto; }
      .caution { color: #8a2424; font-style: italic; }
      svg { background: #fff; border: 1px solid #dcdcde; max-width: 100%; height: auto; }
      svg text { font: 12px system-ui, sans-serif; fill: #3c434a; }
      """;

  private static final String CHART_JS = """
      (function () {
        'use strict';
        var data = JSON.parse(document.getElementById('bench-data').textContent);
        var svg = document.getElementById('chart');
        var NS = svg.namespaceURI;
        var W = 760, H = 440, L = 70, R = 170, T = 20, B = 50;
        var unit = data.setup.unit + 's/s';
        var pts = data.rungs.filter(function (r) { return r.judged && r.rows > 0; });
        function el(name, attrs, parent) {
          var e = document.createElementNS(NS, name);
          for (var k in attrs) e.setAttribute(k, attrs[k]);
          (parent || svg).appendChild(e);
          return e;
        }
        function text(x, y, s, anchor, parent) {
          var t = el('text', {x: x, y: y, 'text-anchor': anchor || 'middle'}, parent);
          t.textContent = s;
          return t;
        }
        if (pts.length === 0) { text(W / 2, H / 2, 'no rung was judged: too few rows'); return; }
        var maxN = Math.max.apply(null, pts.map(function (r) { return r.workers; }));
        var xMax = maxN * 1.05;
        var usl = data.usl;
        function uslAt(n) { return usl.lambda * n / (1 + usl.sigma * (n - 1) + usl.kappa * n * (n - 1)); }
        var yTop = Math.max.apply(null, pts.map(function (r) { return r.rows_per_second; }));
        var curve = [];
        if (usl) {
          for (var i = 0; i <= 200; i++) {
            var n = 1 + (xMax - 1) * i / 200;
            curve.push([n, uslAt(n)]);
            yTop = Math.max(yTop, uslAt(n));
          }
        }
        var ceiling = data.recommendation && data.recommendation.ceiling_rows_per_second;
        if (ceiling) yTop = Math.max(yTop, ceiling);
        var yMax = niceCeil(yTop * 1.15);
        function niceCeil(v) {
          var p = Math.pow(10, Math.floor(Math.log10(v)));
          var steps = [1, 2, 2.5, 5, 10];
          for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
          return 10 * p;
        }
        function X(n) { return L + (W - L - R) * n / xMax; }
        function Y(v) { return H - B - (H - T - B) * v / yMax; }
        var defs = el('defs', {});
        var clip = el('clipPath', {id: 'plot-area'}, defs);
        el('rect', {x: L, y: T, width: W - L - R, height: H - T - B}, clip);
        var axes = el('g', {id: 'axes', stroke: '#8c8f94'});
        el('line', {x1: L, y1: H - B, x2: W - R, y2: H - B}, axes);
        el('line', {x1: L, y1: T, x2: L, y2: H - B}, axes);
        var labels = el('g', {id: 'tick-labels'});
        pts.forEach(function (r) {
          el('line', {x1: X(r.workers), y1: H - B, x2: X(r.workers), y2: H - B + 5}, axes);
          text(X(r.workers), H - B + 18, String(r.workers), 'middle', labels);
        });
        for (var k = 0; k <= 5; k++) {
          var v = yMax * k / 5;
          el('line', {x1: L - 5, y1: Y(v), x2: W - R, y2: Y(v), stroke: k ? '#f0f0f1' : '#8c8f94'}, axes);
          text(L - 8, Y(v) + 4, (Math.round(v * 100) / 100).toString(), 'end', labels);
        }
        text((L + W - R) / 2, H - 12, 'workers', 'middle', labels);
        var yl = text(16, (T + H - B) / 2, unit, 'middle', labels);
        yl.setAttribute('transform', 'rotate(-90 16 ' + (T + H - B) / 2 + ')');
        var plot = el('g', {'clip-path': 'url(#plot-area)'});
        var lambda = usl ? usl.lambda : pts[0].rows_per_second / pts[0].workers;
        el('polyline', {id: 'ideal', fill: 'none', stroke: '#8c8f94', 'stroke-dasharray': '6 4', 'stroke-width': 1.5,
          points: [0, xMax].map(function (n) { return X(n) + ',' + Y(lambda * n); }).join(' ')}, plot);
        if (ceiling) {
          el('line', {id: 'ceiling', x1: L, y1: Y(ceiling), x2: W - R, y2: Y(ceiling), stroke: '#d63638',
            'stroke-dasharray': '2 3', 'stroke-width': 1.5}, plot);
        }
        if (usl) {
          el('path', {id: 'usl', fill: 'none', stroke: '#2271b1', 'stroke-width': 2,
            d: curve.map(function (p, i) { return (i ? 'L' : 'M') + X(p[0]).toFixed(1) + ' ' + Y(p[1]).toFixed(1); }).join(' ')}, plot);
        }
        el('polyline', {id: 'measured', fill: 'none', stroke: '#1d2327', 'stroke-width': 2,
          points: pts.map(function (r) { return X(r.workers).toFixed(1) + ',' + Y(r.rows_per_second).toFixed(1); }).join(' ')}, plot);
        var dots = el('g', {id: 'points'});
        pts.forEach(function (r) {
          var c = el('circle', {cx: X(r.workers), cy: Y(r.rows_per_second), r: 4, fill: '#1d2327', 'class': 'point'}, dots);
          var t = el('title', {}, c);
          t.textContent = r.workers + ' workers: ' + r.rows_per_second.toFixed(2) + ' ' + unit;
        });
        var legend = el('g', {id: 'legend'});
        var items = [['measured', '#1d2327', ''], ['ideal (linear)', '#8c8f94', '6 4']];
        if (usl) items.push(['USL fit', '#2271b1', '']);
        if (ceiling) items.push(['ceiling', '#d63638', '2 3']);
        items.forEach(function (it, i) {
          var y = T + 10 + i * 20;
          el('line', {x1: W - R + 16, y1: y, x2: W - R + 46, y2: y, stroke: it[1], 'stroke-width': 2,
            'stroke-dasharray': it[2]}, legend);
          text(W - R + 52, y + 4, it[0], 'start', legend);
        });
        svg.setAttribute('data-drawn', 'true');
        svg.setAttribute('data-points', String(pts.length));
      })();
      """;
}
