package dev.ferry.service;

import dev.ferry.core.exec.Admission;
import dev.ferry.core.limit.ConcurrencyLimiter;
import dev.ferry.core.limit.Limit;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.Gauge;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.CallMetrics;
import dev.ferry.spec.ServeConfig;
import dev.ferry.spec.ServiceSpec;
import dev.ferry.steps.JobSteps;
import dev.ferry.steps.TargetConfig;
import dev.ferry.store.WorkQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A running {@code ferry serve}: the HTTP front taking deliveries into the queue, and the drain running queued items
 * through the spec's steps. {@link #stop} stops ingest (readyz and new deliveries answer 503), lets what is in
 * flight settle within a deadline, and leaves the rest in the queue. Threadsafe.
 */
public final class Service implements AutoCloseable {
  private final ServiceSpec spec;
  private final WorkQueue queue;
  private final JobSteps steps;
  private final Drain drain;
  private final ItemRates rates;
  private final Thread drainThread;
  /** Forgets deliveries older than the dedupe window (its own thread, interrupted by {@link #stop}). */
  private final Thread compactorThread;
  private final ServiceHttp http;
  private final String owner;
  private final WallClock clock;
  private volatile boolean draining;

  /**
   * How to run. Immutable.
   *
   * @param address  where the HTTP front listens
   * @param owner    this process's id in claims
   * @param exported where queue gauges and call meters go (a Prometheus endpoint's recorder), or none
   * @param metrics  the Prometheus text of {@code /metrics}
   * @param calls    where the targets' calls are counted
   */
  public record Options(InetSocketAddress address, String owner, MetricsRecorder exported,
      Supplier<String> metrics, CallMetrics calls, Duration requestTimeout) {}

  private Service(ServiceSpec spec, JobStore store, WorkQueue queue, Options options) throws IOException {
    this.spec = spec;
    this.queue = queue;
    this.owner = options.owner();
    this.clock = WallClock.system();
    ServeConfig serve = spec.serve();
    ConcurrencyLimiter limit = adaptiveLimit(serve.concurrency());
    this.steps = JobSteps.builder(spec.job().targets(), spec.job().steps())
        .reportedAs(spec.job().reporting().reportedAs()).jobId("serve-" + serve.queue())
        .key(spec.job().key()).secrets(spec.job().secretMask()).store(store).metrics(options.calls())
        .exportTo(options.exported())
        .requestTimeout(options.requestTimeout()).concurrencyLimiter(limit).build();
    this.rates = new ItemRates(Ticker.system());
    this.drain = new Drain(queue, steps.processor(), owner, Admission.adaptive(limit), serve.lease(),
        serve.maxAttempts(), serve.retryAfter(), clock, Ticker.system(), Sleeper.system(), options.exported(), rates);
    registerGauges(options.exported(), serve.queue());
    long retryAfter = Math.max(1, serve.retryAfter().toSeconds());
    Map<String, Ingest> routes = new LinkedHashMap<>();
    for (ServeConfig.Route r : serve.routes()) {
      routes.put(r.path(), new Ingest(r, queue, clock, serve.backlog(), retryAfter, rates));
    }
    ServiceHttp front;
    try {
      front = new ServiceHttp(options.address(), routes, queue, serve.maxBody(), retryAfter, () -> draining,
          options.metrics(), this::status, clock::millis, serve.adminToken(),
          () -> drain.outage().map(TargetOutage.Snapshot::reason));
    } catch (IOException e) {
      steps.close();
      throw e;
    }
    this.http = front;
    this.drainThread = Thread.ofPlatform().name("ferry-drain").daemon().start(drain);
    // a platform thread: an interrupt ends its sleep, and never closes a database socket in the middle of a compaction
    this.compactorThread = Thread.ofPlatform().name("ferry-compactor").daemon().start(new Compactor(queue,
        serve.dedupeWindow(), clock, Sleeper.system()));
  }

  /**
   * Starts the service: listens, and drains the queue.
   *
   * @param store the job store (lookup steps share their caches through it)
   * @param queue the service's queue (closed by the caller after {@link #close()})
   * @throws IOException when the address cannot be bound
   */
  public static Service start(ServiceSpec spec, JobStore store, WorkQueue queue, Options options) throws IOException {
    return new Service(spec, store, queue, options);
  }

  /**
   * The drain's slots: the adaptive limit of {@code ferry run --concurrency auto} (a gradient per target on its own
   * latency, dropped by 429s, 503s and timeouts, fed by that target's attempts, an answer counting the items it
   * carried; the limit their sum, {@link ConcurrencyLimiter#perSource}), each held between {@code min(4, concurrency)}
   * and the spec's {@code concurrency}, and the sum at most {@code concurrency}.
   */
  static ConcurrencyLimiter adaptiveLimit(int concurrency) {
    return ConcurrencyLimiter.perSource(() -> Limit.gradientBuilder().minLimit(Math.min(4, concurrency))
        .initialLimit(Math.min(16, concurrency)).maxLimit(concurrency).build(), concurrency);
  }

  /** The stats the gauges read, fetched at most once per scrape burst (one query for all five). */
  private void registerGauges(MetricsRecorder m, String name) {
    AtomicReference<WorkQueue.QueueStats> last = new AtomicReference<>();
    Supplier<WorkQueue.QueueStats> stats = () -> {
      WorkQueue.QueueStats s;
      try {
        s = queue.stats(clock.millis());
      } catch (RuntimeException e) {
        s = last.get() == null ? new WorkQueue.QueueStats(0, 0, 0, 0, 0) : last.get();
      }
      last.set(s);
      return s;
    };
    m.gauge(Gauge.QUEUE_PENDING, name, () -> stats.get().pending());
    m.gauge(Gauge.QUEUE_CLAIMED, name, () -> last.get() == null ? 0 : last.get().claimed());
    m.gauge(Gauge.QUEUE_FAILED, name, () -> last.get() == null ? 0 : last.get().failed());
    m.gauge(Gauge.QUEUE_OLDEST_AGE_SECONDS, name, () -> last.get() == null ? 0 : last.get().oldestAgeMillis() / 1e3);
    m.gauge(Gauge.QUEUE_IN_FLIGHT, name, drain::inFlight);
    m.gauge(Gauge.CONCURRENCY_LIMIT, name, drain::concurrency);
  }

  /** What {@code GET /status} answers (see {@link ServiceStatus}). */
  Map<String, Object> status() {
    Map<String, RateLimiter> targets = new LinkedHashMap<>();
    for (TargetConfig t : spec.job().targets()) targets.put(t.name(), steps.requestLimiter(t.name()));
    ServeConfig serve = spec.serve();
    return ServiceStatus.of(new ServiceStatus.Parts(serve.queue(), queue, drain, serve.concurrency(), rates, draining, serve.backlog(),
        targets, clock.millis()));
  }

  public InetSocketAddress address() {
    return http.address();
  }

  public ServiceSpec spec() {
    return spec;
  }

  /** Whether {@link #stop} began. */
  public boolean draining() {
    return draining;
  }

  /**
   * Stops ingest (readyz and deliveries answer 503), claims nothing more, waits up to {@code timeout} for the items
   * in flight, then interrupts the rest and gives their claims back to the queue.
   *
   * @return whether everything in flight settled in time
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    draining = true;
    compactorThread.interrupt();
    drain.stopClaiming();
    drainThread.join();
    boolean settled = drain.awaitIdle(timeout);
    compactorThread.join();
    if (!settled) queue.release(owner);
    return settled;
  }

  /** Stops listening and closes the steps' targets (call after {@link #stop}). */
  @Override
  public void close() {
    compactorThread.interrupt(); // (stop did, unless it was not called) before the caller closes the queue
    try {
      compactorThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
    steps.close();
  }
}
