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
 * {@code ferry resume} of a job that already finished with every row done: one line instead of a run's report, or with
 * {@code --json} the report of a run that did nothing (the same fields as any run's, {@code rows_this_run} 0).
 * Stateless.
 */
final class FinishedResume {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private FinishedResume() {}

  /**
   * True when resuming {@code job} would send and write nothing: it finished with every row done. A job with failed
   * or invalid rows goes the whole way, which writes its errors file again (a resume restores it where the job keeps
   * it, after a worker wrote its own elsewhere).
   */
  static boolean nothingToDo(JobRecord job, OutcomeCounts counts) {
    return job.status() == JobStatus.FINISHED && counts.failed() + counts.invalid() == 0
        && counts.done() >= job.totalRows();
  }

  /**
   * Prints what a resume of a job with {@link #nothingToDo} has to say; returns its exit code, 0.
   *
   * @param errorsFile the job's errors file (named in the JSON report, as a run's)
   */
  static int print(JobRecord job, OutcomeCounts c, String errorsFile, boolean json, PrintWriter out) {
    if (json) {
      out.println(new Report(job, c, JobStatus.FINISHED.name(), null, dryRun(job), null, null, 0, 0, errorsFile, 0)
          .jsonText());
    } else {
      out.printf(Locale.ROOT, "ferry: job %s finished at %s: %,d row%s settled (done %,d, failed 0, invalid 0);"
              + " nothing to do%n", job.id(), WHEN.format(Instant.ofEpochMilli(job.updatedAtMillis())), c.total(),
          c.total() == 1 ? "" : "s", c.done());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static boolean dryRun(JobRecord job) {
    return SpecSettings.KIND.equals(job.kind()) ? SpecSettings.fromJson(job.config()).dryRun()
        : ImportSettings.fromJson(job.config()).dryRun();
  }
}
