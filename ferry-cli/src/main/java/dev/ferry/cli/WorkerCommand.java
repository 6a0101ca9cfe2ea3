package dev.ferry.cli;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry worker JOB --store URL}: one more process on a distributed job, from any machine. */
@Command(mixinStandardHelpOptions = true, name = "worker", sortOptions = false,
    description = {"Join a job that lives in a shared store (--store jdbc:postgresql://..., or $FERRY_STORE) and"
        + " take chunks until every chunk is done. Any number of workers on any machines: each chunk is claimed by"
        + " one of them under a lease, a dead worker's chunks are taken over when its lease runs out (a worker"
        + " with nothing left to claim waits for that, unless --exit-when-idle), and all of them share the job's"
        + " rate limit.",
        "The job's input must be readable here: at the path it was planned from, or copied and given with --csv"
            + " (its SHA-256 is checked before anything is sent)."})
final class WorkerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "JOB", description = "Job id.")
  String jobId;

  @Option(names = "--csv", paramLabel = "FILE", description = "The job's CSV input on this machine (an import's, or"
      + " a spec job's CSV source), when it is not at the path the job was planned from.")
  Path csv;

  @Mixin
  RunFlags flags;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    flags.validate();
    StateDir.validJobId(jobId);
    StateDir state = StateDir.of(flags.checkpointDir, flags.store, env);
    if (!state.distributed()) {
      throw RunFlags.usage("'ferry worker' joins a job in a shared store: give --store jdbc:postgresql://... (or set "
          + StateDir.STORE_ENV + "); an embedded job runs in one process ('ferry resume " + jobId + "')");
    }
    if (csv != null && !Files.isRegularFile(csv)) throw RunFlags.usage("--csv " + csv + ": no such file");
    try (JobStore store = state.openStore()) {
      JobRecord job = store.findJob(jobId).orElseThrow(() -> RunFlags.usage("no job '" + jobId + "' in "
          + state.describe() + " (see 'ferry status --store ...')"));
      if (job.status() == JobStatus.PLANNING) {
        throw RunFlags.usage("job '" + jobId + "' is still being planned; join it when it runs");
      }
      boolean relocated = csv != null;
      if (relocated) job = job.withInputPath(csv.toAbsolutePath().normalize().toString());
      return new JobSession(state, store, flags, spec.commandLine().getOut(), spec.commandLine().getErr(), env)
          .run(job, JobSession.Start.JOIN, relocated);
    }
  }
}
