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
 * ferry's packages are its pieces (docs/ARCHITECTURE.md), in two Maven modules: ferry-core holds {@code core} and
 * nothing else, ferry-cli the rest. This test keeps their dependency arrows pointing one way (cli → bench → service →
 * metrics → recipes → spec → steps → sinks → sources → http → sim → store → core), the core free of third-party
 * runtime dependencies (JDK and the SLF4J API only; ferry-core's PublishedPomTest checks its POM), and each package
 * in its module.
 */
class DependencyDirectionTest {
  private static final List<String> LAYERS = List.of("cli", "bench", "service", "metrics", "recipes", "spec", "steps", "sinks",
      "sources", "http", "sim", "store", "core");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
  /** The main sources of both modules: ferry-cli's (this module) and ferry-core's. */
  private static final Path SRC = Path.of("src/main/java/dev/ferry");
  private static final Path CORE_SRC = Repo.path("ferry-core/src/main/java/dev/ferry");

  @Test
  void piecesOnlyDependOnPiecesBelowThem() throws IOException {
    List<String> violations = new ArrayList<>();
    for (String layer : LAYERS) {
      Path dir = (layer.equals("core") ? CORE_SRC : SRC).resolve(layer);
      if (!Files.isDirectory(dir)) continue;
      int rank = LAYERS.indexOf(layer);
      forEachImport(dir, (file, imported) -> {
        if (!imported.startsWith("dev.ferry.")) return;
        String target = imported.substring("dev.ferry.".length()).split("\\.")[0];
        int targetRank = LAYERS.indexOf(target);
        if (targetRank >= 0 && targetRank < rank) violations.add(file + " imports " + imported);
      });
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void coreUsesOnlyTheJdkAndSlf4j() throws IOException {
    List<String> violations = new ArrayList<>();
    assertThat(CORE_SRC.resolve("core")).isDirectory();
    forEachImport(CORE_SRC.resolve("core"), (file, imported) -> {
      boolean ok = imported.startsWith("java.") || imported.startsWith("javax.") || imported.startsWith("org.slf4j.")
          || imported.startsWith("dev.ferry.core.");
      if (!ok) violations.add(file + " imports " + imported);
    });
    assertThat(violations).isEmpty();
  }

  @Test
  void theCoreIsAllOfFerryCoreAndNoneOfFerryCli() throws IOException {
    assertThat(Repo.path("src")).as("a src/ at the root is built by no module: move it into ferry-core or ferry-cli")
        .doesNotExist();
    try (Stream<Path> core = Files.list(CORE_SRC); Stream<Path> cli = Files.list(SRC)) {
      assertThat(core.map(p -> p.getFileName().toString())).as("ferry-core holds dev.ferry.core only")
          .containsExactly("core");
      assertThat(cli.map(p -> p.getFileName().toString())).as("ferry-cli holds no dev.ferry.core")
          .doesNotContain("core");
    }
  }

  private interface ImportVisitor {
    void visit(Path file, String imported);
  }

  private static void forEachImport(Path dir, ImportVisitor visitor) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String text = Files.readString(f);
        Matcher m = IMPORT.matcher(text);
        while (m.find()) visitor.visit(f, m.group(1));
        // fully qualified references in code count too
        Matcher q = Pattern.compile("\\b(dev\\.ferry\\.[a-z]+)\\.").matcher(text.replaceAll("(?m)^(package|import) .*$", ""));
        while (q.find()) visitor.visit(f, q.group(1) + ".X");
      }
    }
  }
}
