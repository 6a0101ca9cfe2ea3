package dev.ferry.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Test seam: the ferry command line with the process environment replaced by {@code env} (the commands that
 * read the API key keep their environment in a package-private field). Lives in the test tree only.
 */
public final class CliTestSeam {
  private CliTestSeam() {}

  public static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> env) {
    return Main.commandLine(out, err, env);
  }
}
