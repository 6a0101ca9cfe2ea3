package dev.ferry.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code dev.ferry.cli.Main} in a child JVM (the JDK and class path of this test JVM), with stdout and
 * stderr going to files, so a test can {@code kill -9} it.
 */
final class ChildFerry {
  private ChildFerry() {}

  static Process start(Path logDir, String name, Map<String, String> env, List<String> args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.ferry.cli.Main"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("WORKOS_SECRET_KEY");
    pb.environment().putAll(env);
    try {
      Files.createDirectories(logDir);
      pb.redirectOutput(logDir.resolve(name + ".out").toFile());
      pb.redirectError(logDir.resolve(name + ".err").toFile());
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String output(Path logDir, String name) {
    try {
      Path out = logDir.resolve(name + ".out");
      Path err = logDir.resolve(name + ".err");
      return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(err) ? Files.readString(err) : "");
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
