package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version the build wrote into {@code dev/ferry/cli/version.properties}: the project's version (Maven resource
 * filtering) and, when the sources were a git checkout, {@code git describe --always --dirty --tags} of them.
 * Immutable.
 *
 * @param version the project's version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} without the file
 * @param git     what {@code git describe} said, e.g. {@code 08355e4-dirty}; empty when unknown
 */
record BuildVersion(String version, String git) {
  static final String RESOURCE = "version.properties";

  /** Reads the resource; a value the build could not fill in (still {@code ${...}}) counts as unknown. */
  static BuildVersion load() {
    Properties p = new Properties();
    try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      // unreadable: unknown, as without the file
    }
    String version = known(p.getProperty("version"));
    return new BuildVersion(version.isEmpty() ? "unknown" : version, known(p.getProperty("git")));
  }

  private static String known(String value) {
    return value == null || value.isBlank() || value.contains("${") ? "" : value.strip();
  }

  /** {@code 0.1.0-SNAPSHOT (git 08355e4-dirty)}, or the version alone. */
  String describe() {
    return git.isEmpty() ? version : version + " (git " + git + ")";
  }
}
