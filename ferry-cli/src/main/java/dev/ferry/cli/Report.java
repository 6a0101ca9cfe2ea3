package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.http.CallMetrics;
import dev.ferry.recipes.workos.ImportStats;
import java.util.Locale;
import java.util.Map;

/**
 * The final report of a run: the row equation over the whole job, what this run did, and its latencies.
 * Immutable once built; renders as text or JSON.
 *
 * @param firstRequestSeconds seconds from the process start to the first HTTP request of this run
 *     ({@link ProcessStart}); NaN when the run sent none (a dry run, a finished job)
 * @param processes the most processes that ran the job at once with this one (distributed mode); 0 embedded
 * @param steps what each step of a spec job did this run (step → outcome → count), or null
 * @param counters a spec's report counters this run (group → counter → value, its {@code report}), or null
 * @param heldChunks how this run waited for chunks other processes held (distributed mode), or null
 */
record Report(JobRecord job, OutcomeCounts counts, String status, String stopReason, boolean dryRun,
    ImportStats stats, CallMetrics metrics, double elapsedSeconds, long rowsThisRun, String errorsFile,
    long errorRows, Adaptive adaptive, double firstRequestSeconds, int processes,
    Map<String, Map<String, Long>> steps, Map<String, Map<String, Long>> counters, HeldChunks heldChunks) {

  Report(JobRecord job, OutcomeCounts counts, String status, String stopReason, boolean dryRun, ImportStats stats,
      CallMetrics metrics, double elapsedSeconds, long rowsThisRun, String errorsFile, long errorRows,
      Adaptive adaptive, double firstRequestSeconds, int processes, Map<String, Map<String, Long>> steps) {
    this(job, counts, status, stopReason, dryRun, stats, metrics, elapsedSeconds, rowsThisRun, errorsFile, errorRows,
        adaptive, firstRequestSeconds, processes, steps, null, null);
  }

  Report(JobRecord job, OutcomeCounts counts, String status, String stopReason, boolean dryRun, ImportStats stats,
      CallMetrics metrics, double elapsedSeconds, long rowsThisRun, String errorsFile, long errorRows,
      Adaptive adaptive, double firstRequestSeconds, int processes) {
    this(job, counts, status, stopReason, dryRun, stats, metrics, elapsedSeconds, rowsThisRun, errorsFile, errorRows,
        adaptive, firstRequestSeconds, processes, null, null, null);
  }

  Report(JobRecord job, OutcomeCounts counts, String status, String stopReason, boolean dryRun, ImportStats stats,
      CallMetrics metrics, double elapsedSeconds, long rowsThisRun, String errorsFile, long errorRows) {
    this(job, counts, status, stopReason, dryRun, stats, metrics, elapsedSeconds, rowsThisRun, errorsFile, errorRows,
        null, Double.NaN, 0, null, null, null);
  }

  /**
   * A distributed run's wait for the chunks other processes held once nothing else was left to claim. Immutable.
   *
   * @param waitedSeconds how long it waited
   * @param chunksAfterWait chunks it took after waiting: taken over when their lease ran out, or released by a
   *     process that stopped
   */
  record HeldChunks(double waitedSeconds, int chunksAfterWait) {}

  /**
   * What adaptive concurrency settled on (--concurrency auto). Immutable.
   *
   * @param finalLimit  rows in flight allowed at the end
   * @param lowestLimit lowest limit of the run
   * @param peakLimit   highest limit of the run
   * @param learnedRate pace learned from 429s, per second; NaN when a rate limit was given
   */
  record Adaptive(int finalLimit, int lowestLimit, int peakLimit, double learnedRate) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  long rows() {
    return job.totalRows();
  }

  long pending() {
    return rows() - counts.total();
  }

  double rowsPerSecond() {
    return elapsedSeconds > 0 ? rowsThisRun / elapsedSeconds : 0;
  }

  String text() {
    StringBuilder b = new StringBuilder();
    String head = switch (status) {
      case "FINISHED" -> "finished";
      case "STOPPED" -> "stopped";
      default -> status.toLowerCase(Locale.ROOT);
    };
    b.append(String.format("ferry: job %s %s in %s%s%n", job.id(), head, duration(elapsedSeconds),
        dryRun ? " (dry run: no API calls)" : ""));
    if (stopReason != null) b.append("  reason      ").append(stopReason).append('\n');
    b.append(String.format("  rows        %,d = done %,d + failed %,d + invalid %,d%s%n", rows(), counts.done(),
        counts.failed(), counts.invalid(), pending() == 0 ? "" : String.format(" + not yet processed %,d", pending())));
    b.append(String.format("              (done + failed + invalid = rows: %s)%n",
        pending() == 0 ? "holds" : "resume to finish the remaining " + String.format("%,d", pending())));
    if (counts.retryableFailed() > 0) {
      b.append(String.format("  retryable   %,d failed rows were transient failures; 'ferry resume %s' retries them%n",
          counts.retryableFailed(), job.id()));
    }
    if (!dryRun && stats != null) {
      b.append(String.format("  users       created %,d, existing %,d%s%n", stats.usersCreated(), stats.usersExisting(),
          stats.usersDeleted() > 0 ? String.format(", deleted %,d (--require-membership)", stats.usersDeleted()) : ""));
      b.append(String.format("  orgs        created %,d, existing %,d%n", stats.orgsCreated(), stats.orgsExisting()));
      b.append(String.format("  memberships created %,d, existing %,d%n", stats.membershipsCreated(),
          stats.membershipsExisting()));
    }
    if (!dryRun && counters != null) {
      counters.forEach((group, c) -> b.append(String.format("  %-12s%s%n", group, String.join(", ",
          c.entrySet().stream().map(e -> e.getKey().replace('_', ' ') + " " + String.format("%,d", e.getValue()))
              .toList()))));
    }
    if (steps != null) {
      steps.forEach((step, c) -> b.append(String.format("  step        %-14s %s%n", step, String.join(", ",
          c.entrySet().stream().map(e -> e.getKey().replace('_', ' ') + " " + String.format("%,d", e.getValue()))
              .toList()))));
    }
    if (metrics != null) {
      // rate-limited: every answer classed ResponseClass.THROTTLED (429, and the 403s and 503s that are rate limits)
      b.append(String.format("  requests    %,d (retries %,d, rate-limited %,d, timeouts %,d, connection errors %,d)%n",
          metrics.requests(), metrics.retryCount(), metrics.rateLimitedCount(), metrics.timeoutCount(),
          metrics.connectionErrorCount()));
      if (!Double.isNaN(firstRequestSeconds)) {
        b.append(String.format("  first call  %.2f s after the process started%n", firstRequestSeconds));
      }
      String label = "  latency     ";
      for (Map.Entry<String, CallMetrics.LatencySummary> e : metrics.latencies().entrySet()) {
        CallMetrics.LatencySummary l = e.getValue();
        b.append(String.format("%s%-18s p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  (%,d calls)%n", label, e.getKey(),
            l.p50Ms(), l.p95Ms(), l.p99Ms(), l.count()));
        label = "              ";
      }
    }
    if (adaptive != null) {
      b.append(String.format("  concurrency auto: %d rows in flight at the end (range %d-%d)%s%n", adaptive.finalLimit(),
          adaptive.lowestLimit(), adaptive.peakLimit(), Double.isNaN(adaptive.learnedRate()) ? ""
              : String.format(", learned pace %.1f req/s", adaptive.learnedRate())));
    }
    if (processes > 0) {
      b.append(String.format("  processes   %d at most ran the job at once, sharing its rate limit%n", processes));
    }
    if (heldChunks != null && (heldChunks.waitedSeconds() > 0 || heldChunks.chunksAfterWait() > 0)) {
      b.append(String.format("  waited      %s for chunks held by other processes; took over %d%n",
          duration(heldChunks.waitedSeconds()), heldChunks.chunksAfterWait()));
    }
    b.append(String.format("  throughput  %,.1f rows/s (%,d %s this run)%n", rowsPerSecond(), rowsThisRun,
        rowsThisRun == 1 ? "row" : "rows"));
    if (errorRows > 0) {
      b.append(String.format("  errors      %s (%,d %s)%n", errorsFile, errorRows, errorRows == 1 ? "row" : "rows"));
    }
    if ("STOPPED".equals(status)) b.append("  resume with: ferry resume ").append(job.id()).append('\n');
    return b.toString();
  }

  ObjectNode json() {
    ObjectNode n = JSON.createObjectNode();
    n.put("job_id", job.id());
    n.put("status", status.toLowerCase(Locale.ROOT));
    if (stopReason != null) n.put("stop_reason", stopReason);
    n.put("dry_run", dryRun);
    n.put("rows", rows());
    n.put("done", counts.done());
    n.put("failed", counts.failed());
    n.put("invalid", counts.invalid());
    n.put("pending", pending());
    n.put("retryable_failed", counts.retryableFailed());
    n.put("equation_holds", pending() == 0);
    n.put("rows_this_run", rowsThisRun);
    n.put("requests", metrics == null ? 0 : metrics.requests());
    n.put("rate_limited", metrics == null ? 0 : metrics.rateLimitedCount());
    n.put("retries", metrics == null ? 0 : metrics.retryCount());
    n.put("timeouts", metrics == null ? 0 : metrics.timeoutCount());
    n.put("connection_errors", metrics == null ? 0 : metrics.connectionErrorCount());
    n.put("elapsed_s", Math.round(elapsedSeconds * 1000) / 1000.0);
    n.put("rows_per_s", Math.round(rowsPerSecond() * 10) / 10.0);
    if (Double.isNaN(firstRequestSeconds)) n.putNull("first_request_s");
    else n.put("first_request_s", Math.round(firstRequestSeconds * 1000) / 1000.0);
    if (processes > 0) n.put("processes", processes);
    if (heldChunks != null) {
      n.put("held_chunks_wait_s", Math.round(heldChunks.waitedSeconds() * 1000) / 1000.0);
      n.put("chunks_taken_over", heldChunks.chunksAfterWait());
    }
    if (stats != null) {
      n.put("users_created", stats.usersCreated());
      n.put("users_existing", stats.usersExisting());
      n.put("users_deleted", stats.usersDeleted());
      n.put("orgs_created", stats.orgsCreated());
      n.put("orgs_existing", stats.orgsExisting());
      n.put("memberships_created", stats.membershipsCreated());
      n.put("memberships_existing", stats.membershipsExisting());
    }
    if (counters != null) counters.forEach((group, c) -> c.forEach((counter, v) -> n.put(group + "_" + counter, v)));
    if (steps != null) {
      ObjectNode s = n.putObject("steps");
      steps.forEach((step, c) -> {
        ObjectNode o = s.putObject(step);
        c.forEach(o::put);
      });
    }
    if (metrics != null) {
      ObjectNode lat = n.putObject("latency_ms");
      metrics.latencies().forEach((type, l) -> {
        ObjectNode t = lat.putObject(type);
        t.put("count", l.count());
        t.put("p50", l.p50Ms());
        t.put("p95", l.p95Ms());
        t.put("p99", l.p99Ms());
        t.put("max", l.maxMs());
      });
    }
    if (adaptive != null) {
      ObjectNode a = n.putObject("adaptive");
      a.put("final_limit", adaptive.finalLimit());
      a.put("lowest_limit", adaptive.lowestLimit());
      a.put("peak_limit", adaptive.peakLimit());
      if (!Double.isNaN(adaptive.learnedRate())) a.put("learned_rate", Math.round(adaptive.learnedRate() * 10) / 10.0);
    }
    n.put("errors_file", errorsFile == null ? "" : errorsFile);
    n.put("error_rows", errorRows);
    return n;
  }

  String jsonText() {
    try {
      return JSON.writeValueAsString(json());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String duration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) return "--";
    long s = Math.round(seconds);
    if (seconds < 10) return String.format("%.1fs", seconds);
    if (s < 60) return s + "s";
    if (s < 3600) return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
    return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
  }
}
