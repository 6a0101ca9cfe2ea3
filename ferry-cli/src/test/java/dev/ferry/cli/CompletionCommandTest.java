package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class CompletionCommandTest {
  @TempDir
  Path dir;

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void bashCompletesCommandsAndOptionsFromTheScript() throws Exception {
    // Given the script, loaded into bash
    CliRun run = CliRun.run(Map.of(), "completion", "bash");
    assertThat(run.exit()).as(run.toString()).isZero();
    Path script = Files.writeString(dir.resolve("ferry.bash"), run.out());

    // When bash completes 'ferry imp' and 'ferry import-users --wor'
    String commands = complete(script, "ferry imp");
    String options = complete(script, "ferry import-users --wor");

    // Then
    assertThat(commands.split("\\s+")).containsExactly("import-users");
    assertThat(options.split("\\s+")).contains("--workers");
  }

  @Test
  void zshGetsTheSameScriptThroughBashcompinit() {
    CliRun bash = CliRun.run(Map.of(), "completion", "bash");
    CliRun zsh = CliRun.run(Map.of(), "completion", "zsh");
    assertThat(zsh.exit()).isZero();
    assertThat(zsh.out()).contains("bashcompinit").endsWith(bash.out());
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void zshLoadsTheScriptAndGetsTheCompletionFunction() throws Exception {
    // Given zsh (skipped where it is not installed: it is not part of ferry's toolchain)
    org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v zsh").start().waitFor() == 0,
        "zsh is not installed");
    Path script = Files.writeString(dir.resolve("ferry.zsh"), CliRun.run(Map.of(), "completion", "zsh").out());
    // When: a plain zsh (no rc files) sources it
    Process p = new ProcessBuilder(List.of("zsh", "-f", "-c", "source '" + script + "' && (( $+functions[_complete_ferry] ))"
        + " && echo loaded")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // Then: no error, and the completion function is defined
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.strip()).isEqualTo("loaded");
  }

  @Test
  void anotherShellIsAUsageError() {
    CliRun run = CliRun.run(Map.of(), "completion", "fish");
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).containsExactly("ferry: completion: 'fish' is not a supported shell; use bash or zsh");
  }

  /** What bash's completion offers for {@code line} (the cursor at its end). */
  private String complete(Path script, String line) throws Exception {
    String words = line.endsWith(" ") ? line + "''" : line;
    String cmd = "source '" + script + "'; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
        + "; COMP_WORDS=(" + words + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
        + "$(complete -p ferry | sed 's/.*-F \\([^ ]*\\) .*/\\1/') ferry; echo \"${COMPREPLY[*]}\"";
    // stderr dropped: outside a real completion, bash's compopt complains that no completion is running
    Process p = new ProcessBuilder(List.of("bash", "-c", cmd)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.strip();
  }
}
