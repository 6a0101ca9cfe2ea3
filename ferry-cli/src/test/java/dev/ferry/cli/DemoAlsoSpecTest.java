package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --also-spec} (the launcher's class-data archive training run): the import, then the same users through
 * the built-in spec and its dry run, all finished, so that the archive holds the spec path's classes too.
 */
class DemoAlsoSpecTest {
  @Test
  void importsThenRunsAndDryRunsTheBuiltInSpec(@TempDir Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of()).execute("demo",
        "--users", "30", "--orgs", "2", "--latency", "1ms", "--also-spec", "--checkpoint-dir", dir.toString(),
        "--progress", "never");
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
    String all = out + "\n" + err;
    assertThat(all).contains("-spec finished").contains("-spec-dry finished").contains("dry run: no API calls")
        .doesNotContain("ended with exit");
  }
}
