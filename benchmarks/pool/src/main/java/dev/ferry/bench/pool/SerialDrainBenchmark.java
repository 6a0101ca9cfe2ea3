package dev.ferry.bench.pool;

import dev.ferry.core.pool.LivePool;
import dev.ferry.core.pool.Overflow;
import dev.ferry.core.pool.PoolMetrics;
import dev.ferry.core.pool.SerialSection;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Seed 004's tunnel, on ferry's live pool: a request queue of capacity 100 ({@link Overflow#BLOCK}, so the producer
 * waits when it is full) drained by {@code workers} pool slots; each request does {@code procMs} of parallel work
 * (the seed's T_proc, 0 by default), then holds the one stream mutex ({@link SerialSection}) for {@code holdMs} (the
 * seed's T_send, {@code SendMsg} under {@code StreamMu}). Work is simulated by sleeping, so the benchmark measures the
 * pool and the section, not the CPU, and barely loads a shared machine.
 *
 * <p>One operation is one request: an invocation pushes a burst of {@link #BURST} requests (twice the queue, so the
 * producer meets the bound, as the seed's {@code b.N} loop does) and waits until all are done; JMH's score is
 * requests per second. The section's own metrics ({@link PoolMetrics#serialWaitTotal()},
 * {@link PoolMetrics#serialHoldTotal()}) over the measurement iterations are printed per trial as a line
 * {@code # pool,...} and appended to the CSV file named by {@code -Dferry.pool.metrics=FILE} (forks inherit it via
 * {@code -jvmArgsAppend}); {@code benchmarks/pool.sh} turns it into the table of docs/POOL.md.
 *
 * <p>Run: {@code benchmarks/pool.sh} (all points, short settings) or
 * {@code java -jar benchmarks/pool/target/pool-benchmarks.jar SerialDrain}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class SerialDrainBenchmark {
  /** The seed's {@code requestQueue: make(chan mockRequest, 100)}. */
  static final int QUEUE_CAPACITY = 100;
  /** Requests pushed per invocation. */
  static final int BURST = 2 * QUEUE_CAPACITY;
  static final String CSV_HEADER = "workers,hold_ms,proc_ms,requests,seconds,requests_per_s,bound_per_s,"
      + "passes,wait_ms_per_pass,hold_ms_per_pass,section_busy";

  @Param({"1", "2", "4", "8", "16"})
  int workers;

  @Param({"0.5", "2", "10"})
  double holdMs;

  @Param({"0"})
  double procMs;

  private final Sleeper sleeper = Sleeper.system();
  private final Ticker ticker = Ticker.system();
  private LivePool pool;
  private SerialSection stream;
  private long holdNanos;
  private long procNanos;

  private PoolMetrics iterationStart;
  private long iterationStartNanos;
  /** Sums over the measurement iterations. */
  private long requests;
  private long wallNanos;
  private long passes;
  private long waitNanos;
  private long heldNanos;

  @Setup(Level.Trial)
  public void start() {
    holdNanos = Math.round(holdMs * 1e6);
    procNanos = Math.round(procMs * 1e6);
    pool = LivePool.builder().name("tunnel").concurrency(workers).queueCapacity(QUEUE_CAPACITY)
        .overflow(Overflow.BLOCK).build();
    stream = pool.serialSection();
  }

  @Setup(Level.Iteration)
  public void mark() {
    iterationStart = pool.metrics();
    iterationStartNanos = ticker.read();
  }

  @TearDown(Level.Iteration)
  public void account(IterationParams params) {
    if (params.getType() != IterationType.MEASUREMENT) return;
    PoolMetrics now = pool.metrics();
    wallNanos += ticker.read() - iterationStartNanos;
    requests += now.completed() - iterationStart.completed();
    passes += now.serialPasses() - iterationStart.serialPasses();
    waitNanos += now.serialWaitTotal().minus(iterationStart.serialWaitTotal()).toNanos();
    heldNanos += now.serialHoldTotal().minus(iterationStart.serialHoldTotal()).toNanos();
  }

  @TearDown(Level.Trial)
  public void report() {
    pool.close();
    double seconds = wallNanos / 1e9;
    String line = String.format(Locale.ROOT, "%d,%s,%s,%d,%.3f,%.1f,%.1f,%d,%.3f,%.3f,%.3f", workers, holdMs, procMs,
        requests, seconds, requests / seconds, 1000 / holdMs, passes, passes == 0 ? 0 : waitNanos / 1e6 / passes,
        passes == 0 ? 0 : heldNanos / 1e6 / passes, heldNanos / (double) wallNanos);
    System.out.println("# pool," + line);
    String file = System.getProperty("ferry.pool.metrics");
    if (file != null) {
      try {
        Path path = Path.of(file);
        if (!Files.exists(path)) Files.writeString(path, CSV_HEADER + "\n", StandardCharsets.UTF_8);
        Files.writeString(path, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Pushes {@link #BURST} requests through the bounded queue and waits until every one is done. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void drainBurst() {
    CompletableFuture<?>[] done = new CompletableFuture<?>[BURST];
    for (int i = 0; i < BURST; i++) {
      done[i] = pool.submit(this::request); // blocks while the queue is full
    }
    CompletableFuture.allOf(done).join();
  }

  /** One forwarded request: parallel preparation, then the send under the stream mutex. */
  private Object request() throws Exception {
    if (procNanos > 0) sleeper.sleepNanos(procNanos);
    return stream.run(() -> {
      sleeper.sleepNanos(holdNanos);
      return null;
    });
  }
}
