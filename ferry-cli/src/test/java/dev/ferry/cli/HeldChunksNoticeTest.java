package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.spi.OpenChunks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HeldChunksNoticeTest {
  private static final long T = Instant.parse("2026-12-07T12:03:04.250Z").toEpochMilli();

  @Test
  void theLineCountsTheChunksAndGivesTheLastLeaseEndInUtc() {
    assertThat(HeldChunksNotice.line(new OpenChunks(0, 3, T - 20_000, T))).isEqualTo("ferry: waiting for 3 chunks held"
        + " by other processes (their leases run out by 2026-12-07T12:03:04Z if those processes died, and this one"
        + " takes them over)");
    assertThat(HeldChunksNotice.line(new OpenChunks(0, 1, T, T))).isEqualTo("ferry: waiting for 1 chunk held by"
        + " other processes (its lease runs out by 2026-12-07T12:03:04Z if its process died, and this one takes it"
        + " over)");
  }

  @Test
  void quietSaysNothing() {
    // Given
    StringWriter err = new StringWriter();
    // When
    new HeldChunksNotice(new PrintWriter(err), true).waiting(new OpenChunks(0, 2, T, T));
    new HeldChunksNotice(new PrintWriter(err), false).waiting(new OpenChunks(0, 2, T, T));
    // Then only the second said it
    assertThat(err.toString()).startsWith("ferry: waiting for 2 chunks").hasLineCount(1);
  }
}
