package dev.ferry.arch;

import static org.assertj.core.api.Assertions.assertThat;

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
 * ferry is one Maven module whose packages are its pieces (docs/ARCHITECTURE.md). This test keeps their dependency
 * arrows pointing one way (cli → bench → service → metrics → recipes → spec → steps → sinks → sources → http → sim →
 * store → core) and the core free of
 * third-party runtime dependencies (JDK and the SLF4J API only).
 */
class DependencyDirectionTest {
  private static final List<String> LAYERS = List.of("cli", "bench", "service", "metrics", "recipes", "spec", "steps", "sinks",
      "sources", "http", "sim", "store", "core");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
  private static final Path SRC = Path.of("src/main/java/dev/ferry");

  @Test
  void piecesOnlyDependOnPiecesBelowThem() throws IOException {
    List<String> violations = new ArrayList<>();
    for (String layer : LAYERS) {
      Path dir = SRC.resolve(layer);
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
    forEachImport(SRC.resolve("core"), (file, imported) -> {
      boolean ok = imported.startsWith("java.") || imported.startsWith("javax.") || imported.startsWith("org.slf4j.")
          || imported.startsWith("dev.ferry.core.");
      if (!ok) violations.add(file + " imports " + imported);
    });
    assertThat(violations).isEmpty();
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
