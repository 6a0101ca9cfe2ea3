package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The Universal Scalability Law fit: exact recovery, the non-negative constraints, the peak. */
class BenchUslFitTest {
  private static List<UslFit.Point> points(UslFit law, int... workers) {
    return IntStream.of(workers).mapToObj(n -> new UslFit.Point(n, law.predict(n))).toList();
  }

  @Test
  void recoversSigmaAndKappaFromExactData() {
    // Given
    UslFit law = new UslFit(100, 0.05, 0.002, 1, 0);

    // When
    UslFit fit = UslFit.fit(points(law, 1, 2, 4, 8, 16, 32));

    // Then
    assertThat(fit.lambda()).isCloseTo(100, within(1e-9));
    assertThat(fit.sigma()).isCloseTo(0.05, within(1e-9));
    assertThat(fit.kappa()).isCloseTo(0.002, within(1e-9));
    assertThat(fit.rSquared()).isCloseTo(1, within(1e-9));
    assertThat(fit.peakWorkers()).isCloseTo(Math.sqrt(0.95 / 0.002), within(1e-6));
    assertThat(fit.peakThroughput()).isCloseTo(law.predict(Math.sqrt(0.95 / 0.002)), within(1e-6));
  }

  @Test
  void amdahlDataHasNoCoherencyAndNoPeak() {
    // Given: σ only
    UslFit law = new UslFit(10, 0.1, 0, 1, 0);

    // When
    UslFit fit = UslFit.fit(points(law, 1, 2, 4, 8, 16));

    // Then
    assertThat(fit.sigma()).isCloseTo(0.1, within(1e-9));
    assertThat(fit.kappa()).isZero();
    assertThat(fit.peakWorkers()).isInfinite();
    assertThat(fit.peakThroughput()).isCloseTo(100, within(1e-9));
  }

  @Test
  void superlinearDataIsClampedToZeroAndZero() {
    // Given: better than linear (σ and κ would come out negative)
    List<UslFit.Point> pts = List.of(new UslFit.Point(1, 10), new UslFit.Point(2, 22), new UslFit.Point(4, 47));

    // When
    UslFit fit = UslFit.fit(pts);

    // Then
    assertThat(fit.sigma()).isZero();
    assertThat(fit.kappa()).isZero();
    assertThat(fit.predict(4)).isCloseTo(40, within(1e-9));
  }

  @Test
  void aNegativeUnconstrainedSigmaFallsBackToKappaOnly() {
    // Given: κ-only data with noise that pushes the free σ below zero
    UslFit law = new UslFit(10, 0, 0.01, 1, 0);
    List<UslFit.Point> pts = List.of(new UslFit.Point(1, 10), new UslFit.Point(2, law.predict(2) * 1.02),
        new UslFit.Point(4, law.predict(4) * 1.01), new UslFit.Point(8, law.predict(8)),
        new UslFit.Point(16, law.predict(16)));

    // When
    UslFit fit = UslFit.fit(pts);

    // Then
    assertThat(fit.sigma()).isGreaterThanOrEqualTo(0);
    assertThat(fit.kappa()).isCloseTo(0.01, within(0.002));
  }

  @Test
  void theSmallestRungGivesLambdaWhenTheLadderDoesNotStartAtOne() {
    // Given
    List<UslFit.Point> pts = List.of(new UslFit.Point(4, 40), new UslFit.Point(2, 20), new UslFit.Point(8, 80));

    // When
    UslFit fit = UslFit.fit(pts);

    // Then
    assertThat(fit.lambda()).isCloseTo(10, within(1e-9));
    assertThat(fit.sigma()).isZero();
  }

  @Test
  void refusesEmptyOrNonPositiveInput() {
    assertThatThrownBy(() -> UslFit.fit(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UslFit.fit(List.of(new UslFit.Point(1, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
