package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rate-limit 0} is refused on every command that takes it (it meant "no limit", which a new user reads as
 * "send nothing"; a spec's {@code requests: 0} is an error too): one line naming {@code none}, exit 2, before
 * anything is planned. {@code none}, {@code auto}, a rate and a budget still parse.
 */
class RateLimitZeroCliTest {
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x");

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"import-users", "run", "resume", "worker", "demo", "bench"})
  void zeroIsRefusedWithOneLineNamingNone(String command) {
    // Given a command line that would otherwise get past parsing
    List<String> args = new ArrayList<>(List.of(command));
    if (List.of("run", "resume", "worker").contains(command)) args.add("x");
    args.addAll(List.of("--rate-limit", "0", "--checkpoint-dir", dir.resolve("state").toString()));

    // When
    CliRun run = CliRun.run(ENV, args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).startsWith("ferry: --rate-limit 0: a limit of zero would send nothing; use --rate-limit"
        + " none for no limit");
    assertThat(dir.resolve("state")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0/s", "0.0", "0/10s", " 0 "})
  void everyFormOfZeroIsRefused(String zero) {
    CliRun run = CliRun.run(ENV, "import-users", "--csv", "x.csv", "--rate-limit", zero);
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("a limit of zero would send nothing; use --rate-limit none for no limit");
  }

  @Test
  void benchsClientLimitRefusesZeroToo() {
    CliRun run = CliRun.run(ENV, "bench", "--client-rate-limit", "0");
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).startsWith("ferry: --client-rate-limit 0: a limit of zero would send nothing;"
        + " use --client-rate-limit none for no limit");
  }

  @Test
  void noneAutoRatesAndBudgetsStillParse() {
    for (String limit : List.of("none", "auto", "50", "12.5/s", "500/10s")) {
      RunFlags flags = CommandLineOf.parse("--rate-limit", limit);
      assertThat(flags.rateLimit).as(limit).isNotNull();
    }
    assertThat(CommandLineOf.parse("--rate-limit", "none").rateLimit.isNone()).isTrue();
    assertThat(CommandLineOf.parse("--rate-limit", "500/10s").rateLimit.permits()).isEqualTo(500);
    assertThat(CommandLineOf.parse().rateLimit).as("not given").isNull();
  }

  /** Parses run flags as import-users does, without running it. */
  private static final class CommandLineOf {
    static RunFlags parse(String... args) {
      ImportUsersCommand c = new ImportUsersCommand();
      new picocli.CommandLine(c).parseArgs(args);
      return c.flags;
    }
  }
}
