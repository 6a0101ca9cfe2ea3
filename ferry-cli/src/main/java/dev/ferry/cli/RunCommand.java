package dev.ferry.cli;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.WallClock;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecJobs;
import dev.ferry.spec.SpecLoader;
import dev.ferry.spec.SpecSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry run SPEC}: plans and runs a job spec. */
@Command(mixinStandardHelpOptions = true, name = "run", sortOptions = false,
    description = "Run a job spec (YAML, see docs/JOBS.md): rows from a CSV, JSONL or SQL source through HTTP"
        + " steps into any rate-limited API; chunked, retried, checkpointed and resumable ('ferry resume JOB').")
final class RunCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "The job spec file ('ferry spec show NAME' prints a built-in one).")
  Path specFile;

  @Option(names = "--job-id", paramLabel = "ID", description = "Job id (default: run-<date>-<time>, -2 etc. when taken).")
  String jobId;

  @Option(names = "--chunk-size", paramLabel = "ROWS",
      description = "Rows per chunk (default: the spec's chunk_size, else 1000).")
  Integer chunkSize;

  @Option(names = "--dry-run", description = "Check the spec and every row and render every request (headers"
      + " masked), sending nothing; the requests of the first rows are printed (--show-requests).")
  boolean dryRun;

  @Option(names = "--show-requests", paramLabel = "N|all", converter = ShownRows.class,
      description = "With --dry-run: print the rendered requests of the first N rows (default: "
          + RequestSample.DEFAULT_ROWS + "), then one line counting the rows whose requests were rendered and not"
          + " shown; 'all' prints every one, 0 none. Every row is checked either way; invalid and failed rows are"
          + " in the report and the errors file.")
  Long showRequests;

  @Mixin
  RunFlags flags;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    flags.validate();
    if (showRequests != null) {
      if (!dryRun) throw RunFlags.usage("--show-requests is for --dry-run (a real run prints no requests)");
      flags.showRequests = showRequests;
    }
    if (chunkSize != null && (chunkSize < 1 || chunkSize > 1_000_000)) {
      throw RunFlags.usage("--chunk-size must be between 1 and 1000000");
    }
    JobSpec loaded = dryRun ? SpecLoader.load(specFile, SpecLoader.dryRunEnv(SpecLoader.read(specFile), env))
        : SpecLoader.load(specFile, env);
    JobSpec job = chunkSize == null ? loaded : loaded.withChunkSize(chunkSize);
    if (flags.rateLimit != null && job.onlyTarget() == null) {
      throw RunFlags.usage("--rate-limit needs a spec with one target; " + specFile + " has "
          + job.targets().size() + ": set limits on each target in the spec");
    }
    if (jobId != null) StateDir.validJobId(jobId);
    SpecSettings settings = new SpecSettings(specFile.toString(), job.text(), Path.of("").toAbsolutePath(),
        job.storedParams(), dryRun, flags.workersOr(4), flags.concurrencyOr(RunFlags.DEFAULT_CONCURRENCY),
        flags.rateLimit == null ? null : flags.rateLimit.text(),
        flags.requestTimeout != null ? flags.requestTimeout.toMillis() : 30_000);
    StateDir state = StateDir.of(flags.checkpointDir, flags.store, env);
    try (JobStore store = state.openStore()) {
      String id = jobId != null ? jobId : DefaultJobIds.next("run", state, store);
      JobRecord planned = JobSession.planNew(state, store, id, flags.errorsOut, () -> {
        if (!flags.quiet) err.println("ferry: planning job " + id + " from " + SpecJobs.source(job).describe());
        String columns = SpecJobs.missingColumnsWarning(job);
        if (columns != null) err.println("ferry: warning: " + columns);
        // a sink's table or column mistyped: refused now, not by the first row's write after its calls were paid for
        if (job.sink() instanceof dev.ferry.spec.JobSpec.SqlUpdateSink u) {
          try {
            dev.ferry.sinks.sql.SqlUpdateSink.check(u.config());
          } catch (java.io.IOException e) {
            throw new dev.ferry.core.source.InputException(specFile + ": sink.sql_update: " + e.getMessage());
          }
        }
        return SpecJobs.plan(store, id, job, settings, WallClock.system());
      });
      return new JobSession(state, store, flags, out, err, env).run(planned, JobSession.Start.NEW);
    }
  }

  /** {@code N} (a whole number >= 0) or {@code all}. */
  static final class ShownRows implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      if ("all".equalsIgnoreCase(value.strip())) return RequestSample.ALL;
      try {
        long n = Long.parseLong(value.strip());
        if (n >= 0) return n;
      } catch (NumberFormatException e) {
        // said below
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not a number of rows >= 0 or 'all'");
    }
  }
}
