package dev.ferry.cli;

import dev.ferry.core.source.CsvFormatException;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.StoreException;
import dev.ferry.spec.Suggest;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ferry} command line. {@link #main} only wires streams; everything is built in {@link #commandLine}.
 * The subcommands are added in code, not listed in {@code @Command}, so that a run builds the picocli model (by
 * reflection over every option) of its own command only: building all of them cost a short run about 30 ms of CPU.
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Worker pools for I/O-bound bulk work: resumable, rate-limited imports into HTTP APIs.")
public final class Main implements java.util.concurrent.Callable<Integer> {
  /** Every subcommand, in the order the usage lists them. */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private static final String LOG_FORMAT = "Log lines on stderr as text (the default) or as one JSON object a line"
      + " (timestamp, level, threadName, loggerName, formattedMessage, throwable) for a log collector. Logs are"
      + " warnings and errors%s; progress and reports are not logs.";

  /** Global: every command takes it, before or after its name; its help is each command's ({@link #logFormatHelp}). */
  @CommandLine.Option(names = "--log-format", paramLabel = "text|json", scope = CommandLine.ScopeType.INHERIT,
      description = "Log lines on stderr as text (the default) or as one JSON object a line (timestamp, level,"
          + " threadName, loggerName, formattedMessage, throwable) for a log collector. Logs are warnings and"
          + " errors, and debug with --verbose on the commands that have it; progress and reports are not logs.")
  void logFormat(LogSetup.Format format) {
    LogSetup.use(format);
  }

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("import-users", ImportUsersCommand::new);
    m.put("run", RunCommand::new);
    m.put("spec", SpecCommand::new);
    m.put("resume", ResumeCommand::new);
    m.put("worker", WorkerCommand::new);
    m.put("serve", ServeCommand::new);
    m.put("status", StatusCommand::new);
    m.put("sim", SimCommand::new);
    m.put("demo", DemoCommand::new);
    m.put("generate-users", GenerateUsersCommand::new);
    m.put("bench", BenchCommand::new);
    m.put("completion", CompletionCommand::new);
    m.put("help", CommandLine.HelpCommand::new);
    return m;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = commandLineFor(out, err, args).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Builds the command line with every subcommand and its exit-code and exception mapping. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, SUBCOMMANDS.keySet());
  }

  /**
   * As {@link #commandLine(PrintWriter, PrintWriter)} for these arguments: when the first one names a subcommand
   * (other than {@code help}), that subcommand only; otherwise (usage, {@code --version}, {@code help}, a
   * mistyped command) all of them.
   */
  static CommandLine commandLineFor(PrintWriter out, PrintWriter err, String[] args) {
    if (args.length > 0 && SUBCOMMANDS.containsKey(args[0]) && !"help".equals(args[0])) {
      return commandLine(out, err, List.of(args[0]));
    }
    return commandLine(out, err);
  }

  private static CommandLine commandLine(PrintWriter out, PrintWriter err, Collection<String> names) {
    CommandLine cl = new CommandLine(new Main());
    // Subcommands first: the settings below reach only the subcommands added by then.
    for (String name : names) cl.addSubcommand(name, SUBCOMMANDS.get(name).get());
    for (CommandLine sub : cl.getSubcommands().values()) logFormatHelp(sub);
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      if (ex instanceof CommandLine.UnmatchedArgumentException u && c.getParent() == null
          && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
        // picocli says "Unmatched argument at index 0: 'imprt-users'"; a user typed a command that does not exist
        c.getErr().println("ferry: " + unknownCommand(u.getUnmatched().get(0), c.getSubcommands().keySet())
            + " (see 'ferry --help')");
        return ExitCodes.USAGE;
      }
      c.getErr().println("ferry: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
      PrintWriter e = c.getErr();
      if (ex instanceof ExitException x) {
        if (x.getMessage() != null) e.println("ferry: " + x.getMessage());
        return x.code();
      }
      if (ex instanceof dev.ferry.spec.InvalidSpecException x) return SpecCommand.report(x, e);
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
   * Gives {@code command} (and its own subcommands) the --log-format help that is true of it: debug lines with
   * --verbose only where the command has --verbose.
   */
  private static void logFormatHelp(CommandLine command) {
    CommandLine.Model.CommandSpec spec = command.getCommandSpec();
    CommandLine.Model.OptionSpec option = spec.findOption("--log-format");
    if (option != null) {
      String text = String.format(LOG_FORMAT, spec.findOption("--verbose") != null ? ", and debug with --verbose" : "");
      spec.remove(option);
      // LOCAL: this copy is the command's own; an INHERIT one would be added again to the command's subcommands
      spec.addOption(option.toBuilder().description(text).scopeType(CommandLine.ScopeType.LOCAL).build());
    }
    for (CommandLine sub : command.getSubcommands().values()) logFormatHelp(sub);
  }

  /** "unknown command 'X'", and the command meant when one is close to it ("imprt-users"). */
  static String unknownCommand(String typed, Collection<String> commands) {
    String near = Suggest.closest(typed, commands.stream().filter(name -> !name.equals("help")).toList());
    return "unknown command '" + typed + "'" + (near == null ? "" : "; did you mean '" + near + "'?");
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
      if (sub.getCommand() instanceof RunCommand c) c.env = env;
      if (sub.getCommand() instanceof WorkerCommand c) c.env = env;
      if (sub.getCommand() instanceof ServeCommand c) c.env = env;
      if (sub.getCommand() instanceof StatusCommand c) c.env = env;
      if (sub.getCommand() instanceof BenchCommand c) c.env = env;
      for (CommandLine specSub : sub.getSubcommands().values()) {
        if (specSub.getCommand() instanceof SpecCommand.Check c) c.env = env;
      }
    }
    return cl;
  }

  /** {@code ferry} with no command: a usage error (the usage on stderr, exit 2); {@code ferry --help} is the help. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("ferry: a command is required");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code ferry --version}: the build's {@link BuildVersion}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ferry " + BuildVersion.load().describe()};
    }
  }
}
