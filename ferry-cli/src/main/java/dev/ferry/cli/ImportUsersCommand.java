package dev.ferry.cli;

import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.NetworkSettings;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.recipes.workos.RoleMappingFile;
import dev.ferry.recipes.workos.WorkosImport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry import-users}: the WorkOS user import (seed tool flags kept). */
@Command(mixinStandardHelpOptions = true, name = "import-users", sortOptions = false,
    description = "Import users from a CSV file into WorkOS (or a compatible API): chunked, rate-limited,"
        + " retried, checkpointed and resumable.")
final class ImportUsersCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--csv", paramLabel = "FILE", description = "Input CSV (header row; 'email' column required).")
  Path csv;

  @Option(names = "--job-id", paramLabel = "ID", description = "Job id (default: import-<date>-<time>, -2 etc. when taken).")
  String jobId;

  @Option(names = "--resume", paramLabel = "JOB", arity = "0..1", fallbackValue = "",
      description = "Resume a job (same as 'ferry resume JOB') as it was planned: JOB, or the one --job-id names"
          + " (a --job-id naming another job is refused). The job's own flags (--csv, "
          + "--dry-run, --chunk-size, the org and role flags) are refused with it; --api-url moves the job to another"
          + " API, as 'ferry resume JOB --api-url URL'.")
  String resume;

  @Option(names = "--api-url", paramLabel = "URL", defaultValue = "https://api.workos.com",
      description = "API base URL, without credentials, query or fragment (default: ${DEFAULT-VALUE}).")
  String apiUrl;

  @Option(names = "--chunk-size", paramLabel = "ROWS", defaultValue = "1000",
      description = "Rows per chunk (default: ${DEFAULT-VALUE}).")
  int chunkSize;

  @Option(names = "--dry-run", description = "Validate and build every request, but send nothing.")
  boolean dryRun;

  @Option(names = "--org-id", paramLabel = "ID", description = "Organization id for rows without org columns.")
  String orgId;

  @Option(names = "--org-external-id", paramLabel = "EXT_ID",
      description = "Organization external_id for rows without org columns.")
  String orgExternalId;

  @Option(names = "--create-org-if-missing", description = "Create referenced organizations that do not exist.")
  boolean createOrgIfMissing;

  @Option(names = "--org-name", paramLabel = "NAME", description = "Name of an organization created from --org-external-id.")
  String orgName;

  @Option(names = "--require-membership",
      description = "Delete a user this job created when its membership cannot be created.")
  boolean requireMembership;

  @Option(names = "--role-mapping", paramLabel = "FILE",
      description = "CSV 'external_id,role_slug': role for users whose row has no role_slugs.")
  Path roleMapping;

  @Option(names = "--no-prewarm", negatable = false,
      description = "Skip creating/looking up all referenced organizations before the rows.")
  boolean noPrewarm;

  @Mixin
  RunFlags flags;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    flags.validate();
    StateDir state = StateDir.of(flags.checkpointDir, flags.store, env);
    if (resume != null) {
      if (!resume.isEmpty() && jobId != null && !jobId.equals(resume)) {
        throw RunFlags.usage("--resume " + resume + " and --job-id " + jobId + " name two jobs: give the job to resume"
            + " once (--resume " + resume + ", or --resume --job-id " + jobId + ")");
      }
      String id = resume.isEmpty() ? jobId : resume;
      if (id == null) throw RunFlags.usage("--resume needs a job id (--resume JOB or --job-id JOB)");
      refuseJobFlagsWithResume(id);
      return ResumeCommand.resume(state, id, flags,
          spec.commandLine().getParseResult().hasMatchedOption("--api-url") ? apiUrl : null, Map.of(), out, err, env);
    }
    if (csv == null) throw RunFlags.usage("--csv FILE is required (or --resume JOB)");
    if (chunkSize < 1 || chunkSize > 1_000_000) throw RunFlags.usage("--chunk-size must be between 1 and 1000000");
    if (orgId != null && orgExternalId != null) throw RunFlags.usage("use --org-id or --org-external-id, not both");
    if (createOrgIfMissing && orgId != null) throw RunFlags.usage("--create-org-if-missing works with --org-external-id or org_external_id columns, not --org-id");
    if (jobId != null) StateDir.validJobId(jobId);
    Map<String, String> roles = roleMapping == null ? Map.of() : RoleMappingFile.read(roleMapping);
    JobSession.apiUri(apiUrl);
    ImportSettings settings = new ImportSettings(apiUrl, dryRun, orgId, orgExternalId, createOrgIfMissing, orgName,
        requireMembership, roles, !noPrewarm, new ImportSettings.RunDefaults(flags.workersOr(4),
            flags.concurrencyOr(RunFlags.DEFAULT_CONCURRENCY), flags.rateLimit != null ? flags.rateLimit : defaultRateLimit(apiUrl),
            flags.requestTimeout != null ? flags.requestTimeout.toMillis() : 30_000));
    if (!dryRun) {
      ApiKeys.load(flags.apiKeyFile, env); // fail before planning when the key is missing
      NetworkSettings network = flags.network(env); // ... or a proxy setting or --ca-cert is bad
      if ("https".equalsIgnoreCase(JobSession.apiUri(apiUrl).getScheme())) flags.verifyCertificates(network);
    }
    try (JobStore store = state.openStore()) {
      String id = jobId != null ? jobId : DefaultJobIds.next("import", state, store);
      JobRecord job = JobSession.planNew(state, store, id, flags.errorsOut, () -> {
        if (!flags.quiet) err.println("ferry: planning job " + id + " from " + csv);
        return WorkosImport.plan(store, id, csv, chunkSize, settings, WallClock.system(),
            w -> err.println("ferry: warning: " + w));
      });
      return new JobSession(state, store, flags, out, err, env).run(job, JobSession.Start.NEW);
    }
  }

  /** What the job was planned with: a resume continues it so, and cannot take them (they were ignored silently). */
  private static final List<String> JOB_FLAGS = List.of("--dry-run", "--csv",
      "--chunk-size", "--org-id", "--org-external-id", "--create-org-if-missing", "--org-name", "--require-membership",
      "--role-mapping", "--no-prewarm");

  /**
   * Refuses the job's own flags with {@code --resume} (exit 2): a resume continues the job as it was planned, so
   * {@code --dry-run} would have sent real requests for a real job, and another {@code --csv} would have been
   * ignored. ({@code --api-url} moves the job, as {@code ferry resume JOB --api-url URL}.)
   */
  private void refuseJobFlagsWithResume(String id) {
    List<String> given = JOB_FLAGS.stream()
        .filter(f -> spec.commandLine().getParseResult().hasMatchedOption(f)).toList();
    if (given.isEmpty()) return;
    throw RunFlags.usage(String.join(", ", given) + (given.size() == 1 ? " is" : " are") + " the job's, fixed when it"
        + " was planned: --resume continues job '" + id + "' as it was planned (a dry-run job dry, a real one for"
        + " real); give only run flags (--workers, --rate-limit, ...), or plan a new job"
        + (given.contains("--dry-run") ? " with --dry-run to see what it would send" : ""));
  }

  /** WorkOS's documented write limit (500 per 10 s), paced as a rate. */
  static final RateLimitSpec WORKOS_RATE_LIMIT = RateLimitSpec.rate(50);

  /**
   * The rate limit of a new job when {@code --rate-limit} is not given: WorkOS's documented one for WorkOS's own
   * API, {@code auto} (learned from the target's headers, else its 429s) for any other target.
   */
  static RateLimitSpec defaultRateLimit(String apiUrl) {
    String host = java.net.URI.create(apiUrl.trim()).getHost();
    boolean workos = host != null && (host.equalsIgnoreCase("api.workos.com")
        || host.toLowerCase(java.util.Locale.ROOT).endsWith(".workos.com"));
    return workos ? WORKOS_RATE_LIMIT : RateLimitSpec.AUTO;
  }
}
