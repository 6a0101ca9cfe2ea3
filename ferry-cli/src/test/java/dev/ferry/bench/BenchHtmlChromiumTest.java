package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the HTML report in headless Chromium and checks, in the DOM after its script ran, that the chart is
 * drawn: the measured polyline with one point per rung, the ideal line, the USL curve, the points and the
 * legend. Without Chromium the test is skipped, except under CI ({@code CI=true}, where {@code .ci/run}
 * installs Debian's {@code chromium}): there it fails.
 */
class BenchHtmlChromiumTest {
  @TempDir
  Path tmp;

  @Test
  void chromiumDrawsTheChart() throws Exception {
    // Given
    String chromium = findChromium();
    if (chromium == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("chromium is not installed (CI=true): apt-get install chromium");
      Assumptions.abort("chromium is not installed; skipping the rendering check");
    }
    Path html = tmp.resolve("bench.html");
    Files.writeString(html, BenchHtml.render(BenchReportTest.rateLimitedStudy()));

    // When
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-extensions", "--no-first-run",
        "--user-data-dir=" + tmp.resolve("profile"), "--dump-dom", html.toUri().toString()));
    Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("chromium.err").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    String dom = new String(out, StandardCharsets.UTF_8);

    // Then
    assertThat(dom).as("dumped DOM (stderr: %s)", tmp.resolve("chromium.err")).contains("data-drawn=\"true\"");
    Matcher measured = Pattern.compile("<polyline id=\"measured\"[^>]*points=\"([^\"]+)\"").matcher(dom);
    assertThat(measured.find()).isTrue();
    String[] points = measured.group(1).trim().split("\\s+");
    assertThat(points).hasSize(5);
    double lastX = -1;
    for (String pt : points) {
      String[] xy = pt.split(",");
      double x = Double.parseDouble(xy[0]);
      double y = Double.parseDouble(xy[1]);
      assertThat(x).isGreaterThan(lastX);
      assertThat(y).isBetween(0.0, 440.0);
      lastX = x;
    }
    assertThat(dom).containsPattern("<polyline id=\"ideal\"[^>]*points=\"[\\d.,\\s-]+\"")
        .containsPattern("<path id=\"usl\"[^>]*d=\"M[\\d.]+ [\\d.]+( L[\\d.]+ [\\d.]+){100,}\"")
        .containsPattern("<line id=\"ceiling\"")
        .contains("data-points=\"5\"");
    assertThat(Pattern.compile("<circle[^>]*class=\"point\"").matcher(dom).results().count()).isEqualTo(5);
    assertThat(dom).contains("USL fit</text>", "ideal (linear)</text>");
  }

  private static String findChromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.isFile() && f.canExecute()) return f.getAbsolutePath();
      }
    }
    return null;
  }
}
