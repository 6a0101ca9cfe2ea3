package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /__timeline} and the latency schedule, in virtual time. */
class SimTimelineTest {
  private static final String USERS = "/user_management/users";

  private static SimTestClient.Reply createUser(SimTestClient client, int i) throws Exception {
    return client.post(USERS, "{\"email\":\"t" + i + "@example.com\"}");
  }

  @Test
  void countsCallsAnd429sPerSecondSinceTheStart() throws Exception {
    // Given a limit of 2 writes per 10 s window
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().writeRateLimit(0.2).rateWindow(Duration.ofSeconds(10)).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      // When 3 writes arrive in second 0 and 2 in second 2
      for (int i = 0; i < 3; i++) createUser(client, i);
      clock.advance(Duration.ofMillis(2_100));
      for (int i = 3; i < 5; i++) createUser(client, i);

      // Then the timeline has seconds 0..2 with what arrived and what was refused in each
      JsonNode seconds = client.get("/__timeline").json().path("seconds");
      assertThat(seconds).hasSize(3);
      assertThat(seconds.get(0).path("second").asInt()).isZero();
      assertThat(seconds.get(0).path("requests").asLong()).isEqualTo(3);
      assertThat(seconds.get(0).path("rate_limited").asLong()).isEqualTo(1);
      assertThat(seconds.get(1).path("requests").asLong()).isZero();
      assertThat(seconds.get(2).path("requests").asLong()).isEqualTo(2);
      assertThat(seconds.get(2).path("rate_limited").asLong()).isEqualTo(2);
      // and admin calls are not counted
      assertThat(server.stats().requests()).isEqualTo(5);
    }
  }

  @Test
  void aResetStartsTheTimelineAgain() throws Exception {
    ManualClock clock = new ManualClock();
    try (SimServer server = SimServer.start(SimConfig.builder().build(), clock);
        SimTestClient client = new SimTestClient(server)) {
      // Given calls over 5 s
      createUser(client, 0);
      clock.advance(Duration.ofSeconds(5));
      createUser(client, 1);
      // When the simulator is reset and one more call arrives
      client.post("/__reset", "");
      createUser(client, 2);
      // Then the timeline holds only that call, in second 0
      JsonNode seconds = client.get("/__timeline").json().path("seconds");
      assertThat(seconds).hasSize(1);
      assertThat(seconds.get(0).path("requests").asLong()).isEqualTo(1);
    }
  }

  @Test
  void theLatencyScheduleChangesTheDelayAtEachStep() throws Exception {
    // Given 200 ms at first, 400 ms from 40 s, 200 ms again from 80 s (counted from the start)
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().latency(Duration.ofMillis(100)).latencySchedule(List.of(
        new LatencyStep(Duration.ZERO, Duration.ofMillis(200)),
        new LatencyStep(Duration.ofSeconds(40), Duration.ofMillis(400)),
        new LatencyStep(Duration.ofSeconds(80), Duration.ofMillis(200)))).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      // When calls arrive at 0 s, 39 s, 40 s, 79 s and 80 s
      createUser(client, 0);
      clock.advance(Duration.ofSeconds(39));
      createUser(client, 1);
      clock.advance(Duration.ofSeconds(1));
      createUser(client, 2);
      clock.advance(Duration.ofSeconds(39));
      createUser(client, 3);
      clock.advance(Duration.ofSeconds(1));
      createUser(client, 4);
      // Then each sleeps the latency of its step
      assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(200),
          Duration.ofMillis(400), Duration.ofMillis(400), Duration.ofMillis(200));
    }
  }

  @Test
  void beforeTheFirstStepTheLatencyFlagHolds() {
    List<LatencyStep> steps = List.of(new LatencyStep(Duration.ofSeconds(10), Duration.ofMillis(50)));
    assertThat(LatencyStep.latencyAt(steps, Duration.ofMillis(5), 9_999_999_999L)).isEqualTo(Duration.ofMillis(5));
    assertThat(LatencyStep.latencyAt(steps, Duration.ofMillis(5), 10_000_000_000L)).isEqualTo(Duration.ofMillis(50));
    assertThat(LatencyStep.latencyAt(List.of(), Duration.ofMillis(5), 0)).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void scheduleOffsetsMustIncrease() {
    assertThatThrownBy(() -> SimConfig.builder().latencySchedule(List.of(
        new LatencyStep(Duration.ofSeconds(10), Duration.ofMillis(1)),
        new LatencyStep(Duration.ofSeconds(10), Duration.ofMillis(2)))).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must increase");
    assertThatThrownBy(() -> new LatencyStep(Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
