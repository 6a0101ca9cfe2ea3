package dev.ferry.arch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Tests run in their module's folder (ferry-cli/), so a path to a file of the repository written from its root
 * (examples/, docs/, scripts/, …) finds nothing there: such paths go through {@link Repo#path}. This test names the
 * ones that do not, so the failure says what to change rather than "no such file".
 */
class RepoPathsTest {
  private static final Pattern ROOT_RELATIVE = Pattern.compile(
      "(?:Path\\.of|Paths\\.get|new File)\\(\"((?:docs|examples|benchmarks|scripts|ferry-core|ferry-store)/[^\"]*|"
          + "(?:README|CHANGELOG|LICENSE)[^\"]*)\""); // not pom.xml: each module has its own

  @Test
  void repositoryFilesAreReachedThroughRepoPath() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path tests : List.of(Path.of("src/test/java"), Repo.path("ferry-store/src/test/java"),
        Repo.path("ferry-core/src/test/java"))) {
      try (Stream<Path> files = Files.walk(tests)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("RepoPathsTest.java")).toList()) {
          Matcher m = ROOT_RELATIVE.matcher(Files.readString(f));
          while (m.find()) found.add(f.getFileName() + ": " + m.group() + " -> Repo.path(\"" + m.group(1) + "\")");
        }
      }
    }
    assertThat(found).as("paths from the repository's root, which tests do not run in").isEmpty();
  }
}
