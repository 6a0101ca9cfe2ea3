package dev.ferry.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of the repository outside this module (docs/, examples/, the parent pom.xml): tests run in the module's
 * folder (ferry-cli/), so a path like {@code docs/CLI.md} is resolved against the repository's root, the nearest
 * folder above holding {@code mvnw}.
 */
public final class Repo {
  private static final Path ROOT = findRoot();

  private Repo() {}

  /** The repository's root, absolute. */
  public static Path root() {
    return ROOT;
  }

  /** {@code relative} (as written from the repository's root), absolute. */
  public static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  private static Path findRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("pom.xml"))) return p;
    }
    throw new IllegalStateException("no folder holding mvnw above " + Path.of("").toAbsolutePath());
  }
}
