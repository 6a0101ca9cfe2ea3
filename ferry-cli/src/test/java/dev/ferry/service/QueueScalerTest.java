package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The concurrency target's rules on their own, in virtual time (nanos passed in). */
class QueueScalerTest {
  private static final Duration PERIOD = Duration.ofSeconds(10);
  private static final long SECOND = 1_000_000_000L;

  @Test
  void fullClaimsDoubleTheTargetUpToTheCeiling() {
    QueueScaler s = new QueueScaler(1, () -> 20, PERIOD, 0);
    int inFlight = 0;
    StringBuilder targets = new StringBuilder();
    for (int round = 0; round < 7; round++) {
      int t = s.beforeClaim(inFlight, 0);
      targets.append(t).append(' ');
      s.afterClaim(t - inFlight, t - inFlight, 0); // the queue gives every slot asked for
      inFlight = t;
    }
    assertThat(targets.toString().strip()).isEqualTo("1 2 4 8 16 20 20");
  }

  @Test
  void aShortClaimStopsTheRiseAndAPeriodOfThemHalvesTheTarget() {
    QueueScaler s = new QueueScaler(2, () -> 64, PERIOD, 0);
    s.afterClaim(2, 2, 0);
    assertThat(s.beforeClaim(0, 0)).isEqualTo(4);
    s.afterClaim(4, 3, 0);
    assertThat(s.beforeClaim(0, 5 * SECOND)).isEqualTo(4);
    assertThat(s.beforeClaim(0, 10 * SECOND)).isEqualTo(2);
    assertThat(s.beforeClaim(0, 30 * SECOND)).as("the floor").isEqualTo(2);
  }

  @Test
  void aRoundThatAskedForNothingTeachesNothing() {
    QueueScaler s = new QueueScaler(1, () -> 8, PERIOD, 0);
    s.afterClaim(1, 0, 0);
    s.afterClaim(0, 0, 0);
    assertThat(s.beforeClaim(0, 0)).isEqualTo(1);
    s.afterClaim(1, 1, 0);
    s.afterClaim(0, 0, 0);
    assertThat(s.beforeClaim(1, 0)).isEqualTo(2);
  }

  @Test
  void aLowerCeilingTakesEffectAtOnce() {
    AtomicInteger ceiling = new AtomicInteger(32);
    QueueScaler s = new QueueScaler(1, ceiling::get, PERIOD, 0);
    for (int i = 0; i < 6; i++) s.afterClaim(s.beforeClaim(0, 0), s.target(), 0);
    assertThat(s.target()).isEqualTo(32);
    ceiling.set(5);
    assertThat(s.beforeClaim(0, 0)).isEqualTo(5);
    assertThat(s.ceiling()).isEqualTo(5);
    ceiling.set(0);
    assertThat(s.beforeClaim(0, 0)).as("at least one slot").isEqualTo(1);
  }
}
