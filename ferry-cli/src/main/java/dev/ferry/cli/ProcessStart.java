package dev.ferry.cli;

import dev.ferry.core.time.Ticker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * When this process started, as a reading of the monotonic {@link Ticker}, so that "seconds from the process
 * start to the first request" is a difference of two ticker readings. Immutable.
 *
 * <p>The start is the operating system's start of the process, which under {@code ./ferry} is the launcher
 * script's start (it {@code exec}s the JVM under the same process id): the JDK lookup and the "rebuild?" check
 * count, as they do for the user. Linux gives it in {@code /proc/self/stat} in clock ticks since boot (10 ms),
 * which compared with {@code /proc/uptime} gives the process's age. {@code ProcessHandle.Info.startInstant()} is
 * not used: on Linux it adds the age to a boot time rounded to the second, up to 1 s off. Elsewhere, or when
 * the figures look wrong, the JVM's own start time ({@code RuntimeMXBean.getUptime()}) is the start.
 */
record ProcessStart(long tickerNanos) {
  /** Linux's USER_HZ, the unit of {@code /proc/self/stat}'s start time: 100 on every mainstream architecture. */
  static final long CLOCK_TICKS_PER_SECOND = 100;
  /** An age from {@code /proc} more than this beyond the JVM's uptime is not believed (another unit of ticks). */
  static final long MAX_LAUNCHER_MILLIS = 60_000;

  /** The start of this process; reads {@code /proc} and the JVM's uptime once. */
  static ProcessStart ofThisProcess(Ticker ticker) {
    long jvmUptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
    long now = ticker.read();
    OptionalLong osAge = osAgeMillis(Path.of("/proc/self/stat"), Path.of("/proc/uptime"));
    return at(now, ageMillis(osAge, jvmUptimeMillis));
  }

  /** The process started {@code ageMillis} before the ticker read {@code nowNanos}. */
  static ProcessStart at(long nowNanos, long ageMillis) {
    return new ProcessStart(nowNanos - Math.max(0, ageMillis) * 1_000_000L);
  }

  /** The operating system's age of the process when plausible (at least the JVM's, at most a minute more). */
  static long ageMillis(OptionalLong osAgeMillis, long jvmUptimeMillis) {
    if (osAgeMillis.isPresent()) {
      long os = osAgeMillis.getAsLong();
      // ticks round down: allow the OS age to trail the JVM's by one tick
      if (os >= jvmUptimeMillis - 1000 / CLOCK_TICKS_PER_SECOND && os <= jvmUptimeMillis + MAX_LAUNCHER_MILLIS) {
        return Math.max(os, jvmUptimeMillis);
      }
    }
    return jvmUptimeMillis;
  }

  /** Seconds from the process start to a ticker reading. */
  double secondsUntil(long nanos) {
    return (nanos - tickerNanos) / 1e9;
  }

  /** The process's age from Linux's {@code /proc}, or empty when the files are missing or unreadable. */
  static OptionalLong osAgeMillis(Path stat, Path uptime) {
    try {
      return osAgeMillis(Files.readString(stat), Files.readString(uptime));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The age from the texts of {@code /proc/self/stat} (field 22: start time in clock ticks since boot; the
   * command name in field 2 may hold spaces and parentheses, so fields are counted after its last ')') and
   * {@code /proc/uptime} (seconds since boot, first number).
   */
  static OptionalLong osAgeMillis(String statText, String uptimeText) {
    int close = statText.lastIndexOf(')');
    if (close < 0) return OptionalLong.empty();
    String[] fields = statText.substring(close + 1).trim().split("\\s+");
    if (fields.length < 20) return OptionalLong.empty();
    long startTicks = Long.parseLong(fields[19]); // field 22 of the line; fields[0] is field 3
    String[] up = uptimeText.trim().split("\\s+");
    long uptimeMillis = Math.round(Double.parseDouble(up[0]) * 1000);
    long startMillis = startTicks * 1000 / CLOCK_TICKS_PER_SECOND;
    return uptimeMillis >= startMillis ? OptionalLong.of(uptimeMillis - startMillis) : OptionalLong.empty();
  }
}
