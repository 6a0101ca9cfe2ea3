package dev.ferry.cli;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.spec.SpecSettings;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code ferry resume} of a job that already finished with nothing left to send (every row settled, no retryable
 * failure): one line instead of a run's report, or with {@code --json} the report of a run that did nothing (the
 * same fields as any run's, {@code rows_this_run} 0). Stateless.
 */
final class FinishedResume {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private FinishedResume() {}

  /** True when resuming {@code job} would send nothing: it finished, every row has an outcome, none is retryable. */
  static boolean nothingToDo(JobRecord job, OutcomeCounts counts) {
    return job.status() == JobStatus.FINISHED && counts.retryableFailed() == 0 && counts.total() >= job.totalRows();
  }

  /**
   * Prints what a resume of a finished job has to say and returns the job's exit code: 0 when every row is done, 1
   * when some failed or are invalid (as the run that finished it returned).
   *
   * @param errorsFile the job's errors file
   */
  static int print(JobRecord job, OutcomeCounts c, String errorsFile, boolean json, PrintWriter out) {
    boolean problems = c.failed() + c.invalid() > 0;
    if (json) {
      out.println(new Report(job, c, JobStatus.FINISHED.name(), null, dryRun(job), null, null, 0, 0, errorsFile,
          c.failed() + c.invalid()).jsonText());
    } else {
      out.printf(Locale.ROOT, "ferry: job %s finished at %s: %,d row%s settled (done %,d, failed %,d, invalid %,d);"
              + " nothing to do%s%n", job.id(), WHEN.format(Instant.ofEpochMilli(job.updatedAtMillis())), c.total(),
          c.total() == 1 ? "" : "s", c.done(), c.failed(), c.invalid(),
          problems ? ": the failed and invalid rows are final; fix them in " + errorsFile + " and import it as a new job"
              : "");
    }
    out.flush();
    return problems ? ExitCodes.ROWS_FAILED : ExitCodes.OK;
  }

  private static boolean dryRun(JobRecord job) {
    return SpecSettings.KIND.equals(job.kind()) ? SpecSettings.fromJson(job.config()).dryRun()
        : ImportSettings.fromJson(job.config()).dryRun();
  }
}
