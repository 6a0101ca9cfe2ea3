package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.metrics.MetricsRecorder;
import dev.ferry.core.pool.LivePool;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.Secret;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.store.SqliteJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One engine, two fronts, one rate limiter: a {@link LivePool} given a limiter runs tasks that call the simulator
 * through an {@link HttpTarget} on the same limiter (with retries of injected 5xx), while a bulk job's rows call it
 * through another target on that limiter too. The limiter is charged exactly once per HTTP attempt: the permits it
 * granted equal the requests the simulator received (plus one for each pool task that made no call, the pool's
 * pacing of tasks).
 */
@Timeout(120)
class OneEngineRatePermitsTest {
  private static final String KEY = "sk_test_one_engine";
  private static final int POOL_TASKS = 60;
  private static final int IDLE_TASKS = 7;
  private static final int ROWS = 150;
  @TempDir
  Path dir;

  @Test
  void aLimiterSharedByAPoolAndABulkJobIsChargedOncePerHttpAttempt() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(1))
            .errorRate(0.2).seed(7).build());
        JobStore store = SqliteJobStore.open(dir.resolve("ferry.db"))) {
      // Given: one counting limiter, a pool that paces its tasks with it, two targets that pace their attempts with it
      CountingLimiter limiter = new CountingLimiter(RateLimiter.unlimited(Ticker.system()));
      RetryPolicy retries = RetryPolicy.builder().maxAttempts(20).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO)
          .build();
      HttpTarget poolTarget = target(sim, limiter, retries);
      HttpTarget jobTarget = target(sim, limiter, retries);
      LivePool pool = LivePool.builder().name("one-engine").concurrency(4).queueCapacity(1_000).rateLimiter(limiter)
          .build();
      plan(store, "job", ROWS);
      RowProcessor rows = row -> {
        ApiResponse r = jobTarget.call(createUser("row" + row.row(), "job-" + row.row()));
        return r.status() == 201 ? RowOutcome.done(row.row(), row.chunk(), row.line(), "", "created")
            : RowOutcome.invalid(row.row(), row.chunk(), row.line(), "", "status_" + r.status(), r.body());
      };
      BulkJobRunner job = new BulkJobRunner(store, "job", SOURCE, rows, RunOptions.of(2, 3, "t"), WallClock.system());

      // When: the job runs while the pool's tasks (one or two calls each, a few with none) run beside it
      CompletableFuture<BulkJobRunner.RunResult> jobRun = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        try {
          jobRun.complete(job.run());
        } catch (Throwable t) {
          jobRun.completeExceptionally(t);
        }
      });
      List<CompletableFuture<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < POOL_TASKS; i++) {
        int n = i;
        tasks.add(pool.submit(() -> {
          int created = poolTarget.call(createUser("pool" + n, "pool-" + n)).status() == 201 ? 1 : 0;
          if (n % 3 == 0) poolTarget.call(ApiCall.get("/user_management/users?email=pool" + n + "%40one.example",
              "find_user"));
          return created;
        }));
      }
      for (int i = 0; i < IDLE_TASKS; i++) tasks.add(pool.submit(() -> 0));
      int created = 0;
      for (CompletableFuture<Integer> t : tasks) created += t.get();
      pool.close();
      BulkJobRunner.RunResult result = jobRun.get();
      poolTarget.close();
      jobTarget.close();

      // Then: every row and every task got through, with retries of the injected errors
      assertThat(result.stopped()).isFalse();
      assertThat(store.counts("job")).isEqualTo(new OutcomeCounts(ROWS, 0, 0, 0));
      assertThat(created).isEqualTo(POOL_TASKS);
      SimStats stats = sim.stats();
      assertThat(stats.errorsInjected()).as("retried attempts").isPositive();
      assertThat(stats.requests()).isGreaterThan(ROWS + POOL_TASKS + POOL_TASKS / 3);
      // and the limiter granted one permit per request the simulator received, plus one per task without a call
      assertThat(limiter.granted()).isEqualTo(stats.requests() + IDLE_TASKS);
    }
  }

  private static HttpTarget target(SimServer sim, RateLimiter limiter, RetryPolicy retries) {
    Sleeper noWait = nanos -> { };
    return new HttpTarget(sim.baseUrl(), Secret.of(KEY), Duration.ofSeconds(30), limiter, retries, noWait,
        Ticker.system(), () -> 0.5, MetricsRecorder.none());
  }

  private static ApiCall createUser(String name, String key) {
    return ApiCall.post("/user_management/users", "{\"email\":\"" + name + "@one.example\"}", "ferry-" + key,
        "create_user");
  }

  private static void plan(JobStore store, String id, int rows) {
    store.createJob(new JobRecord(id, "test", "/in.csv", 0, "", 0, 50, "{}", JobStatus.PLANNING, "", 0, 0));
    List<ChunkSpec> chunks = new ArrayList<>();
    for (int c = 0; c * 50 < rows; c++) {
      chunks.add(new ChunkSpec(c, c * 1000L, 2 + (long) c * 50, 1 + (long) c * 50, Math.min(50, rows - c * 50)));
    }
    store.completePlan(id, chunks, rows, 1, "00", 0);
  }

  private static final ChunkSource SOURCE = chunk -> new ChunkSource.RowCursor() {
    long next = chunk.firstRow();

    @Override
    public RowInput next() {
      if (next >= chunk.endRow()) return null;
      long row = next++;
      return new RowInput(row, chunk.index(), row + 1, new String[] {"r" + row}, null);
    }

    @Override
    public void close() {}
  };

  /** Counts the permits a limiter grants (every reservation is a permit granted, now or after a wait). */
  private static final class CountingLimiter implements RateLimiter {
    private final RateLimiter delegate;
    private final AtomicLong granted = new AtomicLong();

    CountingLimiter(RateLimiter delegate) {
      this.delegate = delegate;
    }

    long granted() {
      return granted.get();
    }

    @Override
    public long reserveNanos() {
      granted.incrementAndGet();
      return delegate.reserveNanos();
    }

    @Override
    public boolean tryAcquire() {
      boolean ok = delegate.tryAcquire();
      if (ok) granted.incrementAndGet();
      return ok;
    }

    @Override
    public long pauses() {
      return delegate.pauses();
    }

    @Override
    public void pauseFor(Duration pause) {
      delegate.pauseFor(pause);
    }

    @Override
    public double rate() {
      return delegate.rate();
    }

    @Override
    public void setRate(double permitsPerSecond) {
      delegate.setRate(permitsPerSecond);
    }
  }
}
