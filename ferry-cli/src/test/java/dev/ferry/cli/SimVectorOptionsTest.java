package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sim.EmbeddingsSettings;
import dev.ferry.sim.PointsSettings;
import dev.ferry.sim.SimConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ferry sim}'s embeddings and points flags. */
class SimVectorOptionsTest {

  private static SimConfig config(Map<String, String> env, String... args) {
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(args);
    return command.toConfig(env::get);
  }

  @Test
  void defaultsAreOpenAisLimitsWithoutRatesAndAutoCreatedCollections() {
    SimConfig config = config(Map.of());

    assertThat(config.embeddings()).isEqualTo(EmbeddingsSettings.defaults());
    assertThat(config.embeddings().maxInputs()).isEqualTo(2048);
    assertThat(config.embeddings().maxRequestTokens()).isEqualTo(300_000);
    assertThat(config.embeddings().contextTokens()).isEqualTo(8191);
    assertThat(config.points()).isEqualTo(PointsSettings.defaults());
  }

  @Test
  void everyFlagReachesTheConfigAndKeysComeFromTheEnvironment() {
    SimConfig config = config(Map.of("OPENAI_KEY", "sk-proj-abc", "QDRANT_KEY", "q-secret"),
        "--embeddings-rpm", "3000", "--embeddings-tpm", "1_000_000", "--embeddings-window", "1s",
        "--embeddings-max-inputs", "100", "--embeddings-max-tokens", "5000", "--embeddings-context", "512",
        "--embeddings-dimensions", "8", "--embeddings-quota", "0", "--embeddings-key-env", "OPENAI_KEY",
        "--qdrant-key-env", "QDRANT_KEY", "--no-auto-create-collections");

    assertThat(config.embeddings()).isEqualTo(new EmbeddingsSettings(3000, 1_000_000, Duration.ofSeconds(1), 100, 5000,
        512, 8, "sk-proj-abc", 0));
    assertThat(config.points()).isEqualTo(new PointsSettings("q-secret", false));
    assertThat(config.toString()).doesNotContain("sk-proj-abc").doesNotContain("q-secret");
  }

  @Test
  void badValuesExitWithUsageCodeAndOneLine() {
    for (String[] args : new String[][] {
        {"--embeddings-tpm", "-5"}, {"--embeddings-rpm", "lots"}, {"--embeddings-window", "2m"},
        {"--embeddings-dimensions", "0"}, {"--embeddings-max-inputs", "0"},
        {"--embeddings-key-env", "FERRY_SIM_TEST_SURELY_UNSET_VAR"}, {"--qdrant-key-env", "FERRY_SIM_TEST_SURELY_UNSET_VAR"}}) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new SimCommand()).setErr(new PrintWriter(err));

      int code = cli.execute(args);

      assertThat(code).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).as(String.join(" ", args)).isNotBlank().doesNotContain("Exception");
    }
  }
}
