package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** The pace read from rate-limit headers, driven by synthetic answers in virtual time. */
class QuotaPaceTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long T0 = 5_000 * S;

  @Test
  void nothingIsKnownBeforeAQuotaStatesALimitAndAWindow() {
    QuotaPace p = new QuotaPace(0.985);
    assertThat(p.onQuota(T0, T0 + 10 * MS, new Quota(-1, 5, -1, -1), true, 0).pace()).isNaN();
    assertThat(p.statedRate()).isNaN();
  }

  @Test
  void aStatedWindowGivesTheRateAtOnce() {
    // Given the IETF policy 300 per 1 s
    QuotaPace p = new QuotaPace(0.985);
    // When the first answer comes
    QuotaPace.Step step = p.onQuota(T0, T0 + 50 * MS, new Quota(300, 299, S, S), true, 3);
    // Then the pace is 99.5 % of 300/s (a third of the 1.5 % headroom: a ring keeps the budget of 300 in any second
    // of the client's clock), no pause
    assertThat(step.pace()).isEqualTo(298.5, offset(1e-9));
    assertThat(step.pauseNanos()).isZero();
    assertThat(step.budgetPermits()).isEqualTo(300);
    assertThat(step.budgetWindowNanos()).isEqualTo(S);
    assertThat(p.statedRate()).isEqualTo(300.0, offset(1e-9));
  }

  @Test
  void withoutAStatedWindowTheLongestResetIsTheWindow() {
    QuotaPace p = new QuotaPace(1.0);
    // Given resets in whole seconds (rounded up already): 3 s, then 10 s right after a window began
    p.onQuota(T0, T0 + 20 * MS, new Quota(500, 400, 3 * S, -1), true, 0);
    QuotaPace.Step step = p.onQuota(T0 + 3 * S, T0 + 3 * S + 20 * MS, new Quota(500, 499, 10 * S, -1), true, 0);
    // Then the rate is 500 per 10 s
    assertThat(step.pace()).isEqualTo(50.0, offset(1e-9));
    // and a precise reset (a duration) is lengthened by the round trip the server measured it before the answer
    QuotaPace q = new QuotaPace(1.0);
    assertThat(q.onQuota(T0, T0 + 250 * MS, new Quota(100, 99, 750 * MS, -1), true, 0).pace())
        .isEqualTo(100.0, offset(1e-9));
  }

  @Test
  void aSpentFixedWindowHoldsEveryCallerUntilItsReset() {
    // Given a fixed window of 100 per 10 s whose reset instant stays put answer after answer
    QuotaPace p = new QuotaPace(0.985);
    p.onQuota(T0, T0 + 10 * MS, new Quota(100, 90, 10 * S, -1), true, 0);
    p.onQuota(T0 + 2500 * MS, T0 + 2510 * MS, new Quota(100, 60, 7500 * MS, -1), true, 0);
    // When an answer 3 s in says 5 are left and 8 were sent after that request
    QuotaPace.Step spent = p.onQuota(T0 + 3 * S, T0 + 3010 * MS, new Quota(100, 5, 7 * S, -1), true, 8);
    // Then every caller waits for the reset
    assertThat(spent.pauseNanos()).isEqualTo(7 * S);
    // When, later, 20 are left with 4 s to go
    QuotaPace.Step left = p.onQuota(T0 + 6 * S, T0 + 6010 * MS, new Quota(100, 20, 4 * S, -1), true, 0);
    // Then the pace spreads them to the reset (5/s), below the long-run rate
    assertThat(left.pace()).isEqualTo(5.0, offset(1e-9));
    assertThat(left.pauseNanos()).isZero();
  }

  @Test
  void atAFixedWindowTheBudgetLeftIsSpentToTheResetWithoutHeadroom() {
    // Given a fixed window of 100 per 10 s, confirmed (its reset instant stayed put for more than 2 s)
    QuotaPace p = new QuotaPace(0.985);
    p.onQuota(T0, T0 + 10 * MS, new Quota(100, 99, 10 * S, -1), true, 0);
    p.onQuota(T0 + 2500 * MS, T0 + 2510 * MS, new Quota(100, 90, 7500 * MS, -1), true, 0);
    // When 4 s in 60 are left for the 6 s to the reset (an earlier stretch used little)
    QuotaPace.Step step = p.onQuota(T0 + 4 * S, T0 + 4010 * MS, new Quota(100, 60, 6 * S, -1), true, 0);
    // Then the pace spends them by the reset: 10/s, not 98.5 % of it
    assertThat(step.pace()).isEqualTo(10.0, offset(1e-9));
    // and when more is left than the rate could spend, at most twice the rate
    QuotaPace.Step more = p.onQuota(T0 + 5 * S, T0 + 5010 * MS, new Quota(100, 100, 5 * S, -1), true, 0);
    assertThat(more.pace()).isEqualTo(20.0, offset(1e-9));
  }

  @Test
  void anOlderAnswerSaysNothingAboutWhatIsLeft() {
    QuotaPace p = new QuotaPace(1.0);
    p.onQuota(T0 + S, T0 + S + 10 * MS, new Quota(50, 40, 2 * S, 2 * S), true, 0);
    // an answer to a request sent earlier, arriving late, saying 0 left
    QuotaPace.Step late = p.onQuota(T0, T0 + S + 20 * MS, new Quota(50, 0, 2 * S, 2 * S), true, 0);
    assertThat(late.pauseNanos()).isZero();
    assertThat(late.pace()).isEqualTo(25.0, offset(1e-9));
  }

  @Test
  void readsAndWritesAreKeptApartAndTheLowerRateGoverns() {
    QuotaPace p = new QuotaPace(1.0);
    p.onQuota(T0, T0 + 10 * MS, new Quota(1000, 999, 10 * S, 10 * S), false, 0);
    QuotaPace.Step step = p.onQuota(T0, T0 + 10 * MS, new Quota(500, 499, 10 * S, 10 * S), true, 0);
    assertThat(step.pace()).isEqualTo(50.0, offset(1e-9));
    assertThat(p.statedRate()).isEqualTo(50.0, offset(1e-9));
  }

  @Test
  void theStatedBudgetIsKeptAndALateAnswerSaysHowLate() {
    // Given 120 per 2 s stated by its resets (no window), answered in 20 ms
    QuotaPace p = new QuotaPace(0.985);
    QuotaPace.Step first = p.onQuota(T0, T0 + 20 * MS, new Quota(120, 119, 1999 * MS, -1), true, 0);
    // Then the budget is 120 in the window (the precise reset lengthened by the round trip)
    assertThat(first.budgetPermits()).isEqualTo(120);
    assertThat(first.budgetWindowNanos()).isEqualTo(2019 * MS);
    // When an answer comes 60 ms later than the shortest round trip (a stall: the server counted it late)
    QuotaPace.Step late = p.onQuota(T0 + S, T0 + S + 80 * MS, new Quota(120, 60, 2 * S - 80 * MS, -1), true, 0);
    // Then the window stays, and the request is said to have been counted 60 ms late
    assertThat(late.budgetWindowNanos()).isEqualTo(2019 * MS);
    assertThat(late.countedLateNanos()).isEqualTo(60 * MS);
  }

  @Test
  void aFixedWindowsRemainingBudgetGovernsWithoutARing() {
    // Given 100 per fixed 10 s window, its reset instant staying put for more than 2 s
    QuotaPace p = new QuotaPace(0.985);
    p.onQuota(T0, T0 + 10 * MS, new Quota(100, 90, 7 * S, -1), true, 0);
    QuotaPace.Step step = p.onQuota(T0 + 3 * S, T0 + 3010 * MS, new Quota(100, 60, 4 * S, -1), true, 0);
    // Then no ring is asked for: what is left until the reset paces it
    assertThat(step.budgetPermits()).isZero();
  }
  @Test
  void oneOfTwoProcessesPacesHalfTheStatedRateAndKeepsHalfTheBudgetInItsRing() {
    // Given the IETF policy 300 per 1 s, read by one of the two processes of a distributed job
    QuotaPace p = new QuotaPace(0.985);
    // When the first answer comes
    QuotaPace.Step step = p.onQuota(T0, T0 + 50 * MS, new Quota(300, 299, S, S), true, 3, 2);
    // Then it paces half of what a process alone would (149.25/s), with half the budget in any second
    assertThat(step.pace()).isEqualTo(149.25, offset(1e-9));
    assertThat(step.budgetPermits()).isEqualTo(150);
    assertThat(step.budgetWindowNanos()).isEqualTo(S);
    // and the rate the target states is still the job's
    assertThat(p.statedRate()).isEqualTo(300.0, offset(1e-9));
  }

  @Test
  void atAFixedWindowEachProcessSpendsItsShareOfWhatTheJobHasLeft() {
    // Given a fixed window of 100 per 10 s, confirmed, read by one of two processes
    QuotaPace p = new QuotaPace(0.985);
    p.onQuota(T0, T0 + 10 * MS, new Quota(100, 99, 10 * S, -1), true, 0, 2);
    p.onQuota(T0 + 2500 * MS, T0 + 2510 * MS, new Quota(100, 90, 7500 * MS, -1), true, 0, 2);
    // When 4 s in the job has 60 left for the 6 s to the reset, and this process sent 2 the answer did not count
    QuotaPace.Step step = p.onQuota(T0 + 4 * S, T0 + 4010 * MS, new Quota(100, 60, 6 * S, -1), true, 2, 2);
    // Then it spends its share, 30 less its own 2, by the reset: 28 / 6 s (the other process spends the rest)
    assertThat(step.pace()).isEqualTo(28.0 / 6, offset(1e-9));
    // and at most twice its share of the rate when more is left than that could spend
    QuotaPace.Step more = p.onQuota(T0 + 5 * S, T0 + 5010 * MS, new Quota(100, 100, 5 * S, -1), true, 0, 2);
    assertThat(more.pace()).isEqualTo(10.0, offset(1e-9));
    // When its share is spent (7 left for two, 4 of its own in flight), it holds every caller until the reset
    QuotaPace.Step spent = p.onQuota(T0 + 6 * S, T0 + 6010 * MS, new Quota(100, 7, 4 * S, -1), true, 4, 2);
    assertThat(spent.pauseNanos()).isEqualTo(4 * S);
  }

  @Test
  void aProcessLeftAloneTakesTheWholeQuotaAtItsNextAnswer() {
    // Given a process that paced its half of 120 per 2 s while another ran the job too
    QuotaPace p = new QuotaPace(0.985);
    QuotaPace.Step shared = p.onQuota(T0, T0 + 20 * MS, new Quota(120, 100, 2 * S, 2 * S), true, 0, 2);
    assertThat(shared.pace()).isEqualTo(60 * 0.995 / 2, offset(1e-9));
    assertThat(shared.budgetPermits()).isEqualTo(60);
    // When the other left (the count is 1 at the next answer)
    QuotaPace.Step alone = p.onQuota(T0 + 100 * MS, T0 + 120 * MS, new Quota(120, 90, 2 * S, 2 * S), true, 0, 1);
    // Then it paces the whole of it again: what the other left unspent in the window is not lost
    assertThat(alone.pace()).isEqualTo(60 * 0.995, offset(1e-9));
    assertThat(alone.budgetPermits()).isEqualTo(120);
  }

  @Test
  void aShareNeedsAProcess() {
    QuotaPace p = new QuotaPace(0.985);
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> p.onQuota(T0, T0 + MS, new Quota(10, 9, S, S), true, 0, 0));
  }

  @Test
  void aFixedWindowsBoundaryFittedFromRemainingGovernsNotItsWholeSecondReset() {
    // Given 30 per 3 s stated (the IETF policy's w) with resets in whole seconds rounded up, and an answer whose
    // remaining jumped back up: a window began between T0 (the request before) and T0 + 120 ms (this answer)
    QuotaPace p = new QuotaPace(0.985);
    p.onQuota(T0, T0 + 20 * MS, new Quota(30, 1, S, 3 * S), true, 0);
    p.onQuota(T0 + 100 * MS, T0 + 120 * MS, new Quota(30, 29, 3 * S, 3 * S), true, 0);
    // When near that window's end 6 are left, the reset said as 1 s (the window ends 3 s after the boundary: 0.2 s on)
    QuotaPace.Step near = p.onQuota(T0 + 2800 * MS, T0 + 2820 * MS, new Quota(30, 6, S, 3 * S), true, 0);
    // Then they are spent by the earliest the window may end (6 in 180 ms, at most twice the rate: 20/s), not over
    // the second the reset says (6/s, which left most of them unspent when the window turned)
    assertThat(near.pace()).isEqualTo(20.0, offset(1e-9));
    assertThat(near.budgetPermits()).isZero();
    // and when the window is spent, every caller waits for the latest it may end (T0 + 3.12 s), not the whole second
    QuotaPace.Step spent = p.onQuota(T0 + 2900 * MS, T0 + 2920 * MS, new Quota(30, 0, S, 3 * S), true, 0);
    assertThat(spent.pauseNanos()).isEqualTo(200 * MS);
  }

  @Test
  void aRefusalOfAStatedBudgetTrimsThePaceOnceForTheRequestsInFlight() {
    // Given the IETF policy of a one-token bucket of 100/s (1 per 10 ms), 50 ms round trips, answered for 2 s
    QuotaPace p = new QuotaPace(0.985);
    Quota oneToken = new Quota(1, 0, 0, 10 * MS);
    double stated = p.onQuota(T0, T0 + 50 * MS, oneToken, true, 4).pace();
    p.onQuota(T0 + 2 * S, T0 + 2050 * MS, oneToken, true, 4);
    // When a request sent at 2 s is refused (arrivals bunched), and another sent before that answer came
    QuotaPace.Step trimmed = p.onRefused(T0 + 2 * S, T0 + 2050 * MS, true, 1);
    QuotaPace.Step again = p.onRefused(T0 + 2040 * MS, T0 + 2090 * MS, true, 1);
    // Then the pace is 5 % lower, once: the second was sent before the first refusal's answer
    assertThat(trimmed.pace()).isEqualTo(stated * 0.95, offset(1e-9));
    assertThat(trimmed.pauseNanos()).isZero();
    assertThat(again.pace()).isNaN();
    // and every answer after it paces at the trimmed pace, which 5 s without a refusal raise by 1 %
    assertThat(p.onQuota(T0 + 3 * S, T0 + 3050 * MS, oneToken, true, 4).pace()).isEqualTo(stated * 0.95, offset(1e-9));
    assertThat(p.onQuota(T0 + 7 * S, T0 + 7050 * MS, oneToken, true, 4).pace())
        .isEqualTo(stated * 0.95 * 1.01, offset(1e-9));
  }

  @Test
  void aRefusalOfTheColdStartOrAtAFixedWindowLeavesThePace() {
    // Given 10 per stated 1 s window, first answered at 100 ms
    QuotaPace p = new QuotaPace(0.985);
    p.onQuota(T0, T0 + 100 * MS, new Quota(10, 9, S, S), true, 0);
    // When a request sent within the first window after that answer is refused
    // Then it says nothing of bunching (callers left at the slots of the pace before): no trim
    assertThat(p.onRefused(T0 + 900 * MS, T0 + S, true, 1).pace()).isNaN();
    // Given a fixed window of 100 per 10 s whose reset instant stayed put (its budget and pauses govern)
    QuotaPace f = new QuotaPace(0.985);
    f.onQuota(T0, T0 + 10 * MS, new Quota(100, 90, 10 * S, -1), true, 0);
    f.onQuota(T0 + 2500 * MS, T0 + 2510 * MS, new Quota(100, 60, 7500 * MS, -1), true, 0);
    f.onQuota(T0 + 3 * S, T0 + 3010 * MS, new Quota(100, 50, 7 * S, -1), true, 0);
    // Then a refusal there leaves the pace too
    assertThat(f.onRefused(T0 + 3 * S, T0 + 3010 * MS, true, 1).pace()).isNaN();
  }
}
