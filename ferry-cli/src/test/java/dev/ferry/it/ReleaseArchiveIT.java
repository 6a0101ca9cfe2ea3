package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive ({@code ./mvnw -Prelease verify}, which CI runs) on a machine without Java: extracted to a
 * temporary folder and run with an environment of nothing but a {@code PATH} holding a few shell tools (checked to
 * hold no {@code java}) and a {@code HOME}; no {@code JAVA_HOME}. Run by failsafe after {@code package}, which
 * passes the archive's path ({@code ferry.release.archive}), its top folder and the project's version.
 */
class ReleaseArchiveIT {
  /** What bin/ferry may use besides sh builtins, and what a test shell needs to look for java. */
  static final List<String> TOOLS = List.of("sh", "readlink");

  @TempDir
  static Path dir;
  static Path home;
  static Path toolsOnly;

  @BeforeAll
  static void extract() throws Exception {
    Path archive = Path.of(property("ferry.release.archive"));
    assertThat(archive).as("the archive built by -Prelease package").isRegularFile();
    Path into = Files.createDirectory(dir.resolve("opt"));
    Ferry.Run tar = run(List.of("tar", "-xzf", archive.toString(), "-C", into.toString()), null, Map.of());
    assertThat(tar.exit()).as(tar.toString()).isZero();
    home = into.resolve(property("ferry.release.name"));
    toolsOnly = Files.createDirectory(dir.resolve("path"));
    for (String tool : TOOLS) {
      Path real = List.of(Path.of("/bin", tool), Path.of("/usr/bin", tool)).stream().filter(Files::isExecutable)
          .findFirst().orElseThrow(() -> new AssertionError("no " + tool + " in /bin or /usr/bin"));
      Files.createSymbolicLink(toolsOnly.resolve(tool), real.toRealPath());
    }
  }

  @Test
  void theArchiveHoldsTheLauncherTheJarTheRuntimeAndTheLicense() {
    assertThat(home.resolve("bin/ferry")).isExecutable();
    assertThat(home.resolve("lib/ferry-all.jar")).isRegularFile();
    assertThat(home.resolve("runtime/bin/java")).isExecutable();
    assertThat(home.resolve("runtime/lib/jspawnhelper")).as("modes kept: ProcessBuilder needs it").isExecutable();
    assertThat(home.resolve("LICENSE")).content().contains("Apache License", "Version 2.0");
    assertThat(home.resolve("runtime/include")).doesNotExist(); // --no-header-files
  }

  @Test
  void versionRunsWithNoJavaOnThePath() throws Exception {
    // Given: the environment has no java to find
    Ferry.Run lookup = run(List.of(toolsOnly.resolve("sh").toString(), "-c", "command -v java"), home, noJava());
    assertThat(lookup.exit()).as("java must not be reachable: " + lookup).isNotZero();

    // When
    Ferry.Run version = run(List.of(home.resolve("bin/ferry").toString(), "--version"), dir, noJava());

    // Then: the build's version, from the bundled runtime
    assertThat(version.exit()).as(version.toString()).isZero();
    assertThat(version.out().strip()).startsWith("ferry " + property("ferry.version"));
    assertThat(version.err()).isEmpty();
  }

  @Test
  void aSymbolicLinkOnThePathRunsIt() throws Exception {
    // Given: installed as the README says, a link to bin/ferry in a folder on the PATH
    Path link = toolsOnly.resolve("ferry");
    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, home.resolve("bin/ferry"));
    }
    // When
    Ferry.Run version = run(List.of(toolsOnly.resolve("sh").toString(), "-c", "ferry --version"), dir, noJava());
    // Then
    assertThat(version.exit()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("ferry " + property("ferry.version"));
  }

  @Test
  void theBundledRuntimeRunsAnImportEndToEnd() throws Exception {
    // Given: the in-process simulator over loopback HTTP and the SQLite store: the modules and native access ferry needs
    Path work = Files.createDirectories(dir.resolve("work"));
    // When
    Ferry.Run demo = run(List.of(home.resolve("bin/ferry").toString(), "demo", "--users", "40", "--orgs", "3",
        "--latency", "1ms", "--progress", "never", "--json", "--checkpoint-dir", work.resolve(".ferry").toString()),
        work, noJava());
    // Then
    assertThat(demo.exit()).as(demo.toString()).isZero();
    JsonNode report = new ObjectMapper().readTree(demo.out());
    assertThat(report.get("done").asInt()).as(demo.toString()).isEqualTo(40);
    assertThat(report.get("users_created").asInt()).isEqualTo(40);
    assertThat(report.get("equation_holds").asBoolean()).isTrue();
  }

  private static Map<String, String> noJava() {
    return Map.of("PATH", toolsOnly.toString(), "HOME", dir.toString());
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    assertThat(v).as("system property " + name + " (set by failsafe in the release profile)").isNotBlank();
    return v;
  }

  /** Runs a command with exactly {@code env} (nothing inherited) when given, and waits up to two minutes. */
  private static Ferry.Run run(List<String> command, Path cwd, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (cwd != null) pb.directory(cwd.toFile());
    if (!env.isEmpty()) {
      pb.environment().clear();
      pb.environment().putAll(env);
    }
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
        Path.of("/dev/null").toFile()));
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(command + " did not end within 2 minutes\n" + Files.readString(err));
    }
    return new Ferry.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
