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
 * ferry's packages are its pieces (docs/ARCHITECTURE.md), in three Maven modules: ferry-core holds {@code core} and
 * nothing else, ferry-store {@code store}, ferry-cli the rest. This test keeps their dependency arrows pointing one
 * way (cli → bench → service → metrics → recipes → spec → steps → sinks → sources → http → sim → store → core), the
 * core free of third-party runtime dependencies (JDK and the SLF4J API only; ferry-core's PublishedPomTest checks its
 * POM), and each package in its module.
 */
class DependencyDirectionTest {
  private static final List<String> LAYERS = List.of("cli", "bench", "service", "metrics", "recipes", "spec", "steps", "sinks",
      "sources", "http", "sim", "store", "core");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
  /** The main sources of the modules: ferry-cli's (this module), ferry-store's and ferry-core's. */
  private static final Path SRC = Path.of("src/main/java/dev/ferry");
  private static final Path STORE_SRC = Repo.path("ferry-store/src/main/java/dev/ferry");
  private static final Path CORE_SRC = Repo.path("ferry-core/src/main/java/dev/ferry");

  @Test
  void piecesOnlyDependOnPiecesBelowThem() throws IOException {
    List<String> violations = new ArrayList<>();
    for (String layer : LAYERS) {
      Path dir = sourcesOf(layer).resolve(layer);
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
  void eachModuleHoldsItsPiecesAndNoOther() throws IOException {
    assertThat(Repo.path("src")).as("a src/ at the root is built by no module: move it into ferry-core, ferry-store"
        + " or ferry-cli").doesNotExist();
    assertThat(packages(CORE_SRC)).as("ferry-core holds dev.ferry.core only").containsExactly("core");
    assertThat(packages(STORE_SRC)).as("ferry-store holds dev.ferry.store only").containsExactly("store");
    assertThat(packages(SRC)).as("ferry-cli holds neither").doesNotContain("core", "store");
  }

  /** The module whose sources hold {@code layer}. */
  private static Path sourcesOf(String layer) {
    return switch (layer) {
      case "core" -> CORE_SRC;
      case "store" -> STORE_SRC;
      default -> SRC;
    };
  }

  private static List<String> packages(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
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
