package dev.ferry.cli;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry resume JOB}: continues a job from its ledger, with any worker count. */
@Command(mixinStandardHelpOptions = true, name = "resume", sortOptions = false,
    description = "Continue a stopped or crashed job: rows with a recorded outcome are never sent again;"
        + " transient failures are retried. Worker count and concurrency may change.")
final class ResumeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "JOB", description = "Job id.")
  String jobId;

  @Option(names = "--api-url", paramLabel = "URL", description = "An import-users job: send the rest of it to this"
      + " API base URL instead of the one it was planned with (after a redirect stop, a moved server), checked as"
      + " at planning; said on stderr and kept with the job. Rows with an outcome are not sent again. A spec job's"
      + " targets move with --param.")
  String apiUrl;

  @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A spec job: another value for a parameter of"
      + " its targets stored with the job at planning (not a secret one: those are read from the environment at every"
      + " start; not one the source, steps or keys use),"
      + " e.g. --param API_URL=URL after a redirect stop or a server move; checked as the spec is, said on"
      + " stderr (with each target whose base_url changes) and kept with the job. Repeatable.")
  Map<String, String> params;

  @Mixin
  RunFlags flags;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    flags.validate();
    return resume(StateDir.of(flags.checkpointDir, flags.store, env), jobId, flags, apiUrl,
        params == null ? Map.of() : params, spec.commandLine().getOut(), spec.commandLine().getErr(), env);
  }

  static int resume(StateDir state, String jobId, RunFlags flags, PrintWriter out, PrintWriter err,
      Map<String, String> env) throws Exception {
    return resume(state, jobId, flags, null, Map.of(), out, err, env);
  }

  /**
   * @param apiUrl the API base URL an import job moves to, or null to keep its own
   * @param params a spec job's parameters given new values (none: empty)
   */
  static int resume(StateDir state, String jobId, RunFlags flags, String apiUrl, Map<String, String> params,
      PrintWriter out, PrintWriter err, Map<String, String> env) throws Exception {
    StateDir.validJobId(jobId);
    try (JobStore store = state.openStore()) {
      JobRecord job = store.findJob(jobId).orElseThrow(() -> RunFlags.usage("no job '" + jobId + "' in "
          + state.describe() + " (see 'ferry status' for the jobs there)"));
      if (job.status() == JobStatus.PLANNING) {
        throw RunFlags.usage("job '" + jobId + "' was interrupted while planning; start it again with "
            + planAgain(job));
      }
      boolean specJob = dev.ferry.spec.SpecSettings.KIND.equals(job.kind());
      if (apiUrl != null && specJob) {
        throw RunFlags.usage("--api-url is for import-users jobs; job '" + jobId + "' runs a spec, whose targets'"
            + " base_url come from its parameters: give the parameter another value with --param NAME=VALUE");
      }
      if (!params.isEmpty() && !specJob) {
        throw RunFlags.usage("--param is for spec jobs; job '" + jobId + "' is an import: it moves to another API"
            + " with --api-url URL");
      }
      return new JobSession(state, store, flags, out, err, env).movingTo(apiUrl).withParams(params)
          .run(job, JobSession.Start.RESUME);
    }
  }

  /**
   * The command that plans a job interrupted while planning again (nothing was sent; resume refuses it): the one
   * hint {@code resume} and {@code status} both give.
   */
  static String planAgain(JobRecord job) {
    return dev.ferry.spec.SpecSettings.KIND.equals(job.kind()) ? "'ferry run SPEC --job-id " + job.id() + "'"
        : "'ferry import-users --csv " + job.inputPath() + " --job-id " + job.id() + "'";
  }
}
