package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rate learner driven by synthetic admissions and 429s in virtual time. */
class RateLearnerTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = 7_000 * S;

  /** {@code n} admissions spread evenly over [from, to) seconds after T0. */
  private static double admit(RateLearner l, int n, double from, double to, boolean waited) {
    double r = l.rate();
    for (int i = 0; i < n; i++) {
      long sent = T0 + (long) ((from + (to - from) * i / n) * S);
      r = l.onAdmitted(sent, sent + 200_000_000L, waited);
    }
    return r;
  }

  @Test
  void rampsTheInitialPaceWhileItIsTheBottleneck() {
    // Given a learner starting at 50/s
    RateLearner l = RateLearner.of(50, 2, 0.98, Duration.ofSeconds(20), 0.5);
    // When requests answered in 200 ms wait for the pacer for a second
    double r = admit(l, 100, 0, 1.0, true);
    // Then the pace grew by about exp(0.05 s / 0.2 s) (the last 100 ms step is still open)
    assertThat(r).isBetween(50 * Math.exp(0.25 * 0.85), 50 * Math.exp(0.25));
    // When the pacer is not the bottleneck for the next seconds
    double before = admit(l, 50, 1.0, 1.5, false); // (the step open at 1 s still counts waits)
    r = admit(l, 100, 1.5, 3.5, false);
    // Then it does not grow
    assertThat(r).isEqualTo(before);
    assertThat(l.ramping()).isTrue();
  }

  @Test
  void noneRampsFromTheEstimateOfItsFirst429AgainstAShortWindow() {
    // Given --rate-limit none, whose unpaced start got 5 requests through in 10 ms before a 429 with Retry-After: 1
    RateLearner l = RateLearner.unlimitedUntilRefused();
    admit(l, 5, 0, 0.01, false);
    double first = l.onThrottled(T0 + 10_000_000L, T0 + 15_000_000L, S);
    // Then it paces at the burst's estimate, learned from a 429 (not the ramp before any)
    assertThat(first).isFinite().isLessThan(15);
    assertThat(l.ramping()).isFalse();
    // When requests answered in 200 ms wait for that pace for a second after the pause
    int n = (int) Math.ceil(first);
    double r = admit(l, n, 1.1, 2.1, true);
    // Then it ramps from there, as auto ramps from 50/s (the estimate of a burst is not the limit)
    assertThat(r).isGreaterThan(first * 1.2);
  }

  @Test
  void doesNotRampAPaceNobodyUses() {
    // Given a learner at 50/s
    RateLearner l = RateLearner.of(50, 2, 0.98, Duration.ofSeconds(20), 0.5);
    // When requests flagged as having waited (a few microseconds behind a burst) use a fifth of the pace
    double r = admit(l, 30, 0, 3, true);
    // Then the pace does not grow: it is not the bottleneck
    assertThat(r).isEqualTo(50.0);
  }

  @Test
  void rampsInSmallStepsNotOnceASecond() {
    // Given a learner starting at 50/s, waited on by requests answered in 200 ms
    RateLearner l = RateLearner.of(50, 2, 0.98, Duration.ofSeconds(20), 0.5);
    // When 250 ms have passed
    double r = admit(l, 50, 0, 0.25, true);
    // Then the pace has already grown (a step is 100 ms: exp(0.25)^0.1 each)
    assertThat(r).isGreaterThan(50 * Math.exp(0.25 * 0.1) - 1e-9).isLessThan(50 * Math.exp(0.25 * 0.25));
  }

  @Test
  void rampsAtMostTheMaximumFactorWhenAnswersAreFast() {
    // Given a learner allowed to grow at most ×2 a second
    RateLearner l = RateLearner.of(50, 2, 0.98, Duration.ofSeconds(20), 0.5);
    double r = 0;
    // When answers take 2 ms (the budget alone would allow exp(25) a second) for a second
    for (int i = 0; i <= 100; i++) {
      long sent = T0 + i * 10_000_000L;
      r = l.onAdmitted(sent, sent + 2_000_000L, true);
    }
    // Then it doubled, no more
    assertThat(r).isEqualTo(100.0, offset(1e-6));
  }

  @Test
  void byDefaultAFastTargetIsRampedSixteenfoldASecond() {
    // Given the default learner (50/s), and answers in 5 ms
    RateLearner l = RateLearner.withDefaults();
    double r = l.rate();
    // When requests are sent at the pace (waiting for it) for a second
    long sent = T0;
    while (sent <= T0 + S) {
      r = l.onAdmitted(sent, sent + 5_000_000L, true);
      sent += (long) (S / r);
    }
    // Then the pace is about 16 times what it was (the last 100 ms step is still open)
    assertThat(r).isBetween(50 * Math.pow(16, 0.85), 800.0 + 1e-6);
  }

  @Test
  void theFirst429OfASlidingWindowGivesItsRate() {
    // Given 500 admissions in the first 4 s (a sliding window of 500 per 10 s now full)
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 500, 0, 4, false);
    // When a request sent at 4 s is refused until the oldest admission leaves the window (6 s later)
    double r = l.onThrottled(T0 + 4 * S, T0 + 4 * S, 6 * S);
    // Then the estimate is 500 / 10 s = 50/s, paced at 98 % of it
    assertThat(r).isEqualTo(49.0, offset(0.01));
    assertThat(l.ramping()).isFalse();
  }

  @Test
  void theFirst429OfATokenBucketGivesItsRate() {
    // Given a bucket of 50 (one second at 50/s) drained at once, then refilled at 50/s for 3 s
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 50, 0, 0.01, false);
    admit(l, 150, 0.01, 3, false);
    // When the next request is refused with a Retry-After of 1.2 s (an HTTP date, or headers in milliseconds)
    double r = l.onThrottled(T0 + 3 * S, T0 + 3 * S, 1_200_000_000L);
    // Then (50 + 150) / (3 s + 1.2 s) = 47.6/s
    assertThat(r).isEqualTo(200 / 4.2 * 0.98, offset(0.01));
  }

  @Test
  void anIdleStretchDoesNotDragTheEstimateDown() {
    // Given 30 s at 10/s, then 10 s saturating a 50/s limit
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 300, 0, 30, false);
    admit(l, 500, 30, 40, false);
    // When a 429 comes with Retry-After 1 s
    double r = l.onThrottled(T0 + 40 * S, T0 + 40 * S, S);
    // Then the 10 s look-back wins: 500 / 10.5 s, not 800 / 40.5 s (a whole-second Retry-After of 1 s was rounded
    // up from somewhere in (0, 1 s]: it counts as half a second)
    assertThat(r).isEqualTo(500 / 10.5 * 0.98, offset(0.01));
  }

  @Test
  void againstAShortWindowARefusedPaceDropsNoLowerThanWhatTheLastSecondAdmitted() {
    // Given a 1 s window's first 429 (pace 200 / 1.5 s × 0.98), an idle stretch, then a second at that pace
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(2), 0.5);
    admit(l, 200, 0, 1, false);
    double learned = l.onThrottled(T0 + S, T0 + S, S);
    admit(l, 131, 5, 6, false);
    // When it is refused (Retry-After 1 s): the look-backs say at most 131 / 1.5 s, but 131 passed in the last second
    double r = l.onThrottled(T0 + 6 * S, T0 + 6 * S, S);
    // Then the pace drops the least step, 5 %, not to the rough estimate
    assertThat(r).isEqualTo(learned * 0.95, offset(1e-9));
  }

  @Test
  void aShortWholeSecondRetryAfterCountsAsHalfASecondShorterALongOneAsIs() {
    // Given a second of 300 admissions (a 1 s window), and another learner with 10 s of 50/s (a 10 s window)
    RateLearner shortWindow = RateLearner.of(1000, 2, 1.0, Duration.ofSeconds(20), 0.5);
    admit(shortWindow, 300, 0, 1, false);
    RateLearner longWindow = RateLearner.of(1000, 2, 1.0, Duration.ofSeconds(20), 0.5);
    admit(longWindow, 500, 0, 10, false);
    // When each is refused: Retry-After 1 s, and 5 s
    double fast = shortWindow.onThrottled(T0 + S, T0 + S, S);
    double slow = longWindow.onThrottled(T0 + 10 * S, T0 + 10 * S, 5 * S);
    // Then the short one is read as 0.5 s (300 / 1.5 s), the long one as it is (500 / 15 s)
    assertThat(fast).isEqualTo(200.0, offset(0.01));
    assertThat(slow).isEqualTo(500 / 15.0, offset(0.01));
    // and a Retry-After of 0 as it is: 300 / 1 s
    RateLearner now = RateLearner.of(1000, 2, 1.0, Duration.ofSeconds(20), 0.5);
    admit(now, 300, 0, 1, false);
    assertThat(now.onThrottled(T0 + S, T0 + S, 0)).isEqualTo(300.0, offset(0.01));
  }

  @Test
  void throttlesOfRequestsSentBeforeTheChangeAreIgnored() {
    // Given a learner that just reacted to a 429 answered at 4.2 s
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 500, 0, 4, false);
    double r = l.onThrottled(T0 + 4 * S, T0 + 4_200_000_000L, 6 * S);
    // When requests sent before that answer come back 429 too
    double again = l.onThrottled(T0 + 4_100_000_000L, T0 + 4_300_000_000L, 6 * S);
    // Then nothing changes
    assertThat(again).isEqualTo(r);
    assertThat(l.throttleEvents()).isEqualTo(1);
  }

  @Test
  void aLaterRefusalOfTheStretchWhoseRetryAfterSteppedDownTightensTheEstimate() {
    // Given 500 admitted over 7 s (a sliding log of 500 per 10 s whose first admission leaves at 10 s), and the first
    // refusal, sent at 7 s, told to wait 4 s (3 s rounded up): the estimate reads 500 over 11 s
    RateLearner l = RateLearner.withDefaults();
    admit(l, 500, 0, 7, false);
    double first = l.onThrottled(T0 + 7 * S, T0 + 7_200_000_000L, 4 * S);
    assertThat(first).isCloseTo(0.98 * 500 / 11, offset(0.01));
    // When a request of the same refused stretch, sent at 7.01 s, is told 4 s as well
    double same = l.onThrottled(T0 + 7_010_000_000L, T0 + 7_210_000_000L, 4 * S);
    // Then it changes nothing (it says no more than the first)
    assertThat(same).isEqualTo(first);
    // When one sent at 7.05 s is told 3 s: the wait's rounding stepped down, the quota is back by 10.05 s
    double later = l.onThrottled(T0 + 7_050_000_000L, T0 + 7_250_000_000L, 3 * S);
    // Then the pace rises to the estimate over that span (still one 429 event: the stretch's first)
    assertThat(later).isCloseTo(0.98 * 500 / 10.05, offset(0.01));
    assertThat(l.throttleEvents()).isEqualTo(1);
  }

  @Test
  void aRefusalOfARequestSentDuringTheLastRefusalsPauseIsIgnored() {
    // Given a pace learned from a 429 answered at 4 s with Retry-After 1 s
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 500, 0, 4, false);
    double learned = l.onThrottled(T0 + 4 * S, T0 + 4 * S, S);
    // When a request that held a permit from before the pause (or passed the pacer before the pause began) was sent at
    // 4.05 s, and is refused too
    double r = l.onThrottled(T0 + 4_050_000_000L, T0 + 4_100_000_000L, S);
    // Then it changes nothing: the first refusal accounted for it
    assertThat(r).isEqualTo(learned);
    assertThat(l.throttleEvents()).isEqualTo(1);
  }

  @Test
  void probesUpOnlyAfterAQuietIntervalAndFallsBackToTheLastSafePace() {
    // Given a pace learned at 49/s
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 500, 0, 4, false);
    double learned = l.onThrottled(T0 + 4 * S, T0 + 4 * S, 6 * S);
    // When it runs 20 s without a 429 while requests wait for the pacer
    double r = admit(l, 1000, 4.001, 24.5, true);
    // Then it becomes safe and the pace rises 2 %
    assertThat(r).isEqualTo(learned * 1.02, offset(1e-9));
    // and after another quiet interval 4 %
    r = admit(l, 1000, 24.5, 45, true);
    assertThat(r).isEqualTo(learned * 1.02 * 1.04, offset(1e-9));
    // When that probe is refused
    double after = l.onThrottled(T0 + 46 * S, T0 + 46 * S, S);
    // Then the pace goes back to the last safe one (or the estimate, when higher), not lower
    assertThat(after).isGreaterThanOrEqualTo(learned * 1.02 - 1e-9).isLessThan(learned * 1.02 * 1.04);
  }

  /** A learner that learned a pace from a refusal with Retry-After at 4 s, its answers taking 200 ms. */
  private static RateLearner learnedAtFourSeconds() {
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    admit(l, 500, 0, 4, false);
    l.onThrottled(T0 + 4 * S, T0 + 4 * S, 6 * S);
    return l;
  }

  @Test
  void withoutRetryAfterTheWaitIsReadFromWhenTheRefusalsStop() {
    // Given two learners that learned the same pace
    RateLearner silent = learnedAtFourSeconds();
    RateLearner told = learnedAtFourSeconds();
    long ms = 1_000_000L;
    // When a request sent at 11 s is refused without Retry-After, and so are the tries sent until 12 s
    double during = silent.onThrottled(T0 + 11 * S, T0 + 11 * S + 200 * ms, -1);
    silent.onThrottled(T0 + 11 * S + 500 * ms, T0 + 11 * S + 700 * ms, -1);
    silent.onThrottled(T0 + 12 * S, T0 + 12 * S + 200 * ms, -1);
    // Then meanwhile the tries go out two a round trip (10/s at 200 ms, under the pace learned), and
    // their refusals are the lockout's, not refusals of a pace found too fast
    assertThat(during).isEqualTo(10.0, offset(1e-9));
    assertThat(silent.throttleEvents()).isEqualTo(1);
    // When a request sent at 12.6 s is admitted
    double after = silent.onAdmitted(T0 + 12 * S + 600 * ms, T0 + 12 * S + 800 * ms, true);
    // Then the refusal is counted once, as if it had said Retry-After: 2 (it waited from 11 s to between 12 s and
    // 12.6 s: 1.3 s, rounded up as servers round it)
    double expected = told.onThrottled(T0 + 11 * S, T0 + 11 * S + 200 * ms, 2 * S);
    assertThat(after).isEqualTo(expected, offset(1e-9));
    assertThat(silent.throttleEvents()).isEqualTo(2);
    // and a refusal of a try sent before that admission, answered late, is still the lockout's
    assertThat(silent.onThrottled(T0 + 12 * S + 300 * ms, T0 + 12 * S + 900 * ms, -1)).isEqualTo(after);
    assertThat(silent.throttleEvents()).isEqualTo(2);
  }

  @Test
  void aRefusalSentBeforeTheLockoutBeganAndAnsweredAfterItStartsNoOtherOne() {
    // Given two learners that learned the same pace, and a refusal without Retry-After sent at 11 s (answered 11.2 s)
    RateLearner silent = learnedAtFourSeconds();
    RateLearner told = learnedAtFourSeconds();
    long ms = 1_000_000L;
    silent.onThrottled(T0 + 11 * S, T0 + 11 * S + 200 * ms, -1);
    // When a request sent at 10.9 s is refused, answered after it (another connection, slower)
    silent.onThrottled(T0 + 10 * S + 900 * ms, T0 + 11 * S + 300 * ms, -1);
    // and one sent at 12 s is admitted
    double after = silent.onAdmitted(T0 + 12 * S, T0 + 12 * S + 200 * ms, true);
    // Then the lockout begun at 11 s is read (0.5 s: Retry-After 1), from the pace it began at, not from the tries'
    assertThat(after).isEqualTo(told.onThrottled(T0 + 11 * S, T0 + 11 * S + 200 * ms, S), offset(1e-9));
  }

  @Test
  void anAdmissionOfARequestSentBeforeTheRefusalWasAnsweredDoesNotEndTheLockout() {
    // Given a learned pace, and a request sent at 11 s refused without Retry-After, answered at 11.2 s
    RateLearner l = learnedAtFourSeconds();
    long ms = 1_000_000L;
    double during = l.onThrottled(T0 + 11 * S, T0 + 11 * S + 200 * ms, -1);
    // When a request sent at 11.1 s (in flight when the refusal came) is admitted
    double r = l.onAdmitted(T0 + 11 * S + 100 * ms, T0 + 11 * S + 300 * ms, true);
    // Then the lockout goes on (the client knew nothing of it when it sent that request): no refusal counted yet
    assertThat(r).isEqualTo(during);
    assertThat(l.throttleEvents()).isEqualTo(1);
  }

  @Test
  void neverProposesLessThanTheMinimum() {
    RateLearner l = RateLearner.of(1, 2, 0.98, Duration.ofSeconds(20), 0.5);
    for (int i = 0; i < 10; i++) l.onThrottled(T0 + i * S, T0 + i * S, -1);
    assertThat(l.rate()).isEqualTo(0.5);
  }

  @Test
  void readsDoNotInflateTheEstimateOfARefusedWrite() {
    // Given 500 writes and 300 reads admitted in 4 s
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(20), 0.5);
    for (int i = 0; i < 500; i++) {
      long sent = T0 + i * 8_000_000L;
      l.onAdmitted(sent, sent + 1_000_000, false, true);
      if (i % 5 < 3) l.onAdmitted(sent + 1, sent + 1_000_000, false, false);
    }
    // When a write is refused until the window frees (6 s)
    double r = l.onThrottled(T0 + 4 * S, T0 + 4 * S, 6 * S, true);
    // Then the estimate counts the writes only
    assertThat(r).isEqualTo(49.0, offset(0.01));
  }

  @Test
  void probesStopNearTheLowestRefusedPaceUntilItCreptAway() {
    // Given a pace learned at 49/s whose probe to 49.98/s was refused (the ceiling)
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(12), 0.5);
    admit(l, 500, 0, 4, false);
    double learned = l.onThrottled(T0 + 4 * S, T0 + 4 * S, 6 * S);
    double probe = admit(l, 800, 4.001, 16.5, true);
    assertThat(probe).isEqualTo(learned * 1.02, offset(1e-9));
    double back = l.onThrottled(T0 + 17 * S, T0 + 17 * S, S);
    assertThat(back).isEqualTo(learned, offset(1e-9));
    // When it runs quietly again: within 5 % of the ceiling a probe would gain too little for a refusal
    double next = admit(l, 800, 17.001, 29.5, true);
    assertThat(next).isEqualTo(learned, offset(1e-9));
    // and the refused probe slowed the creep to a quarter (0.125 % an interval): 20 intervals later still no probe,
    double still = admit(l, 20000, 29.5, 29.5 + 12.5 * 20, true);
    assertThat(still).isEqualTo(learned, offset(1e-9));
    // but once it crept past 5 % above the pace, probes go halfway to it (a limit that rose is found again)
    double later = admit(l, 20000, 29.5 + 12.5 * 20, 29.5 + 12.5 * 40, true);
    assertThat(later).isGreaterThan(learned).isLessThan(learned * 1.05);
  }

  @Test
  void anInitialPaceRefusedAtOnceRampsOnFromTheEstimateUnderIt() {
    // Given --rate-limit auto (50/s) against a limit far under it: three admissions, then a refusal 80 ms in
    RateLearner l = RateLearner.withDefaults();
    admit(l, 3, 0, 0.06, true);
    double learned = l.onThrottled(T0 + 80_000_000L, T0 + 130_000_000L, S);
    // Then the pace is the estimate of those few admissions (3 / 0.58 s, at 98 %)
    assertThat(learned).isEqualTo(3 / 0.58 * 0.98, offset(0.01));
    // When requests wait for that pace for a second after the pause
    double r = admit(l, (int) Math.ceil(learned), 1.2, 2.2, true);
    // Then it ramps on from there (it once stayed, then rose 32 % every 2.5 s: 25 s back to a one-token bucket's 30/s)
    assertThat(r).isGreaterThan(1.2 * learned);
    // and the ramp ends at 98 % of the refused pace, whatever it would have grown to
    for (int second = 2; second < 20; second++) r = admit(l, (int) Math.ceil(r), second + 0.2, second + 1.2, true);
    assertThat(r).isLessThanOrEqualTo(50 * 0.98 * 1.01);
    assertThat(r).isGreaterThan(40);
  }

  /** Requests sent at the learner's pace (each waited for it) from {@code from} to {@code to} s; the pace then. */
  private static double paced(RateLearner l, double from, double to) {
    for (double t = from; t < to; t += 1 / l.rate()) {
      long sent = T0 + (long) (t * S);
      l.onAdmitted(sent, sent + 200_000_000L, true);
    }
    return l.rate();
  }

  @Test
  void aCeilingLoweredUnderAPaceTheTargetBoreGoesBackToItOnceTheRefusalsStop() {
    // Given a pace learned at about 49/s that held for a minute (12 s probe intervals, a 10 s window's Retry-After)
    RateLearner l = RateLearner.of(1000, 2, 0.98, Duration.ofSeconds(12), 0.5);
    admit(l, 500, 0, 4, false);
    double learned = l.onThrottled(T0 + 4 * S, T0 + 4 * S, 6 * S);
    double t = 4.001;
    double bore = paced(l, t, t += 60);
    // When another client takes half of the limit for a minute: the paces that held are refused, one after another
    for (int i = 0; i < 6; i++) {
      long sent = T0 + (long) (t * S);
      l.onThrottled(sent, sent + 200_000_000L, 6 * S);
      t += 6.2;
      paced(l, t, t += 4);
    }
    double shared = l.rate();
    assertThat(shared).isLessThan(0.6 * bore);
    // and then stops: nothing is refused any more
    double back = t;
    while (back < t + 300 && l.rate() < 0.9 * bore) paced(l, back, back += 1);
    System.out.printf("learned %.1f, bore %.1f, shared %.1f, 90 %% again after %.0f s%n", learned, bore, shared,
        back - t);
    // Then the pace is back at 90 % of what the target bore within two minutes
    assertThat(back - t).isLessThanOrEqualTo(120);
  }
}
