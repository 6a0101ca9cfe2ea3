package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.steps.template.SpecLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code --concurrency auto} for a spec: the targets feed the job's adaptive concurrency limiter from every HTTP
 * attempt, as the import's target does (a latency sample per definite answer, a drop per throttled or overloaded one).
 */
class AdaptiveConcurrencyStepsTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 1, 1);
  private static final String KEY = "sk_test_adaptive_steps";

  @Test
  void everyAttemptOfASpecTargetIsASampleOfTheJobsConcurrencyLimit() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build())) {
      // Given: the CRM upsert spec's steps with the job's concurrency limiter
      CountingLimit limit = new CountingLimit(8);
      ConcurrencyLimiter limiter = ConcurrencyLimiter.of(limit);
      TargetConfig crm = new TargetConfig("crm", AT, sim.baseUrl(), Map.of("Authorization", "Bearer " + KEY),
          TargetLimits.NONE, Duration.ofSeconds(5));
      try (JobSteps steps = JobSteps.builder(List.of(crm), CrmStepsHttpTest.crmSteps()).jobId("auto-job")
          .retryPolicy(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO).build())
          .concurrencyLimiter(limiter).build()) {
        // When 40 contacts are upserted (a find and a create each)
        List<RowOutcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= 40; i++) outcomes.add(steps.processor().process(contact(i)));
        // Then every row is done, and each of the simulator's 80 requests was one sample of the limit
        assertThat(outcomes).allSatisfy(o -> assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE));
        assertThat(sim.stats().requests()).isEqualTo(80);
        assertThat(limit.samples.get()).isEqualTo(80);
        assertThat(limit.drops.get()).isZero();
      }
    }
  }

  @Test
  void aFixedConcurrencySpecFeedsNoLimit() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).seed(3).build())) {
      // Given: no limiter (fixed concurrency), a target whose limits are all stated (nothing to learn; two request
      // limits, so no single one to trim)
      TargetConfig crm = new TargetConfig("crm", AT, sim.baseUrl(), Map.of("Authorization", "Bearer " + KEY),
          TargetLimits.of(java.util.List.of(new LimitRule("requests", 1_000, Duration.ofSeconds(1), false),
              new LimitRule("requests", 50_000, Duration.ofMinutes(1), false))), Duration.ofSeconds(5));
      TargetLimiters limiters = TargetLimiters.of("crm", crm.limits(), 0.95, dev.ferry.core.time.Ticker.system(),
          dev.ferry.core.time.Sleeper.system());
      // When / Then: nothing listens to its attempts
      assertThat(limiters.listener(new dev.ferry.http.CallMetrics(), null, false))
          .isSameAs(dev.ferry.http.AttemptListener.NONE);
    }
  }

  private static RowInput contact(int i) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("id", "c-" + i);
    record.put("email", "user" + i + "@auto.example");
    record.put("name", "User " + i);
    return new RowInput(i, 0, i, null, null, record);
  }

  /** A limit that never moves and counts the samples it is given. */
  private static final class CountingLimit implements Limit {
    private final int n;
    final AtomicInteger samples = new AtomicInteger();
    final AtomicInteger drops = new AtomicInteger();

    CountingLimit(int n) {
      this.n = n;
    }

    @Override
    public int limit() {
      return n;
    }

    @Override
    public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
      samples.incrementAndGet();
      if (dropped) drops.incrementAndGet();
      return n;
    }
  }
}
