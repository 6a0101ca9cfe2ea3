package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's and subcommand's {@code --help}, found by walking the command tree (so a command added later is
 * covered too), renders without a picocli warning: a stray '%' in a description makes picocli print
 * "[picocli WARN] Could not format ..." on stderr before the help. picocli's tracer writes to whatever
 * {@code System.err} is when it warns, so stderr is captured around each rendering.
 */
class HelpRenderingTest {

  @Test
  void everyCommandsHelpRendersWithoutAPicocliWarning() {
    // Given every command path: ferry, ferry import-users, ..., and nested subcommands if any
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), new ArrayList<>(),
        paths);
    assertThat(paths).as("the walk found the commands").contains(List.of(), List.of("bench"), List.of("import-users"),
        List.of("completion"));

    for (List<String> path : paths) {
      // When
      Rendered r = help(path);
      // Then
      String where = "ferry " + String.join(" ", path) + " --help";
      assertThat(r.exit).as(where + "\n" + r).isZero();
      assertThat(r.systemErr).as(where + ": picocli's warnings").doesNotContain("picocli").isEmpty();
      assertThat(r.err).as(where + ": stderr").isEmpty();
      assertThat(r.out).as(where).startsWith("Usage: ferry").doesNotContain("%n");
    }
  }

  @Test
  void logFormatsHelpNamesVerboseOnlyWhereTheCommandHasIt() {
    // Given every command path
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), new ArrayList<>(),
        paths);

    for (List<String> path : paths) {
      // When
      String out = help(path).out.replaceAll("\\s+", " ");
      // Then: --log-format's debug lines come with --verbose only on a command that takes --verbose
      String where = "ferry " + String.join(" ", path) + " --help";
      boolean hasVerbose = out.contains("-v, --verbose");
      assertThat(out).as(where).contains("Logs are warnings and errors");
      if (path.isEmpty()) {
        assertThat(out).as(where).contains("debug with --verbose on the commands that have it");
      } else if (hasVerbose) {
        assertThat(out).as(where).contains("Logs are warnings and errors, and debug with --verbose;");
      } else {
        assertThat(out).as(where).contains("Logs are warnings and errors; progress").doesNotContain("--verbose");
      }
    }
  }

  @Test
  void everyOptionsValueHasALabelNotAJavaFieldName() {
    // Given every command of the tree
    List<String> unlabelled = new ArrayList<>();
    walk(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), unlabelled);

    // Then: no option shows picocli's default label, the Java field's name ('--sim-rate-limit=<simRateLimit>')
    assertThat(unlabelled).as("options without a paramLabel (N, DURATION, FILE, ...)").isEmpty();
  }

  private static void walk(CommandLine cl, List<String> unlabelled) {
    for (var option : cl.getCommandSpec().options()) {
      if (option.hidden() || option.typeInfo().isBoolean()) continue;
      if (option.paramLabel().startsWith("<")) {
        unlabelled.add(cl.getCommandSpec().qualifiedName() + " " + option.longestName() + "=" + option.paramLabel());
      }
    }
    for (var sub : cl.getSubcommands().entrySet()) {
      if (!sub.getKey().equals("help")) walk(sub.getValue(), unlabelled);
    }
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    for (var sub : cl.getSubcommands().entrySet()) {
      if (sub.getKey().equals("help")) continue; // picocli's own help command: 'ferry help CMD' is --help
      path.add(sub.getKey());
      collect(sub.getValue(), path, paths);
      path.remove(path.size() - 1);
    }
  }

  record Rendered(int exit, String out, String err, String systemErr) {}

  /** Runs {@code ferry PATH... --help} as main does (the model of that command only), with stderr captured. */
  private static Rendered help(List<String> path) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    String[] a = args.toArray(String[]::new);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.commandLineFor(new PrintWriter(out, true), new PrintWriter(err, true), a).execute(a);
      return new Rendered(exit, out.toString(), err.toString(), systemErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }
}
