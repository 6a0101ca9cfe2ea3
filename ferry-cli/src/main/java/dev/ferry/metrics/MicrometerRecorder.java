package dev.ferry.metrics;

import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.metrics.TaskOutcome;
import dev.ferry.core.spi.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;

/**
 * The metrics SPI on a Micrometer {@link MeterRegistry}: what the engine, the HTTP targets and the live pools
 * report becomes counters, timers with fixed histogram buckets and gauges, under the names of docs/ARCHITECTURE.md
 * ("Metrics"). With a Prometheus registry they read:
 * <ul>
 *   <li>{@code ferry_rows_total{outcome}} (done, failed, invalid) and {@code ferry_rows_in_flight};</li>
 *   <li>{@code ferry_http_requests_total{target,step,status_class}} (1xx…5xx, or {@code none}: no answer),
 *       {@code ferry_http_request_duration_seconds{target,step}} (a histogram), {@code ferry_http_throttled_total},
 *       {@code ferry_http_retries_total}, {@code ferry_http_timeouts_total}, {@code ferry_http_connection_errors_total}
 *       {@code ferry_http_rate_wait_seconds_total} and {@code ferry_http_requests_in_flight}, each by
 *       {@code target};</li>
 *   <li>the gauges of {@link Gauge}: {@code ferry_concurrency_limit}, {@code ferry_pace_permits_per_second},
 *       {@code ferry_job_rows}, {@code ferry_job_chunks}, {@code ferry_job_chunks_done},
 *       {@code ferry_pool_tasks_running}, {@code ferry_pool_tasks_queued};</li>
 *   <li>{@code ferry_pool_tasks_submitted_total{pool}}, {@code ferry_pool_tasks_total{pool,outcome}} and
 *       {@code ferry_pool_queue_wait_seconds{pool}}.</li>
 * </ul>
 *
 * <p>Threadsafe. The hot path (a row or an HTTP attempt) does one {@link ConcurrentHashMap} lookup for the meters
 * of its target or step and lock-free increments; meters are registered once, on first use, and the registry
 * hands the same meter to racing registrations. Reading (a scrape) happens on the reader's thread.
 */
public final class MicrometerRecorder implements MetricsRecorder {
  /** Upper bounds of the latency histograms' buckets: 1 ms to 60 s, then +Inf. */
  static final Duration[] LATENCY_BUCKETS = {ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
      ms(1000), ms(2500), ms(5000), ms(10_000), ms(30_000), ms(60_000)};
  /** Status classes by index: 0 = no answer, 1..5 = 1xx..5xx. */
  private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  private final Counter[] rows = new Counter[Outcome.values().length];
  private final AtomicInteger rowsInFlight = new AtomicInteger();
  private final Map<String, TargetMeters> targets = new ConcurrentHashMap<>();
  private final Map<StepKey, StepMeters> steps = new ConcurrentHashMap<>();
  private final Map<String, PoolMeters> pools = new ConcurrentHashMap<>();

  /** Registers the row meters at once (so every outcome shows, at 0, before the first row settles). */
  public MicrometerRecorder(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry cannot be null");
    for (Outcome o : Outcome.values()) {
      rows[o.ordinal()] = Counter.builder("ferry.rows").description("Rows settled by this process, by outcome")
          .tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    io.micrometer.core.instrument.Gauge.builder("ferry.rows.in.flight", rowsInFlight, AtomicInteger::get)
        .description("Rows started and not yet ended").register(registry);
  }

  /** The registry the meters are in. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The executor's tasks: those of the {@link #ROWS} executor are the rows in flight. */
  @Override
  public void taskAdmitted(String executor, long waitNanos) {
    if (ROWS.equals(executor)) rowsInFlight.incrementAndGet();
  }

  @Override
  public void taskEnded(String executor, long runNanos) {
    if (ROWS.equals(executor)) rowsInFlight.decrementAndGet();
  }

  @Override
  public void rowSettled(Outcome outcome) {
    rows[outcome.ordinal()].increment();
  }

  @Override
  public void rowsSettled(Outcome outcome, long count) {
    if (count > 0) rows[outcome.ordinal()].increment(count);
  }

  @Override
  public void requestStarted(String target) {
    target(target).inFlight.incrementAndGet();
  }

  @Override
  public void recordCallNanos(String target, String step, int status, long nanos) {
    target(target).inFlight.decrementAndGet();
    StepMeters m = steps.computeIfAbsent(new StepKey(target, step), this::stepMeters);
    m.duration.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    m.requests(statusIndex(status)).increment();
  }

  @Override
  public void rateWaitNanos(String target, long nanos) {
    target(target).rateWait.increment(nanos / 1e9);
  }

  @Override
  public void throttled(String target) {
    target(target).throttled.increment();
  }

  @Override
  public void retry(String target) {
    target(target).retries.increment();
  }

  @Override
  public void timeout(String target) {
    target(target).timeouts.increment();
  }

  @Override
  public void connectionError(String target) {
    target(target).connectionErrors.increment();
  }

  @Override
  public void taskSubmitted(String pool) {
    pool(pool).submitted.increment();
  }

  @Override
  public void recordQueueWaitNanos(String pool, long nanos) {
    pool(pool).queueWait.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void taskSettled(String pool, TaskOutcome outcome) {
    pool(pool).outcomes[outcome.ordinal()].increment();
  }

  @Override
  public void gauge(Gauge gauge, String scope, DoubleSupplier value) {
    gauge(gauge, scope, scope, value);
  }

  /**
   * A gauge of {@link Gauge#PACE_PERMITS_PER_SECOND} also has the label {@code target_name} ({@code name}: a spec's
   * target name, else the scope itself), so two targets on one {@code host:port} are two series, not one registration
   * refused as a duplicate; every pace gauge has it, as Prometheus wants one set of labels per metric. Other gauges
   * ignore {@code name}.
   */
  @Override
  public void gauge(Gauge gauge, String scope, String name, DoubleSupplier value) {
    Objects.requireNonNull(value, "value cannot be null");
    GaugeName g = GaugeName.of(gauge);
    io.micrometer.core.instrument.Gauge.Builder<DoubleSupplier> b = io.micrometer.core.instrument.Gauge
        .builder(g.name(), value, DoubleSupplier::getAsDouble).strongReference(true).description(g.description())
        .tag(g.scopeLabel(), scope);
    if (gauge == Gauge.PACE_PERMITS_PER_SECOND) b.tag("target_name", name == null ? scope : name);
    b.register(registry);
  }

  /** "2xx" for 200..299, and so on; "none" when no answer came (status 0) or the status is out of range. */
  static String statusClass(int status) {
    return STATUS_CLASSES[statusIndex(status)];
  }

  private static int statusIndex(int status) {
    return status >= 100 && status < 600 ? status / 100 : 0;
  }

  private TargetMeters target(String target) {
    TargetMeters m = targets.get(target);
    return m != null ? m : targets.computeIfAbsent(target, t -> new TargetMeters(registry, t));
  }

  private PoolMeters pool(String pool) {
    PoolMeters m = pools.get(pool);
    return m != null ? m : pools.computeIfAbsent(pool, p -> new PoolMeters(registry, p));
  }

  private StepMeters stepMeters(StepKey key) {
    Timer duration = Timer.builder("ferry.http.request.duration")
        .description("Time from sending an HTTP attempt to its answer (or timeout, or connection error)")
        .tags("target", key.target(), "step", key.step()).serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
    return new StepMeters(registry, key, duration);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  /** A gauge's meter name, the label its scope goes in, and its description. Immutable. */
  private record GaugeName(String name, String scopeLabel, String description) {
    static GaugeName of(Gauge gauge) {
      return switch (gauge) {
        case CONCURRENCY_LIMIT -> new GaugeName("ferry.concurrency.limit", "job_id",
            "Rows that may be in flight at once (the adaptive limit, or workers x concurrency)");
        case PACE_PERMITS_PER_SECOND -> new GaugeName("ferry.pace.permits.per.second", "target",
            "Pace of the target's shared rate limiter (+Inf: unlimited)");
        case JOB_ROWS -> new GaugeName("ferry.job.rows", "job_id", "Rows in the job's input");
        case JOB_CHUNKS -> new GaugeName("ferry.job.chunks", "job_id", "Chunks the job was planned into");
        case JOB_CHUNKS_DONE -> new GaugeName("ferry.job.chunks.done", "job_id",
            "Chunks of the job done (before this run, and by this process since)");
        case POOL_TASKS_RUNNING -> new GaugeName("ferry.pool.tasks.running", "pool", "Tasks running in the pool");
        case POOL_TASKS_QUEUED -> new GaugeName("ferry.pool.tasks.queued", "pool", "Tasks waiting in the pool's queue");
        case QUEUE_PENDING -> new GaugeName("ferry.queue.pending", "queue", "Items waiting in the service's queue");
        case QUEUE_CLAIMED -> new GaugeName("ferry.queue.claimed", "queue", "Items claimed and not settled yet");
        case QUEUE_FAILED -> new GaugeName("ferry.queue.failed", "queue", "Items that failed for good");
        case QUEUE_OLDEST_AGE_SECONDS -> new GaugeName("ferry.queue.oldest.age.seconds", "queue",
            "Age of the oldest unsettled item");
        case QUEUE_IN_FLIGHT -> new GaugeName("ferry.queue.in.flight", "queue", "Items this process runs now");
      };
    }
  }

  private record StepKey(String target, String step) {}

  /** The meters of one target. Immutable holder of threadsafe meters. */
  private static final class TargetMeters {
    final AtomicInteger inFlight = new AtomicInteger();
    final Counter throttled;
    final Counter retries;
    final Counter timeouts;
    final Counter connectionErrors;
    final Counter rateWait;

    TargetMeters(MeterRegistry registry, String target) {
      rateWait = counter(registry, "ferry.http.rate.wait.seconds", target,
          "Time HTTP attempts waited for their rate permit (the target's pace, a 429's pause)");
      throttled = counter(registry, "ferry.http.throttled", target,
          "HTTP attempts refused for the rate limit (429, or a 403/503 that is one)");
      retries = counter(registry, "ferry.http.retries", target, "HTTP attempts made again");
      timeouts = counter(registry, "ferry.http.timeouts", target, "HTTP attempts that timed out");
      connectionErrors = counter(registry, "ferry.http.connection.errors", target,
          "HTTP attempts that could not connect or lost their connection");
      io.micrometer.core.instrument.Gauge.builder("ferry.http.requests.in.flight", inFlight, AtomicInteger::get)
          .description("HTTP attempts sent and not yet answered").tag("target", target).register(registry);
    }

    private static Counter counter(MeterRegistry registry, String name, String target, String description) {
      return Counter.builder(name).description(description).tag("target", target).register(registry);
    }
  }

  /** The meters of one step of one target: its latency, and its requests by status class (registered on use). */
  private static final class StepMeters {
    final Timer duration;
    private final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(STATUS_CLASSES.length);
    private final MeterRegistry registry;
    private final StepKey key;

    StepMeters(MeterRegistry registry, StepKey key, Timer duration) {
      this.registry = registry;
      this.key = key;
      this.duration = duration;
    }

    /** @param i an index into {@link #STATUS_CLASSES} */
    Counter requests(int i) {
      Counter c = requests.get(i);
      if (c == null) {
        // a race registers twice: the registry returns the same counter both times
        c = Counter.builder("ferry.http.requests").description("HTTP attempts by status class")
            .tags("target", key.target(), "step", key.step(), "status_class", STATUS_CLASSES[i])
            .register(registry);
        requests.set(i, c);
      }
      return c;
    }
  }

  /** The meters of one live pool. */
  private static final class PoolMeters {
    final Counter submitted;
    final Counter[] outcomes = new Counter[TaskOutcome.values().length];
    final Timer queueWait;

    PoolMeters(MeterRegistry registry, String pool) {
      submitted = Counter.builder("ferry.pool.tasks.submitted").description("Tasks submitted to the pool")
          .tag("pool", pool).register(registry);
      for (TaskOutcome o : TaskOutcome.values()) {
        outcomes[o.ordinal()] = Counter.builder("ferry.pool.tasks").description("Tasks of the pool, by how they ended")
            .tags("pool", pool, "outcome", o.name().toLowerCase(Locale.ROOT)).register(registry);
      }
      queueWait = Timer.builder("ferry.pool.queue.wait").description("Time tasks waited in the pool's queue")
          .tag("pool", pool).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }
  }
}
