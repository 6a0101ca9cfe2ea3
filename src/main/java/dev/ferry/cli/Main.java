package dev.ferry.cli;

import dev.ferry.core.source.CsvFormatException;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.StoreException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command line. {@link #main} only wires streams; everything is built in {@link #commandLine}. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Worker pools for I/O-bound bulk work: resumable, rate-limited imports into HTTP APIs.",
    subcommands = {ImportUsersCommand.class, ResumeCommand.class, StatusCommand.class, SimCommand.class,
        DemoCommand.class, GenerateUsersCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = commandLine(out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Builds the command line with its exit-code and exception mapping. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      c.getErr().println("ferry: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
      PrintWriter e = c.getErr();
      if (ex instanceof ExitException x) {
        if (x.getMessage() != null) e.println("ferry: " + x.getMessage());
        return x.code();
      }
      if (ex instanceof InputException || ex instanceof CsvFormatException) {
        e.println("ferry: " + ex.getMessage());
        return ExitCodes.USAGE;
      }
      if (ex instanceof StoreException se) {
        e.println("ferry: " + JobSession.storeFailure(se));
        return ExitCodes.STOPPED;
      }
      e.println("ferry: internal error: " + ex);
      if (Verbosity.verbose) ex.printStackTrace(e);
      else e.println("ferry: run again with --verbose for the stack trace");
      return ExitCodes.INTERNAL;
    });
    return cl;
  }

  /**
   * As {@link #commandLine(PrintWriter, PrintWriter)}, with the environment the commands read the API key
   * from (tests pass a key without touching the process environment).
   */
  static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> env) {
    CommandLine cl = commandLine(out, err);
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getCommand() instanceof ImportUsersCommand c) c.env = env;
      if (sub.getCommand() instanceof ResumeCommand c) c.env = env;
    }
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ferry " + (v == null ? "0.1" : v)};
    }
  }
}
