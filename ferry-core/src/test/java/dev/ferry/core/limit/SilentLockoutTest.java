package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lockouts without Retry-After: the wait read from when the refusals stop, and where they ended. */
class SilentLockoutTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long T0 = 5_000 * S;

  /** A lockout of a refusal sent at {@code from} ms, its last refused try at {@code lastRefused}, admitted at {@code admitted}. */
  private static long lockout(SilentLockout l, long from, long lastRefused, long admitted) {
    l.start(1, T0 + from * MS, T0 + (from + 50) * MS, 100);
    assertThat(l.refused(T0 + lastRefused * MS)).isTrue();
    assertThat(l.endsWith(T0 + admitted * MS)).isTrue();
    return l.close(T0 + admitted * MS);
  }

  @Test
  void theWaitIsTheMiddleOfWhereTheRefusalsStoppedRoundedUpToWholeSeconds() {
    SilentLockout l = new SilentLockout();
    // refused at 1 s, tries refused until 2.1 s, one sent at 2.3 s admitted: a wait of 1.2 s, read as 2 s
    assertThat(lockout(l, 1_000, 2_100, 2_300)).isEqualTo(2 * S);
    assertThat(l.longestWaitNanos()).isEqualTo(1_200 * MS);
    assertThat(l.open()).isFalse();
    // a lockout of 0.1 s still reads 1 s (as servers say Retry-After: 1 for any wait under a second)
    assertThat(lockout(l, 5_000, 5_000, 5_200)).isEqualTo(S);
  }

  @Test
  void refusalsOfRequestsSentBeforeTheLockoutAreNotItsOwn() {
    SilentLockout l = new SilentLockout();
    l.start(1, T0 + S, T0 + S + 50 * MS, 100);
    assertThat(l.refused(T0 + S - MS)).isFalse();
    // and an admission of a request sent before the refusal was answered does not end it
    assertThat(l.endsWith(T0 + S + 20 * MS)).isFalse();
  }

  @Test
  void lockoutsEndingOnTheBoundariesOfTwoSecondWindowsFitThem() {
    // Given lockouts that ended at 3 s, 5 s and 9 s after T0 (give or take a try's spacing)
    SilentLockout l = new SilentLockout();
    lockout(l, 2_500, 2_950, 3_100);
    lockout(l, 4_200, 4_900, 5_050);
    assertThat(l.endsFit(2 * S)).isFalse(); // two say too little
    lockout(l, 8_400, 8_970, 9_200);
    // Then windows of 2 s fit them, and windows of 1 s too
    assertThat(l.endsFit(2 * S)).isTrue();
    assertThat(l.endsFit(S)).isTrue();
  }

  @Test
  void lockoutsEndingInConsecutiveSecondsFitNoTwoSecondWindows() {
    // Given lockouts that ended at 3 s, 4 s and 6 s (a window of 1 s refusing in consecutive windows)
    SilentLockout l = new SilentLockout();
    lockout(l, 2_500, 2_950, 3_100);
    lockout(l, 3_600, 3_950, 4_100);
    lockout(l, 5_700, 5_950, 6_100);
    // Then they fit windows of 1 s only
    assertThat(l.endsFit(2 * S)).isFalse();
    assertThat(l.endsFit(S)).isTrue();
  }
}
