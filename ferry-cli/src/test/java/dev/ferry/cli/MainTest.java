package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.Repo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  void anUnknownCommandIsNamedAsOneWithTheNearestCommand() {
    // When
    CliRun typo = CliRun.run(java.util.Map.of(), "imprt-users", "--csv", "x.csv");
    CliRun unknown = CliRun.run(java.util.Map.of(), "nosuch");

    // Then: exit 2, one line each, not picocli's "Unmatched argument at index 0"
    assertThat(typo.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(typo.errLines()).containsExactly(
        "ferry: unknown command 'imprt-users'; did you mean 'import-users'? (see 'ferry --help')");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.errLines()).containsExactly("ferry: unknown command 'nosuch' (see 'ferry --help')");
  }

  @Test
  void noCommandIsAUsageErrorWithTheUsageOnStderr() {
    // When
    CliRun none = CliRun.run(java.util.Map.of());
    CliRun help = CliRun.run(java.util.Map.of(), "--help");

    // Then: exit 2, the usage on stderr and nothing on stdout; --help is still the help, on stdout, exit 0
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.out()).isEmpty();
    assertThat(none.errLines().getFirst()).isEqualTo("ferry: a command is required");
    assertThat(none.err()).contains("Usage: ferry [-hV]", "Commands:", "import-users");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: ferry [-hV]");
  }

  @Test
  void usageHelpAndMistakesSeeEverySubcommand() {
    String[] all = {"import-users", "run", "spec", "resume", "worker", "serve", "status", "sim", "demo",
        "generate-users", "bench", "completion", "help"};
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

  @Test
  void versionIsTheBuildsNotAConstant() throws IOException {
    // Given the project's version as the parent pom.xml states it (the first <version> after the artifactId)
    Matcher m = Pattern.compile("<artifactId>ferry-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Repo.path("pom.xml")));
    assertThat(m.find()).isTrue();
    // When
    int code = forArgs("--version").execute("--version");
    // Then: the version the build filtered in, and git describe when the sources are a git checkout
    assertThat(code).isZero();
    assertThat(out.toString().strip()).matches("ferry " + Pattern.quote(m.group(1)) + "( \\(git [0-9a-zA-Z.\\-]+\\))?");
  }

  @Test
  void aVersionFileTheBuildDidNotFillInCountsAsUnknown() {
    assertThat(new BuildVersion("0.2.0", "").describe()).isEqualTo("0.2.0");
    assertThat(new BuildVersion("0.2.0", "v0.2.0-3-gabc1234-dirty").describe()).isEqualTo("0.2.0 (git v0.2.0-3-gabc1234-dirty)");
    assertThat(BuildVersion.load().version()).doesNotContain("${").isNotEqualTo("unknown");
  }
}
