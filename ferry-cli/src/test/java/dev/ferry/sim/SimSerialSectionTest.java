package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SimSerialSectionTest {

  @Test
  void aSecondCallerWaitsWhileTheFirstHoldsTheLockAndTheWaitIsMeasured() throws Exception {
    // Given: the first caller holds the lock, stuck in its (gated) sleep
    ManualClock clock = new ManualClock();
    SerialSection section = new SerialSection(Duration.ofMillis(10), clock);
    clock.closeGate();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Long> first = executor.submit(section::pass);
      while (clock.sleeps().isEmpty()) {
        Thread.sleep(1);
      }
      Future<Long> second = executor.submit(section::pass);
      while (section.queueLength() == 0) {
        Thread.sleep(1);
      }

      // When: 7 ms of virtual time pass before the first lets go
      clock.advance(Duration.ofMillis(7));
      clock.openGate();

      // Then
      assertThat(first.get()).isZero();
      assertThat(second.get()).isEqualTo(Duration.ofMillis(7).toNanos());
      assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(10));
    }
  }

  @Test
  void aZeroHoldTakesNoLockAndNoTime() throws Exception {
    ManualClock clock = new ManualClock();

    assertThat(new SerialSection(Duration.ZERO, clock).pass()).isZero();
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void everyAdmittedApiCallPassesTheSectionAndTheServerReportsTheWait() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().serialTime(Duration.ofMillis(3)).build();
    try (SimServer server = SimServer.start(config, clock);
        SimTestClient client = new SimTestClient(server);
        SimTestClient anonymous = new SimTestClient(server, null)) {
      client.get("/user_management/users");
      client.post("/organizations", "{\"name\":\"A\"}");
      anonymous.get("/user_management/users"); // 401: refused before the section

      assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(3), Duration.ofMillis(3));
      assertThat(server.stats().serialWait()).isEqualTo(Duration.ZERO); // no contention in virtual time
    }
  }
}
