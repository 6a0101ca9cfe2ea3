package dev.ferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code ferry} in a child JVM (this test run's class path), for what needs a real process: signals, kill -9,
 * resource limits. stdout and stderr go to files in {@code dir}. Not threadsafe.
 */
public final class ChildFerry {
  public final Process process;
  final Path out;
  final Path err;

  private ChildFerry(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * @param prefix command words before {@code java} (e.g. a shell that sets a ulimit), may be empty
   * @param jvmArgs extra JVM options
   */
  public static ChildFerry start(Path dir, String name, Map<String, String> env, List<String> prefix, List<String> jvmArgs,
      List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-Xmx256m", "-cp",
        System.getProperty("java.class.path")));
    cmd.addAll(jvmArgs);
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().remove(ApiKeys.ENV);
    pb.environment().putAll(env);
    return new ChildFerry(pb.start(), out, err);
  }

  static ChildFerry start(Path dir, String name, Map<String, String> env, List<String> args) throws IOException {
    return start(dir, name, env, List.of(), List.of(), args);
  }

  long pid() {
    return process.pid();
  }

  /** Sends a signal by name ("INT", "TERM", "KILL") with kill(1). */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
    if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
  }

  /** Waits for the exit code; fails the test when the process is still running after {@code timeout}. */
  public int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ferry did not end within " + timeout + "\n" + this);
    }
    return process.exitValue();
  }

  String stdout() {
    return read(out);
  }

  String stderr() {
    return read(err);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  /** Polls {@code condition} every 10 ms until it holds; fails after {@code timeout} or if the child ends first. */
  public void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) throw new AssertionError("ferry ended before " + what + "\n" + this);
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + this);
      Thread.sleep(10);
    }
  }

  @Override
  public String toString() {
    return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
  }
}
