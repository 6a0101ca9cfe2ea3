package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateShareTest {
  private final FakeTicker time = new FakeTicker();
  @TempDir
  Path dir;
  private JobStore store;

  @BeforeEach
  void job() {
    store = SqliteJobStore.open(dir.resolve("ferry.db"));
    store.createJob(new JobRecord("j", "workos-import", "/in.csv", 1, "00", 1, 1, "{}", JobStatus.RUNNING, "", 0, 0));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private RateShare share(String process, RateLimiter limiter) {
    return new RateShare(store, "j", process, limiter, 50, Duration.ofSeconds(2), time, time);
  }

  @Test
  void processesSplitThePaceAndTakeItBackWhenOneLeaves() {
    // Given two processes of one job, each with its own limiter at the full pace
    RateLimiter a = RateLimiter.smooth(50, time);
    RateLimiter b = RateLimiter.smooth(50, time);
    RateShare first = share("host-a:1", a);
    RateShare second = share("host-b:2", b);
    // When both beat
    assertThat(first.beat()).isEqualTo(1);
    assertThat(second.beat()).isEqualTo(2);
    assertThat(first.beat()).isEqualTo(2);
    // Then each paces at half
    assertThat(a.rate()).isCloseTo(25, within(1e-9));
    assertThat(b.rate()).isCloseTo(25, within(1e-9));
    // and a trimmed pace is split too
    first.setPace(40);
    assertThat(a.rate()).isCloseTo(20, within(1e-9));
    // When the second leaves, the first takes the whole pace at its next beat
    second.close();
    assertThat(first.beat()).isEqualTo(1);
    assertThat(a.rate()).isCloseTo(40, within(1e-9));
    assertThat(first.peakProcesses()).isEqualTo(2);
  }

  @Test
  void aProcessWithNothingToSendLeavesTheCountAndComesBackBeforeItSends() {
    // Given two processes pacing half of 50/s each
    RateLimiter a = RateLimiter.smooth(50, time);
    RateShare first = share("host-a:1", a);
    RateShare waiting = share("host-b:2", RateLimiter.smooth(50, time));
    first.beat();
    waiting.beat();
    assertThat(first.beat()).isEqualTo(2);
    // When the second has nothing left to claim and waits for the first's chunks (idle): it leaves the count, and a
    // leave twice is one
    waiting.leaveForNow();
    waiting.leaveForNow();
    // Then the first takes the whole pace at its next beat
    assertThat(first.beat()).isEqualTo(1);
    assertThat(a.rate()).isCloseTo(50, within(1e-9));
    // When the second takes a chunk over: it counts itself in again (2: it then waits joinWait before sending)
    assertThat(waiting.comeBack()).isEqualTo(2);
    assertThat(waiting.comeBack()).isEqualTo(2); // not away: nothing changes
    // Then the first is back at half at its next beat
    assertThat(first.beat()).isEqualTo(2);
    assertThat(a.rate()).isCloseTo(25, within(1e-9));
  }

  @Test
  void aProcessThatStopsBeatingIsForgottenAfterFiveMissedBeats() {
    RateLimiter a = RateLimiter.smooth(50, time);
    RateShare first = share("host-a:1", a);
    RateShare dead = share("host-b:2", RateLimiter.smooth(50, time));
    first.beat();
    dead.beat();
    assertThat(first.beat()).isEqualTo(2);
    // When the second is killed (no leave) and 9 s pass, it still counts; after 10 s it does not
    time.advance(Duration.ofSeconds(9));
    assertThat(first.beat()).isEqualTo(2);
    time.advance(Duration.ofMillis(1001));
    assertThat(first.beat()).isEqualTo(1);
    assertThat(a.rate()).isCloseTo(50, within(1e-9));
  }

  @Test
  void aProcessAloneLeavesItsLimiterAsItWas() {
    // Given a budget limiter (a setRate would turn it into pacing)
    RateLimiter budget = RateLimiter.forLimit(dev.ferry.core.limit.RateLimitSpec.parse("500/10s"), 1.0, time);
    RateShare alone = share("host-a:1", budget);
    assertThat(alone.beat()).isEqualTo(1);
    for (int i = 0; i < 500; i++) assertThat(budget.reserveNanos()).isZero();
  }
  @Test
  void aCountingShareKeepsTheCountTheLearnedPacesReadAndSetsNoLimiter() {
    // Given a job with no stated limit: one process counts, the other splits a stated pace
    RateShare counting = RateShare.counting(store, "j", "host-a:1", Duration.ofSeconds(2), time, time);
    RateLimiter b = RateLimiter.smooth(50, time);
    RateShare other = share("host-b:2", b);
    assertThat(counting.beat()).isEqualTo(1);
    assertThat(other.beat()).isEqualTo(2);
    // When the counting share beats, it sees both (a pace learned from headers then takes half)
    assertThat(counting.beat()).isEqualTo(2);
    assertThat(counting.processes()).isEqualTo(2);
    counting.setPace(80); // nothing to set: no limiter
    // When the other leaves, the count is 1 at the next beat
    other.close();
    assertThat(counting.beat()).isEqualTo(1);
    assertThat(counting.processes()).isEqualTo(1);
    assertThat(counting.peakProcesses()).isEqualTo(2);
  }

  @Test
  void aJoinerWaitsAPeriodAndAHalfSoTheOthersCountItFirstEvenWithALateBeat() {
    assertThat(share("host-a:1", RateLimiter.smooth(50, time)).joinWait()).isEqualTo(Duration.ofSeconds(3));
  }
}
