package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line builds the model of the subcommand a run names only. */
class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private CommandLine forArgs(String... args) {
    return Main.commandLineFor(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void aRunOfOneSubcommandBuildsThatOneOnly() {
    assertThat(forArgs("status", "--checkpoint-dir", "x").getSubcommands()).containsOnlyKeys("status");
    assertThat(forArgs("import-users").getSubcommands()).containsOnlyKeys("import-users");
  }

  @Test
  void usageHelpAndMistakesSeeEverySubcommand() {
    String[] all = {"import-users", "run", "spec", "resume", "worker", "serve", "status", "sim", "demo", "generate-users",
        "bench", "help"};
    assertThat(forArgs().getSubcommands().keySet()).containsExactly(all);
    assertThat(forArgs("help", "status").getSubcommands().keySet()).containsExactly(all);
    assertThat(forArgs("--version").getSubcommands().keySet()).containsExactly(all);
    assertThat(forArgs("imprt-users").getSubcommands().keySet()).containsExactly(all);
  }

  @Test
  void aLazilyBuiltSubcommandKeepsTheStreamsAndTheUsageErrorMapping() {
    // When a bad flag is given to the only subcommand built
    int code = forArgs("status", "--no-such-flag").execute("status", "--no-such-flag");
    // Then one line on the given stderr, exit 2
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("ferry: Unknown option: '--no-such-flag'").contains("ferry status --help");
  }
}
