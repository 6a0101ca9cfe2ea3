package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry status [JOB]}: a job's progress from its state, or the list of jobs; {@code ferry status --serve URL}:
 * a running service's queue, concurrency, rates and failed items (its {@code /status}).
 */
@Command(mixinStandardHelpOptions = true, name = "status", description = {"Show a job's state (rows done/failed/invalid, chunks), or list all jobs.",
    "A job left running or planning by a process that no longer runs (kill -9, a crash) shows as 'interrupted':"
        + " 'ferry resume JOB' goes on with it.",
    "With --serve URL: a running 'ferry serve' (queue depth and age, in flight, concurrency, rates, failed items);"
        + " exit 1 when it does not answer."})
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "JOB", arity = "0..1", description = "Job id (omit to list jobs).")
  String jobId;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR", defaultValue = ".ferry",
      description = "Where job state lives (default: ${DEFAULT-VALUE}): a directory, not a file.")
  Path checkpointDir;

  @Option(names = "--store", paramLabel = "URL|FILE",
      description = "The job store when it is not <checkpoint-dir>/ferry.db: a SQLite file or a PostgreSQL URL"
          + " (default: $FERRY_STORE).")
  String store;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(names = "--serve", paramLabel = "URL", description = "Ask the running 'ferry serve' at this address for"
      + " its status instead of reading a job store; for instance http://127.0.0.1:8080 (a service with an admin"
      + " token: set FERRY_ADMIN_TOKEN)")
  String serve;

  java.util.Map<String, String> env = System.getenv();
  /** Now, for how long ago the job last made progress (tests set it). */
  dev.ferry.core.time.WallClock clock = dev.ferry.core.time.WallClock.system();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (serve != null) return serveStatus(out);
    StateDir.directoryOrAbsent(checkpointDir, "--checkpoint-dir");
    StateDir stateDir = StateDir.of(checkpointDir, store, env);
    if (!stateDir.exists()) {
      throw RunFlags.usage("no ferry state in " + stateDir.describe() + " (use --checkpoint-dir or --store)");
    }
    try (JobStore store = stateDir.openStore()) {
      if (jobId == null) {
        List<JobRecord> jobs = store.listJobs();
        if (json) {
          ArrayNode a = JSON.createArrayNode();
          for (JobRecord j : jobs) a.add(describe(store, j, stateDir, clock.millis()));
          out.println(JSON.writeValueAsString(a));
        } else if (jobs.isEmpty()) {
          out.println("no jobs in " + stateDir.describe());
        } else {
          out.printf("%-28s %-11s %12s %12s %10s %10s%n", "JOB", "STATUS", "ROWS", "DONE", "FAILED", "INVALID");
          for (JobRecord j : jobs) {
            OutcomeCounts c = store.counts(j.id());
            out.printf("%-28s %-11s %,12d %,12d %,10d %,10d%n", j.id(), shownStatus(j, stateDir),
                j.totalRows(), c.done(), c.failed(), c.invalid());
          }
        }
        return ExitCodes.OK;
      }
      JobRecord job = store.findJob(jobId).orElseThrow(() -> RunFlags.usage("no job '" + jobId + "' in " + stateDir.describe()));
      ObjectNode d = describe(store, job, stateDir, clock.millis());
      if (json) {
        out.println(JSON.writeValueAsString(d));
      } else {
        out.printf("job         %s (%s)%n", job.id(), d.get("status").asText());
        if (!job.message().isEmpty()) out.printf("message     %s%n", job.message());
        if (d.path("interrupted").asBoolean() && job.status() == JobStatus.PLANNING) {
          out.printf("note        no ferry process runs this job (it was killed, or its machine stopped) while it was"
              + " planning; nothing was sent: start it again with %s%n", ResumeCommand.planAgain(job));
        } else if (d.path("interrupted").asBoolean()) {
          out.printf("note        no ferry process runs this job (it was killed, or its machine stopped) while it was %s;"
              + " run 'ferry resume %s' to go on%n", job.status().name().toLowerCase(Locale.ROOT), job.id());
        } else if (job.status() == JobStatus.STOPPED) {
          out.printf("note        once the cause is fixed, 'ferry resume %s' goes on with it%n", job.id());
        }
        // a SQL source's size is its planned rows (docs/JOBS-SQL.md), a file's its bytes
        out.printf("input       %s (%,d %s)%n", job.inputPath(), job.inputSize(),
            dev.ferry.sources.sql.SqlSource.plannedFromSql(job.inputSha256()) ? "planned rows" : "bytes");
        if (d.has("api_url")) out.printf("target      %s%n", d.get("api_url").asText());
        d.path("targets").properties().forEach(t -> out.printf("target      %s %s%n", t.getKey(),
            t.getValue().asText()));
        out.printf("rows        %,d = done %,d + failed %,d + invalid %,d + pending %,d%n", job.totalRows(),
            d.get("done").asLong(), d.get("failed").asLong(), d.get("invalid").asLong(), d.get("pending").asLong());
        out.printf("chunks      %,d done, %,d leased, %,d pending (of %,d; %,d rows each)%n", d.get("chunks_done").asLong(),
            d.get("chunks_leased").asLong(), d.get("chunks_pending").asLong(), d.get("chunks").asLong(), job.chunkSize());
        out.printf("progress    %s%n", progress(d));
        out.printf("updated     %s (the last status change)%n", Instant.ofEpochMilli(job.updatedAtMillis()));
      }
      return ExitCodes.OK;
    }
  }

  private int serveStatus(PrintWriter out) throws Exception {
    if (jobId != null) throw RunFlags.usage("--serve asks a service, not a job: drop JOB ('" + jobId + "')");
    JsonNode status = ServeStatus.fetch(serve, env.get(ServeStatus.ADMIN_TOKEN_ENV));
    if (json) {
      out.println(JSON.writeValueAsString(status));
      out.flush();
    } else {
      ServeStatus.print(status, serve.strip(), out);
    }
    return ExitCodes.OK;
  }

  /**
   * The job's status as a user should read it: a job the store says is running or planning, whose lock no
   * process holds, was interrupted (kill -9, power loss) and waits for {@code ferry resume}.
   */
  private static String shownStatus(JobRecord job, StateDir stateDir) {
    return interrupted(job, stateDir) ? "interrupted" : job.status().name().toLowerCase(Locale.ROOT);
  }

  private static boolean interrupted(JobRecord job, StateDir stateDir) {
    boolean active = job.status() == JobStatus.RUNNING || job.status() == JobStatus.PLANNING;
    return active && !stateDir.jobRunningElsewhere(job.id());
  }

  /**
   * The progress line: when a row last settled and how long ago (what a user watching a long run needs: "updated"
   * is the last status change, hours old in a healthy run), or that none has.
   */
  static String progress(ObjectNode d) {
    if (d.path("progress_at").isNull()) {
      return d.path("done").asLong() + d.path("failed").asLong() + d.path("invalid").asLong() > 0
          ? "not recorded (the job's rows settled before this version of ferry kept the time)"
          : "no row settled yet";
    }
    return "last row settled " + d.path("progress_at").asText() + " (" + ago(d.path("progress_age_seconds").asLong())
        + ")";
  }

  /** {@code 14 s ago}, {@code 3 min 5 s ago}, {@code 2 h 7 min ago}; a clock behind the store's reads "just now". */
  static String ago(long seconds) {
    if (seconds <= 0) return "just now";
    if (seconds < 60) return seconds + " s ago";
    if (seconds < 3600) return seconds / 60 + " min " + seconds % 60 + " s ago";
    if (seconds < 86_400) return seconds / 3600 + " h " + seconds % 3600 / 60 + " min ago";
    return seconds / 86_400 + " d " + seconds % 86_400 / 3600 + " h ago";
  }

  private static ObjectNode describe(JobStore store, JobRecord job, StateDir stateDir, long nowMillis) {
    OutcomeCounts c = store.counts(job.id());
    List<ChunkRecord> chunks = store.chunks(job.id());
    ObjectNode n = JSON.createObjectNode();
    n.put("job_id", job.id());
    n.put("kind", job.kind());
    n.put("status", shownStatus(job, stateDir));
    n.put("stored_status", job.status().name().toLowerCase(Locale.ROOT));
    n.put("interrupted", interrupted(job, stateDir));
    n.put("message", job.message());
    n.put("input", job.inputPath());
    if (dev.ferry.recipes.workos.ImportSettings.KIND.equals(job.kind())) {
      // where the import sends: as planned, or where 'resume --api-url' moved it
      n.put("api_url", JobSession.apiUrl(store, job, dev.ferry.recipes.workos.ImportSettings.fromJson(job.config())));
    } else {
      // a spec job's targets as it last ran them (base URLs without credentials, secrets masked), when it did
      ObjectNode targets = JSON.createObjectNode();
      new java.util.TreeMap<>(store.lookups(job.id(), JobSession.SETTINGS_NS)).forEach((key, value) -> {
        if (key.startsWith(SpecSession.TARGET_PREFIX)) {
          targets.put(key.substring(SpecSession.TARGET_PREFIX.length()), value);
        }
      });
      if (!targets.isEmpty()) n.set("targets", targets);
    }
    n.put("rows", job.totalRows());
    n.put("done", c.done());
    n.put("failed", c.failed());
    n.put("invalid", c.invalid());
    n.put("retryable_failed", c.retryableFailed());
    n.put("pending", job.totalRows() - c.total());
    n.put("chunks", chunks.size());
    n.put("chunks_done", chunks.stream().filter(x -> x.state() == ChunkState.DONE).count());
    n.put("chunks_leased", chunks.stream().filter(x -> x.state() == ChunkState.LEASED).count());
    n.put("chunks_pending", chunks.stream().filter(x -> x.state() == ChunkState.PENDING).count());
    n.put("updated_at", Instant.ofEpochMilli(job.updatedAtMillis()).toString());
    long progress = store.progressAtMillis(job.id());
    if (progress > 0) {
      n.put("progress_at", Instant.ofEpochMilli(progress).toString());
      n.put("progress_age_seconds", Math.max(0, (nowMillis - progress) / 1000));
    } else {
      n.putNull("progress_at");
      n.putNull("progress_age_seconds");
    }
    return n;
  }
}
