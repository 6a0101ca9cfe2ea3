package dev.ferry.cli;

import dev.ferry.spec.BuiltinSpecs;
import dev.ferry.spec.InvalidSpecException;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry spec check FILE}, {@code ferry spec show NAME}. */
@Command(mixinStandardHelpOptions = true, name = "spec", description = "Check a job spec, or print a built-in one.",
    subcommands = {SpecCommand.Check.class, SpecCommand.Show.class})
final class SpecCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Loads and checks a spec as {@code ferry run} would, sending nothing. */
  @Command(mixinStandardHelpOptions = true, name = "check",
      description = "Check a job spec (or a service spec, as 'ferry serve' would): YAML, keys, types, parameters"
          + " (from the environment), references between"
          + " steps and targets, templates. Exit 0 with a summary, or 2 with every error as file:line:col: field:"
          + " message.")
  static final class Check implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The job spec.")
    Path file;

    Map<String, String> env = System.getenv();

    @Override
    public Integer call() throws Exception {
      if (SpecLoader.isService(SpecLoader.read(file))) { // checked as 'ferry serve' loads it
        dev.ferry.spec.ServiceSpec service = SpecLoader.loadService(file, env);
        JobSpec s = service.job();
        spec.commandLine().getOut().println(file + ": ok: service, " + service.serve().routes().size()
            + " route(s), " + s.mask(describe(s).substring("service, ".length())));
        return ExitCodes.OK;
      }
      JobSpec s = SpecLoader.load(file, env);
      spec.commandLine().getOut().println(file + ": ok: " + s.mask(describe(s)));
      return ExitCodes.OK;
    }
  }

  /** Prints a built-in spec. */
  @Command(mixinStandardHelpOptions = true, name = "show",
      description = "Print a built-in job spec (copy it, change it, run it with 'ferry run').")
  static final class Show implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "A built-in spec; without it, the list.")
    String name;

    @Override
    public Integer call() {
      if (name == null) {
        for (String n : BuiltinSpecs.names()) spec.commandLine().getOut().println(n);
        return ExitCodes.OK;
      }
      String text = BuiltinSpecs.text(name);
      if (text == null) {
        throw RunFlags.usage("no built-in spec '" + name + "'; built-in: " + String.join(", ", BuiltinSpecs.names()));
      }
      spec.commandLine().getOut().print(text);
      return ExitCodes.OK;
    }
  }

  static String describe(JobSpec s) {
    String source = s.source() == null ? "service" : switch (s.source()) {
      case JobSpec.CsvSource c -> "csv " + c.path();
      case JobSpec.JsonlSource j -> "jsonl " + j.path();
      case JobSpec.SqlSource q -> "sql";
    };
    return source + ", " + s.targets().size() + " target(s) (" + String.join(", ",
        s.targets().stream().map(t -> t.name()).toList()) + "), " + s.steps().size() + " step(s) (" + String.join(
        ", ", s.steps().stream().map(t -> t.name()).toList()) + ")"
        + (s.sink() instanceof JobSpec.JsonlSink j ? ", results to " + j.path() : "");
  }

  /** Prints every error of a spec, one per line; exit 2. */
  static int report(InvalidSpecException e, java.io.PrintWriter err) {
    for (var error : e.errors()) err.println(error);
    err.println("ferry: the spec has " + e.errors().size() + " error" + (e.errors().size() == 1 ? "" : "s"));
    return ExitCodes.USAGE;
  }
}
