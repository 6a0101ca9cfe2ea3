package dev.ferry.cli;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin
  RunFlags flags;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    flags.validate();
    return resume(StateDir.of(flags.checkpointDir, flags.store, env), jobId, flags, spec.commandLine().getOut(),
        spec.commandLine().getErr(), env);
  }

  static int resume(StateDir state, String jobId, RunFlags flags, PrintWriter out, PrintWriter err,
      Map<String, String> env) throws Exception {
    StateDir.validJobId(jobId);
    try (JobStore store = state.openStore()) {
      JobRecord job = store.findJob(jobId).orElseThrow(() -> RunFlags.usage("no job '" + jobId + "' in "
          + state.describe() + " (see 'ferry status' for the jobs there)"));
      if (job.status() == JobStatus.PLANNING) {
        throw RunFlags.usage("job '" + jobId + "' was interrupted while planning; start it again with "
            + planAgain(job));
      }
      return new JobSession(state, store, flags, out, err, env).run(job, JobSession.Start.RESUME);
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
