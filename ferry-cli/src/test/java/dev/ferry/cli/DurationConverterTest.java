package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A duration flag without a unit is refused, as a spec's durations are: {@code --request-timeout 5} was read as 5 ms,
 * and a trial against a foreign API timed out every request (58 timeouts for 20 rows, two rows failed).
 */
class DurationConverterTest {
  @TempDir
  Path dir;

  @Test
  void durationsWithAUnitAreRead() {
    assertThat(DurationConverter.parse("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(DurationConverter.parse("0")).isZero();
  }

  @Test
  void aNumberWithoutAUnitIsRefusedNamingBothReadings() {
    assertThatThrownBy(() -> DurationConverter.parse("5"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'5' has no unit: write 5s or 5ms (examples: 200ms, 1.5s, 2m)");
    assertThatThrownBy(() -> DurationConverter.parse("0.5"))
        .hasMessageStartingWith("'0.5' has no unit: write 0.5s or 0.5ms");
  }

  @Test
  void runRefusesARequestTimeoutWithoutAUnitAsAUsageError() {
    // Given a spec that would need a server (none runs: the flag is refused before the spec is read)
    CliRun run = CliRun.run(Map.of(), "run", dir.resolve("job.yaml").toString(), "--request-timeout", "5",
        "--checkpoint-dir", dir.resolve("state").toString());

    // Then exit 2, one line naming the flag, no stack trace
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--request-timeout").contains("'5' has no unit: write 5s or 5ms")
        .doesNotContain("Exception");
  }
}
