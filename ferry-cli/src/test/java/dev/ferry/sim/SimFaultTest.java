package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SimFaultTest {
  private static final String USERS = "/user_management/users";
  private static final String BODY = "{\"email\":\"fault@example.com\"}";

  @Test
  void injectedErrorsAre5xxJsonAndCreateNothing() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().errorRate(1).build());
        SimTestClient client = new SimTestClient(server)) {
      for (int i = 0; i < 10; i++) {
        var reply = client.post(USERS, BODY, "Idempotency-Key", "k");

        assertThat(reply.status()).isIn(500, 502, 503);
        assertThat(reply.json().path("code").asText()).isEqualTo("server_error");
        assertThat(reply.header("X-Request-ID")).startsWith("req_");
      }
      SimStats stats = server.stats();
      assertThat(stats.errorsInjected()).isEqualTo(10);
      assertThat(stats.usersCreated()).isZero();
      assertThat(stats.idempotentReplays()).isZero(); // a 5xx is never stored under the key
    }
  }

  @Test
  void droppedConnectionsGiveTheClientAnIOExceptionAndCreateNothing() throws Exception {
    try (SimServer server = SimServer.start(SimConfig.builder().dropRate(1).build());
        SimTestClient client = new SimTestClient(server)) {
      assertThatThrownBy(() -> client.post(USERS, BODY)).isInstanceOf(IOException.class);

      SimStats stats = server.stats();
      assertThat(stats.dropsInjected()).isGreaterThanOrEqualTo(1);
      assertThat(stats.users()).isZero();
    }
  }

  @Test
  void hangsSleepTheHangDurationThenAnswer504AndCreateNothing() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().hangRate(1).hangDuration(Duration.ofSeconds(30)).build();
    try (SimServer server = SimServer.start(config, clock); SimTestClient client = new SimTestClient(server)) {
      var reply = client.post(USERS, BODY);

      assertThat(reply.status()).isEqualTo(504);
      assertThat(reply.json().path("code").asText()).isEqualTo("gateway_timeout");
      assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(30));
      assertThat(server.stats().hangsInjected()).isEqualTo(1);
      assertThat(server.stats().users()).isZero();
    }
  }

  @Test
  void closingTheServerEndsAHangInProgress() throws Exception {
    SimServer server = SimServer.start(SimConfig.builder().hangRate(1).hangDuration(Duration.ofHours(1)).build());
    try (SimTestClient client = new SimTestClient(server)) {
      var pending = Thread.ofVirtual().start(() -> {
        try {
          client.post(USERS, BODY);
        } catch (IOException | InterruptedException e) {
          // expected: the connection closes
        }
      });
      while (server.stats().inFlight() == 0) {
        Thread.sleep(5);
      }

      server.close();

      assertThat(pending.join(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void everyCallWaitsLatencyAndSlowCallsWaitTheExtra() throws Exception {
    ManualClock clock = new ManualClock();
    SimConfig config = SimConfig.builder().latency(Duration.ofMillis(200)).slowRate(1)
        .slowLatency(Duration.ofMillis(300)).build();
    try (SimServer server = SimServer.start(config, clock);
        SimTestClient client = new SimTestClient(server);
        SimTestClient anonymous = new SimTestClient(server, null)) {
      client.post(USERS, BODY);
      anonymous.get(USERS); // a 401 waits too

      assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
      assertThat(server.stats().slowInjected()).isEqualTo(2);
    }
  }

  @Test
  void theSameSeedGivesTheSameFaultSequence() throws Exception {
    SimConfig config = SimConfig.builder().errorRate(0.5).seed(42).build();

    List<Integer> first = statuses(config);
    List<Integer> second = statuses(config);
    List<Integer> otherSeed = statuses(config.toBuilder().seed(7).build());

    assertThat(first).isEqualTo(second).contains(200).containsAnyOf(500, 502, 503);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  private static List<Integer> statuses(SimConfig config) throws Exception {
    List<Integer> out = new ArrayList<>();
    try (SimServer server = SimServer.start(config); SimTestClient client = new SimTestClient(server)) {
      for (int i = 0; i < 30; i++) {
        out.add(client.get(USERS).status());
      }
    }
    return out;
  }

  // --- the planner, a pure function of its random draws ---

  /** Returns the given doubles in order. */
  private static RandomGenerator draws(double... values) {
    return new RandomGenerator() {
      int next;

      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return values[next++];
      }
    };
  }

  @Test
  void planDrawsHangDropErrorStatusSlowJitterInThatOrderWithPrecedence() {
    SimConfig config = SimConfig.builder().hangRate(0.1).dropRate(0.1).errorRate(0.1).slowRate(0.1)
        .latency(Duration.ofMillis(100)).jitter(Duration.ofMillis(20)).slowLatency(Duration.ofSeconds(1)).build();

    RequestPlan none = RequestPlanner.plan(config, draws(0.5, 0.5, 0.5, 0.0, 0.5, 0.5));
    RequestPlan all = RequestPlanner.plan(config, draws(0.0, 0.0, 0.0, 0.0, 0.0, 0.0));
    RequestPlan drop = RequestPlanner.plan(config, draws(0.5, 0.05, 0.05, 0.0, 0.5, 0.5));
    RequestPlan error = RequestPlanner.plan(config, draws(0.5, 0.5, 0.05, 0.99, 0.05, 0.5));

    assertThat(none).isEqualTo(new RequestPlan(RequestPlan.Fault.NONE, 0, false, Duration.ofMillis(100)));
    assertThat(all.fault()).isEqualTo(RequestPlan.Fault.HANG);
    assertThat(drop.fault()).isEqualTo(RequestPlan.Fault.DROP);
    assertThat(error).isEqualTo(new RequestPlan(RequestPlan.Fault.ERROR, 503, true, Duration.ofMillis(1_100)));
    assertThat(RequestPlanner.plan(config, draws(0.5, 0.5, 0.05, 0.4, 0.5, 0.5)).errorStatus()).isEqualTo(502);
    assertThat(RequestPlanner.plan(config, draws(0.5, 0.5, 0.05, 0.2, 0.5, 0.5)).errorStatus()).isEqualTo(500);
  }

  @Test
  void jitterIsUniformAroundTheLatencyAndNeverNegative() {
    Duration latency = Duration.ofMillis(100);
    Duration jitter = Duration.ofMillis(20);

    assertThat(RequestPlanner.delay(latency, jitter, 0.0)).isEqualTo(Duration.ofMillis(80));
    assertThat(RequestPlanner.delay(latency, jitter, 0.5)).isEqualTo(Duration.ofMillis(100));
    assertThat(RequestPlanner.delay(latency, jitter, 0.75)).isEqualTo(Duration.ofMillis(110));
    assertThat(RequestPlanner.delay(Duration.ofMillis(5), jitter, 0.0)).isEqualTo(Duration.ZERO);
    assertThat(RequestPlanner.delay(Duration.ZERO, Duration.ZERO, 0.3)).isEqualTo(Duration.ZERO);
  }
}
