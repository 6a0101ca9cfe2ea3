package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Fixed windows' boundaries read from where remaining jumps back up, in virtual time. */
class WindowPhaseTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long T0 = 7_000 * S;

  /** Answers of 30 per 3 s whose windows begin at T0 + 2.35 s + k × 3 s, a request every 100 ms, 20 ms round trips. */
  private static void drive(WindowPhase p, long from, long to) {
    for (long sent = from; sent < to; sent += 100 * MS) {
      long boundary = T0 + 2350 * MS;
      long index = Math.floorDiv(sent - boundary, 3 * S);
      long windowStart = boundary + index * 3 * S;
      long used = (sent - windowStart) / (100 * MS) + 1;
      p.onAnswer(sent, sent + 20 * MS, Math.max(0, 30 - used), 30, 3 * S);
    }
  }

  @Test
  void aJumpOfRemainingIsABoundaryBetweenTheRequestBeforeAndTheAnswerAfter() {
    WindowPhase p = new WindowPhase();
    // Given answers falling within a window, then one whose remaining jumped back up
    p.onAnswer(T0, T0 + 20 * MS, 12, 30, 3 * S);
    assertThat(p.onAnswer(T0 + 100 * MS, T0 + 120 * MS, 11, 30, 3 * S)).isFalse();
    assertThat(p.onAnswer(T0 + 200 * MS, T0 + 220 * MS, 29, 30, 3 * S)).isTrue();
    // Then with the window stated, one jump fits: the next window ends no earlier than the boundary could be plus 3 s
    assertThat(p.fitted(3 * S, true)).isTrue();
    assertThat(p.fitted(3 * S, false)).isFalse(); // read from resets: a second jump must agree
    assertThat(p.windowEnd(T0 + 300 * MS)).isEqualTo(T0 + 220 * MS + 3 * S);
    assertThat(p.uncertainty()).isEqualTo(120 * MS);
  }

  @Test
  void jumpsThatAgreeFitWithoutAStatedWindowAndTheEndIsNeverEarly() {
    WindowPhase p = new WindowPhase();
    // When answers cross two boundaries (T0 + 2.35 s and T0 + 5.35 s)
    drive(p, T0, T0 + 6 * S);
    // Then the fit holds, and the end of the window after (T0 + 8.35 s) is given no earlier than it is
    assertThat(p.fitted(3 * S, false)).isTrue();
    long end = p.windowEnd(T0 + 6 * S);
    assertThat(end).isBetween(T0 + 8350 * MS, T0 + 8350 * MS + 120 * MS);
    assertThat(end - p.uncertainty()).isLessThanOrEqualTo(T0 + 8350 * MS);
    // and a request sent right after the boundary (answered after the jump) belongs to the window after
    assertThat(p.windowEnd(T0 + 5400 * MS)).isEqualTo(end);
  }

  @Test
  void aWindowThatDoesNotFitTheJumpsGivesNoFit() {
    WindowPhase p = new WindowPhase();
    // Given windows of 3 s read as 2 s (a reset rounded down: 2.99 s said 2)
    for (long sent = T0; sent < T0 + 9 * S; sent += 100 * MS) {
      long used = (sent - T0) % (3 * S) / (100 * MS) + 1;
      p.onAnswer(sent, sent + 20 * MS, 30 - used, 30, 2 * S);
    }
    // Then the jumps 3 s apart never agree with it
    assertThat(p.fitted(2 * S, false)).isFalse();
  }

  @Test
  void aBoundaryPredictedButNotSeenDropsTheFit() {
    WindowPhase p = new WindowPhase();
    drive(p, T0, T0 + 6 * S);
    assertThat(p.fitted(3 * S, false)).isTrue();
    // When the answers after the next boundary show remaining still falling (the target is not what the fit says)
    long last = T0 + 6 * S;
    for (long sent = last; sent < last + 4 * S; sent += 100 * MS) p.onAnswer(sent, sent + 20 * MS, 5, 30, 3 * S);
    // Then the fit is dropped
    assertThat(p.fitted(3 * S, false)).isFalse();
  }

  @Test
  void aSmallRiseIsReorderingNotABoundary() {
    WindowPhase p = new WindowPhase();
    p.onAnswer(T0, T0 + 20 * MS, 40, 100, 10 * S);
    // requests counted out of the order sent: remaining rises by one or two
    assertThat(p.onAnswer(T0 + 10 * MS, T0 + 30 * MS, 41, 100, 10 * S)).isFalse();
    assertThat(p.fitted(10 * S, true)).isFalse();
  }
}
