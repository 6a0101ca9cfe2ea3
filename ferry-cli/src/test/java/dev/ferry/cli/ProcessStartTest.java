package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link ProcessStart}: the process's age from Linux's /proc texts, and seconds from the start to a ticker reading. */
class ProcessStartTest {
  /** A /proc/self/stat line whose command name holds a space and a ')'; start time 12345 ticks after boot. */
  static final String STAT = "4242 (java) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 30 0 12345 "
      + "4000000000 50000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";

  @Test
  void theAgeIsTheUptimeMinusTheStartTicks() {
    // Given: started 123.45 s after boot, now 125.00 s after boot
    // When
    OptionalLong age = ProcessStart.osAgeMillis(STAT, "125.00 240.10\n");

    // Then
    assertThat(age).hasValue(1_550);
  }

  @Test
  void unreadableTextsGiveNoAge() {
    assertThat(ProcessStart.osAgeMillis("garbage", "1.0 1.0")).isEmpty();
    assertThat(ProcessStart.osAgeMillis("1 (sh) S 1 2", "1.0 1.0")).isEmpty();
    assertThat(ProcessStart.osAgeMillis(STAT, "100.00 1.0")).as("started after now").isEmpty();
    assertThat(ProcessStart.osAgeMillis(Path.of("/nonexistent/stat"), Path.of("/nonexistent/uptime"))).isEmpty();
  }

  @Test
  void theOsAgeCountsTheLauncherButAnImplausibleOneFallsBackToTheJvmUptime() {
    // the launcher script ran 300 ms before the JVM started: counted
    assertThat(ProcessStart.ageMillis(OptionalLong.of(1_300), 1_000)).isEqualTo(1_300);
    // ticks round down: an OS age a tick short of the JVM's uptime is the JVM's uptime
    assertThat(ProcessStart.ageMillis(OptionalLong.of(995), 1_000)).isEqualTo(1_000);
    // an OS age far off (another tick unit, a clock jump) is not believed
    assertThat(ProcessStart.ageMillis(OptionalLong.of(500), 1_000)).isEqualTo(1_000);
    assertThat(ProcessStart.ageMillis(OptionalLong.of(1_000 + ProcessStart.MAX_LAUNCHER_MILLIS + 1), 1_000))
        .isEqualTo(1_000);
    assertThat(ProcessStart.ageMillis(OptionalLong.empty(), 1_000)).isEqualTo(1_000);
  }

  @Test
  void secondsUntilAReadingCountFromTheStart() {
    // Given: the process is 1.5 s old when the ticker reads 10 s
    FakeTicker ticker = new FakeTicker();
    ticker.advance(Duration.ofSeconds(10));
    ProcessStart start = ProcessStart.at(ticker.read(), 1_500);

    // When: the first request goes out 250 ms later
    ticker.advance(Duration.ofMillis(250));

    // Then
    assertThat(start.secondsUntil(ticker.read())).isEqualTo(1.75);
  }

  @Test
  void thisProcessStartedBeforeNowAndNotBeforeItsJvmUptimePlusAMinute() {
    // When
    long now = System.nanoTime();
    ProcessStart start = ProcessStart.ofThisProcess(() -> now);

    // Then
    double age = start.secondsUntil(now);
    double jvmUptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
    assertThat(age).isGreaterThan(0).isLessThanOrEqualTo(jvmUptime + ProcessStart.MAX_LAUNCHER_MILLIS / 1000.0);
  }
}
