package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.Repo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/CLI.md names every flag a command shows in its --help, in that command's own section. */
class CliDocTest {

  @Test
  void everyVisibleFlagIsInItsCommandsSection() throws IOException {
    String doc = Files.readString(Repo.path("docs/CLI.md"));
    CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      if (sub.getKey().equals("help")) continue;
      String section = section(doc, "## ferry " + sub.getKey());
      if (section == null) {
        missing.add("no section '## ferry " + sub.getKey() + "'");
        continue;
      }
      collectMissing(sub.getValue(), "ferry " + sub.getKey(), section, missing);
    }
    assertThat(missing).as("flags that docs/CLI.md does not name in their command's section").isEmpty();
  }

  /** The flags of {@code command} and of its own subcommands (`spec check`) that {@code section} does not name. */
  private static void collectMissing(CommandLine command, String path, String section, List<String> missing) {
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (option.hidden() || option.usageHelp() || option.versionHelp()) continue;
      String name = option.longestName();
      // the whole flag, not a prefix of a longer one (--lease in --lease-renewal)
      if (!Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])").matcher(section).find()) {
        missing.add(path + " " + name);
      }
    }
    command.getSubcommands().forEach((name, sub) -> collectMissing(sub, path + " " + name, section, missing));
  }

  /** The text from {@code heading} to the next heading of the same level; null when there is no such heading. */
  private static String section(String doc, String heading) {
    int at = doc.indexOf(heading + "\n");
    if (at < 0) return null;
    int end = doc.indexOf("\n## ", at + heading.length());
    return doc.substring(at, end < 0 ? doc.length() : end);
  }
}
