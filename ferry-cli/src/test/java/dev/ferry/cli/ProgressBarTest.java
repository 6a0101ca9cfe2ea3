package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.FakeTicker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final FakeTicker time = new FakeTicker();
  private final StringWriter out = new StringWriter();
  private final AtomicLong settled = new AtomicLong();

  private ProgressBar bar(boolean terminal, long total, long alreadySettled) {
    return new ProgressBar(new PrintWriter(out), terminal, total, alreadySettled, settled::get, () -> 7, () -> 3,
        () -> "limit 40", time, false);
  }

  @Test
  void aRunShorterThanADrawingPeriodShowsItsRate() {
    // Given a plain (non-terminal) bar over 1,000 rows
    ProgressBar bar = bar(false, 1000, 0);
    // When 100 rows settle in 0.8 s and the run ends
    time.advance(Duration.ofMillis(800));
    settled.set(100);
    bar.close();
    // Then the one line shows 125 rows/s, the ETA at that rate, in flight, rate-limited answers and the extra
    assertThat(out.toString()).isEqualTo(
        "[###.........................] 100/1,000 rows  10%  125.0 rows/s  ETA 7.2s  in flight 7  rate-limited 3  limit 40"
            + System.lineSeparator());
  }

  @Test
  void theRateIsOverTheLastTenSecondsAndRowsSettledBeforeTheRunCount() {
    // Given a resumed job with 500 of 2,000 rows settled before
    ProgressBar bar = bar(false, 2000, 500);
    // When 1,000 rows settle in the first 10 s, then 100 in the next 10 s
    time.advance(Duration.ofSeconds(10));
    settled.set(1000);
    bar.draw(false);
    time.advance(Duration.ofSeconds(10));
    settled.set(1100);
    bar.draw(false);
    // Then the second line shows 10 rows/s (the last 10 s), and 1,600 of 2,000
    String[] lines = out.toString().split(System.lineSeparator());
    assertThat(lines[0]).contains("1,500/2,000 rows  75%  100.0 rows/s");
    assertThat(lines[1]).contains("1,600/2,000 rows  80%  10.0 rows/s  ETA 40s");
  }

  @Test
  void aTerminalBarRedrawsOneLineAndEndsItWhenClosed() {
    ProgressBar bar = bar(true, 10, 0);
    time.advance(Duration.ofSeconds(1));
    settled.set(5);
    bar.draw(false);
    settled.set(10);
    bar.close();
    assertThat(out.toString()).startsWith("\r[##############..............] 5/10 rows  50%")
        .contains("\r[############################] 10/10 rows 100%").endsWith("\n");
    assertThat(out.toString()).doesNotContain(System.lineSeparator() + "\r");
  }

  @Test
  void aNoteOnATerminalTakesTheBarsLineAndTheBarComesBackBelowIt() {
    // Given a terminal bar drawn once
    ProgressBar bar = bar(true, 10, 0);
    settled.set(5);
    bar.draw(false);
    // When a note is printed, then the bar drawn again
    bar.note("ferry: waiting");
    bar.draw(false);
    // Then the note overwrote the bar's line (padded over it) and ended it; the bar is redrawn on the next line
    String[] lines = out.toString().split("\n", -1);
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("\r[").contains("\rferry: waiting   ");
    assertThat(lines[1]).startsWith("\r[##############").contains("5/10 rows");
  }

  @Test
  void aNoteWithoutATerminalIsALineOfItsOwn() {
    ProgressBar bar = bar(false, 10, 0);
    bar.note("ferry: waiting");
    assertThat(out.toString()).isEqualTo("ferry: waiting" + System.lineSeparator());
  }
}
