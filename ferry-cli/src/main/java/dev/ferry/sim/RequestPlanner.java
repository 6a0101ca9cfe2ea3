package dev.ferry.sim;

import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Draws each API call's {@link RequestPlan} from one random source seeded with {@code config.seed()}:
 * sequential calls get a reproducible sequence of faults and delays (concurrent calls get the same
 * draws, in arrival order). Threadsafe.
 */
final class RequestPlanner {
  /* Concurrency: the Random is used only under `this`, so one call's six draws stay contiguous. */
  private static final int[] ERROR_STATUSES = {500, 502, 503};

  private final SimConfig config;
  private final Random random; // guarded by this

  RequestPlanner(SimConfig config) {
    this.config = config;
    this.random = new Random(config.seed());
  }

  /** The next call's plan, {@code sinceStartNanos} after the start or the last reset (for the latency schedule). */
  synchronized RequestPlan next(long sinceStartNanos) {
    return plan(config, LatencyStep.latencyAt(config.latencySchedule(), config.latency(), sinceStartNanos), random);
  }

  /** {@link #plan(SimConfig, Duration, RandomGenerator)} with the configured base latency. */
  static RequestPlan plan(SimConfig config, RandomGenerator random) {
    return plan(config, config.latency(), random);
  }

  /**
   * Pure: always draws exactly six doubles, in this order: hang, drop, error, error status, slow,
   * jitter. Each fault is an independent Bernoulli trial of its rate.
   */
  static RequestPlan plan(SimConfig config, Duration latency, RandomGenerator random) {
    boolean hang = random.nextDouble() < config.hangRate();
    boolean drop = random.nextDouble() < config.dropRate();
    boolean error = random.nextDouble() < config.errorRate();
    int status = ERROR_STATUSES[Math.min(ERROR_STATUSES.length - 1, (int) (random.nextDouble() * ERROR_STATUSES.length))];
    boolean slow = random.nextDouble() < config.slowRate();
    Duration delay = delay(latency, config.jitter(), random.nextDouble());
    if (slow) {
      delay = delay.plus(config.slowLatency());
    }
    RequestPlan.Fault fault = hang ? RequestPlan.Fault.HANG
        : drop ? RequestPlan.Fault.DROP
        : error ? RequestPlan.Fault.ERROR
        : RequestPlan.Fault.NONE;
    return new RequestPlan(fault, fault == RequestPlan.Fault.ERROR ? status : 0, slow, delay);
  }

  /**
   * Uniform jitter: {@code latency + jitter × (2u - 1)} for {@code u} in [0, 1), so the delay is
   * uniform in {@code [latency - jitter, latency + jitter)}, truncated at zero.
   */
  static Duration delay(Duration latency, Duration jitter, double u) {
    long nanos = latency.toNanos() + Math.round(jitter.toNanos() * (2 * u - 1));
    return Duration.ofNanos(Math.max(0, nanos));
  }
}
