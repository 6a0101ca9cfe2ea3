package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Fitting fixed windows to the send times of admitted and refused requests, with model targets counting each way and a
 * client that sends at an even pace, pausing a second (Retry-After) after each refusal's answer.
 */
class FixedWindowFitTest {
  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000 * S;

  /** How a model target counts. */
  private interface Target {
    /** Whether a request arriving at {@code t} is admitted. */
    boolean admit(long t);
  }

  private static Target fixed(int quota, long windowNanos, long phaseNanos) {
    return new Target() {
      long window = Long.MIN_VALUE;
      int used;

      @Override
      public boolean admit(long t) {
        long w = Math.floorDiv(t - T0 - phaseNanos, windowNanos);
        if (w != window) {
          window = w;
          used = 0;
        }
        return used < quota && ++used > 0;
      }
    };
  }

  private static Target sliding(int quota, long windowNanos) {
    ArrayDeque<Long> log = new ArrayDeque<>();
    return t -> {
      while (!log.isEmpty() && log.peekFirst() <= t - windowNanos) log.pollFirst();
      if (log.size() >= quota) return false;
      log.addLast(t);
      return true;
    };
  }

  private static Target bucket(double rate, double burst) {
    long interval = (long) (S / rate);
    long capacity = (long) (burst * interval);
    long[] tat = {T0};
    return t -> {
      long next = Math.max(tat[0], t) + interval;
      if (next - t > capacity) return false;
      tat[0] = next;
      return true;
    };
  }

  /**
   * Sends at {@code paces[i]} per second during its i-th stretch between refusals (the last pace from then on) for
   * {@code seconds}, answered after {@code latency}; a refusal's answer pauses sending for a second, and only the first
   * refusal of a stretch is reported as one.
   */
  private static FixedWindowFit drive(Target target, double[] paces, double seconds, long latency) {
    FixedWindowFit fit = new FixedWindowFit();
    long end = T0 + (long) (seconds * S);
    int stretch = 0;
    long pauseFrom = Long.MAX_VALUE;
    long pauseTo = Long.MIN_VALUE;
    for (long t = T0; t < end; t += (long) (S / paces[Math.min(stretch, paces.length - 1)])) {
      if (t >= pauseFrom && t < pauseTo) t = pauseTo;
      if (target.admit(t)) {
        fit.admitted(t);
      } else if (t >= pauseTo) { // the first refusal since the last pause (the later ones were sent before its answer)
        fit.refused(t);
        pauseFrom = t + latency;
        pauseTo = pauseFrom + S;
        stretch++;
      }
    }
    return fit;
  }

  @ParameterizedTest(name = "{0} per {1} s, windows from {2} ms, paces {3} then {4}")
  @CsvSource({
      "10, 1, 0, 14, 12", "10, 1, 450, 20, 12",
      "200, 1, 0, 320, 230", "200, 1, 370, 320, 230", "200, 1, 850, 260, 300",
      "1000, 1, 150, 1500, 1150", "5000, 1, 700, 8000, 6000", "400, 2, 300, 300, 260"})
  void twoRefusalsGiveAFixedWindowsQuotaWhateverItsPhase(int quota, int windowSeconds, long phaseMs, double first,
      double second) {
    // Given fixed windows of `quota`, beginning anywhere, and a client refused twice at two different paces
    FixedWindowFit fit = drive(fixed(quota, windowSeconds * S, phaseMs * MS), new double[] {first, second}, 8,
        50 * MS);
    // When it fits fixed windows of that length
    FixedWindowFit.Counts counts = fit.perWindow(windowSeconds * S);
    // Then the count is the quota (within the tolerance of a percent the fit allows)
    assertThat(counts).isNotNull();
    assertThat(counts.agree()).isTrue();
    assertThat((double) counts.least()).isBetween(quota * 0.975 - 1, quota * 1.0);
    assertThat((double) counts.most()).isBetween(quota * 1.0, quota * 1.025 + 1);
  }

  @Test
  void oneRefusalFitsNothing() {
    // Given a fixed window refusing once
    FixedWindowFit fit = drive(fixed(200, S, 0), new double[] {300, 150}, 6, 50 * MS);
    // Then no count fits: any phase would
    assertThat(fit.perWindow(S)).isNull();
  }

  @Test
  void keepsFittingOnceTheOldestAdmissionsAreForgotten() {
    // Given fixed windows of 5,000 a second refused for 40 s at paces that change after each refusal (about 200,000
    // admissions: more than are kept)
    double[] paces = new double[40];
    for (int i = 0; i < paces.length; i++) paces[i] = i % 2 == 0 ? 8000 - 50 * i : 5600 + 40 * i;
    FixedWindowFit fit = drive(fixed(5000, S, 250 * MS), paces, 40, 20 * MS);
    // When it fits them
    FixedWindowFit.Counts counts = fit.perWindow(S);
    // Then the refusals whose windows are still kept give the quota
    assertThat(counts).isNotNull();
    assertThat(counts.agree()).isTrue();
    assertThat((double) counts.least()).isBetween(5000 * 0.975, 5000.0);
  }

  @ParameterizedTest(name = "sliding {0} per 1 s, paces {1} then {2}")
  @CsvSource({"300, 400, 330", "10, 14, 12", "200, 260, 300"})
  void aSlidingLogNeverFitsMoreThanItsLimit(int quota, double first, double second) {
    // Given a sliding log refusing several times
    FixedWindowFit fit = drive(sliding(quota, S), new double[] {first, second}, 10, 50 * MS);
    // When it is fitted to fixed windows of the same length
    FixedWindowFit.Counts counts = fit.perWindow(S);
    // Then whatever fits is no more than the limit (a part of the log's window admitted no more than the log)
    if (counts != null) assertThat(counts.least()).isLessThanOrEqualTo(quota);
  }

  @Test
  void aWindowBeforeTheFirstRefusalThatAdmittedMoreRulesAPhaseOut() {
    // Given a sliding log of 10 s run out late in a ramp at 250/s (its oldest admissions leave soon after: a Retry-After
    // of 2 s, read as a window that short), and refused again 22 admissions after the pause, when the log still held
    // the ramp's: under windows of 2 s from 0, both refused windows admitted 22 before their refusal and nothing after
    FixedWindowFit fit = new FixedWindowFit();
    long firstRefusal = T0 + 8 * S + 88 * MS;
    for (long t = T0; t < firstRefusal; t += 4 * MS) fit.admitted(t); // 250/s
    fit.refused(firstRefusal);
    long resumed = T0 + 10 * S;
    long secondRefusal = resumed + 22 * (S / 230);
    for (long t = resumed; t < secondRefusal; t += S / 230) fit.admitted(t);
    fit.refused(secondRefusal);
    // When it is fitted to fixed windows of 2 s
    FixedWindowFit.Counts counts = fit.perWindow(2 * S);
    // Then no count fits: the window before the first refused one admitted 500, and a fixed window never admits more
    // than its quota (with only the refused windows checked, 22 fitted: a pace of a tenth of the log's limit)
    assertThat(counts).isNull();
  }

  @ParameterizedTest(name = "bucket {0}/s, burst {1} s, paces {2} then {3}")
  @CsvSource({"100, 1, 180, 130", "1000, 0.01, 1500, 1200"})
  void aTokenBucketRefusedAgainAndAgainFitsNoFixedWindow(double rate, double burst, double first, double second) {
    // Given a token bucket refusing several times at paces above its rate
    FixedWindowFit fit = drive(bucket(rate, burst), new double[] {first, second}, 12, 50 * MS);
    // When it is fitted to fixed windows of a second
    FixedWindowFit.Counts counts = fit.perWindow(S);
    // Then no count fits, or not one above the rate (what it admits over a second)
    if (counts != null && counts.agree()) assertThat((double) counts.least()).isLessThanOrEqualTo(rate * 1.02);
  }
}
