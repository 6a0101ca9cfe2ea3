package dev.ferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs the {@code ferry} command line in this process and captures what it prints. Immutable result.
 *
 * @param exit the exit code
 * @param out  everything printed on stdout
 * @param err  everything printed on stderr
 */
record CliRun(int exit, String out, String err) {

  /** Runs {@code ferry args...} with {@code env} as the environment the API key is read from. */
  static CliRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit;
    try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
      exit = Main.commandLine(o, e, env).execute(args);
    }
    return new CliRun(exit, out.toString(), err.toString());
  }

  static CliRun run(Map<String, String> env, List<String> args) {
    return run(env, args.toArray(String[]::new));
  }

  /** The non-empty lines of stderr. */
  List<String> errLines() {
    return Arrays.stream(err.split("\\R")).filter(l -> !l.isBlank()).toList();
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
