package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Signals.Arrivals;
import dev.ferry.cli.Signals.Arrivals.Kind;
import org.junit.jupiter.api.Test;

/**
 * A stop request sent twice at once is one request. {@code timeout 60 ferry serve ...} sends SIGTERM to ferry and
 * then to its process group, so ferry got two within microseconds and halted at once (exit 3, items in flight left
 * to their leases) instead of draining and exiting 0.
 */
class SignalsTest {
  private static final long MS = 1_000_000L;

  @Test
  void aSignalRightAfterTheFirstIsACopyOfItNotASecondRequest() {
    // Given
    Arrivals arrivals = new Arrivals();

    // When two signals arrive 1 ms apart (timeout: one to the process, one to its group)
    Kind first = arrivals.arrive(1_000 * MS);
    Kind copy = arrivals.arrive(1_001 * MS);

    // Then the second does not stop the process at once
    assertThat(first).isEqualTo(Kind.FIRST);
    assertThat(copy).isEqualTo(Kind.COPY);
  }

  @Test
  void aHandlerThatReadTheClockBeforeTheFirstOneWonIsACopy() {
    // Given the first arrival recorded at t = 1,000 ms
    Arrivals arrivals = new Arrivals();
    arrivals.arrive(1_000 * MS);

    // When the other handler thread read the clock a little earlier but arrives second
    Kind racing = arrivals.arrive(999 * MS);

    // Then it is a copy, not a second request
    assertThat(racing).isEqualTo(Kind.COPY);
  }

  @Test
  void aSignalAfterTheWindowIsASecondRequestAndSoIsEveryLaterOne() {
    // Given
    Arrivals arrivals = new Arrivals();
    long window = Arrivals.SAME_REQUEST.toNanos();
    arrivals.arrive(0);

    // When Ctrl-C is pressed again at the window's end, and once more
    Kind again = arrivals.arrive(window);
    Kind more = arrivals.arrive(window + 5_000 * MS);

    // Then each stops at once; the window's last nanosecond still counted as the same request
    assertThat(again).isEqualTo(Kind.AGAIN);
    assertThat(more).isEqualTo(Kind.AGAIN);
    Arrivals other = new Arrivals();
    other.arrive(0);
    assertThat(other.arrive(window - 1)).isEqualTo(Kind.COPY);
  }
}
