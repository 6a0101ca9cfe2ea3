package dev.ferry.cli;

import dev.ferry.recipes.workos.UserCsvGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry generate-users}: writes a synthetic import CSV for trials and benchmarks. */
@Command(mixinStandardHelpOptions = true, name = "generate-users", description = "Write a synthetic users CSV (for trials, demos and benchmarks).")
final class GenerateUsersCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "20000", description = "Users (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--orgs", paramLabel = "N", defaultValue = "50",
      description = "Organizations, one membership per user; 0 = none (default: ${DEFAULT-VALUE}).")
  int orgs;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output CSV.")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (rows < 0) throw RunFlags.usage("--rows must be >= 0");
    if (orgs < 0) throw RunFlags.usage("--orgs must be >= 0");
    UserCsvGenerator.write(out, rows, orgs);
    spec.commandLine().getOut().printf("wrote %,d users (%d organizations) to %s%n", rows, orgs, out);
    return ExitCodes.OK;
  }
}
