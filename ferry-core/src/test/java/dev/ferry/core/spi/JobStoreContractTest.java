package dev.ferry.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link JobStore} contract. Every implementation extends this class and supplies a fresh, empty store
 * per test; all time is virtual ({@code nowMillis} arguments), so no test sleeps.
 */
public abstract class JobStoreContractTest {
  protected static final long T0 = 1_700_000_000_000L;
  protected static final Duration LEASE = Duration.ofSeconds(30);
  protected static final int CHUNK_SIZE = 10;

  protected JobStore store;

  /**
   * The store of the current test: empty on the first call of a test; later calls of the same test open
   * another store on the same database (another connection or pool, as a second process would have).
   * Stores it returns are closed by the test class after each test.
   */
  protected abstract JobStore newStore();

  private final List<JobStore> others = new ArrayList<>();

  /** Another store on the database of {@link #store}, closed after the test. */
  protected JobStore secondStore() {
    JobStore other = newStore();
    others.add(other);
    return other;
  }

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    others.forEach(JobStore::close);
    store.close();
  }

  // ------------------------------------------------------------------------------------------- jobs

  @Test
  void createdJobIsPlanningAndFoundByIdAndListedNewestFirst() {
    // Given
    JobRecord older = job("older", T0);
    JobRecord newer = job("newer", T0 + 1_000);

    // When
    store.createJob(older);
    store.createJob(newer);

    // Then
    assertThat(store.findJob("older")).contains(older.withStatus(JobStatus.PLANNING, "", T0));
    assertThat(store.findJob("missing")).isEmpty();
    assertThat(store.listJobs()).extracting(JobRecord::id).containsExactly("newer", "older");
    assertThat(store.counts("older")).isEqualTo(OutcomeCounts.ZERO);
  }

  @Test
  void creatingAnExistingJobFailsAndKeepsTheFirst() {
    // Given
    store.createJob(job("j", T0));

    // When / Then
    JobRecord other = new JobRecord("j", "other-kind", "/other.csv", 1, "00", 0, 5, "{}", JobStatus.PLANNING, "",
        T0 + 5, T0 + 5);
    assertThatThrownBy(() -> store.createJob(other)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("j");
    assertThat(store.findJob("j")).map(JobRecord::kind).contains("workos-import");
  }

  @Test
  void updateStatusSetsStatusMessageAndTime() {
    // Given
    store.createJob(job("j", T0));

    // When
    JobRecord stopped = store.updateStatus("j", JobStatus.STOPPED, "HTTP 401 from target", T0 + 60_000);

    // Then
    assertThat(stopped.status()).isEqualTo(JobStatus.STOPPED);
    assertThat(stopped.message()).isEqualTo("HTTP 401 from target");
    assertThat(stopped.updatedAtMillis()).isEqualTo(T0 + 60_000);
    assertThat(stopped.createdAtMillis()).isEqualTo(T0);
    assertThat(store.findJob("j")).contains(stopped);
    assertThatThrownBy(() -> store.updateStatus("missing", JobStatus.RUNNING, "", T0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void completePlanStoresPendingChunksAndStartsTheJob() {
    // Given
    store.createJob(job("j", T0));
    List<ChunkSpec> plan = plan(3);

    // When
    store.completePlan("j", plan, 30, 4_096, "ab12", T0 + 10);

    // Then
    JobRecord job = store.findJob("j").orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(job.totalRows()).isEqualTo(30);
    assertThat(job.inputSize()).isEqualTo(4_096);
    assertThat(job.inputSha256()).isEqualTo("ab12");
    assertThat(job.updatedAtMillis()).isEqualTo(T0 + 10);
    assertThat(store.chunks("j")).containsExactlyElementsOf(
        plan.stream().map(c -> new ChunkRecord(c, ChunkState.PENDING, "", 0)).toList());
  }

  @Test
  void chunkPositionsRoundTripThroughPlanClaimAndRead() {
    // Given: positions as sources write them (none for a file; a SQL source's keys, even long and non-ASCII)
    store.createJob(job("j", T0));
    String longPosition = "s:" + "k\u00e9y-\u4e2d,\"'\\\n".repeat(20_000);
    List<ChunkSpec> plan = List.of(
        new ChunkSpec(0, 0, 1, 1, CHUNK_SIZE, "i:1-10"),
        new ChunkSpec(1, 0, 11, 11, CHUNK_SIZE, ""),
        new ChunkSpec(2, 0, 21, 21, CHUNK_SIZE, longPosition));

    // When
    store.completePlan("j", plan, 3L * CHUNK_SIZE, 3L * CHUNK_SIZE, "fingerprint;i;42", T0);
    ChunkRecord claimed = store.claimChunk("j", "w1", LEASE, T0).orElseThrow();

    // Then: every read gives the positions back exactly, from this store and from another one
    assertThat(claimed.spec()).isEqualTo(plan.get(0));
    assertThat(store.chunks("j")).extracting(ChunkRecord::spec).containsExactlyElementsOf(plan);
    assertThat(secondStore().chunks("j")).extracting(c -> c.spec().position())
        .containsExactly("i:1-10", "", longPosition);
    store.claimChunk("j", "w1", LEASE, T0);
    assertThat(store.claimChunk("j", "w2", LEASE, T0)).map(c -> c.spec().position()).contains(longPosition);
    assertThat(store.findJob("j")).map(JobRecord::inputSha256).contains("fingerprint;i;42");
  }

  @Test
  void deleteJobRemovesEverythingOfThatJobOnly() {
    // Given
    startJob("gone", 2);
    startJob("kept", 2);
    for (String id : List.of("gone", "kept")) {
      store.claimChunk(id, "w1", LEASE, T0);
      store.recordOutcomes(id, List.of(done(1), failed(2, true), invalid(3)));
      store.putLookup(id, "org", "ext-1", "org_1");
    }

    // When
    store.deleteJob("gone");

    // Then
    assertThat(store.findJob("gone")).isEmpty();
    assertThat(store.chunks("gone")).isEmpty();
    assertThat(store.counts("gone")).isEqualTo(OutcomeCounts.ZERO);
    assertThat(store.lookups("gone", "org")).isEmpty();
    assertThat(problems("gone")).isEmpty();
    assertThat(store.settledRows("gone", chunk(0))).isEqualTo(new BitSet());
    assertThat(store.counts("kept")).isEqualTo(new OutcomeCounts(1, 1, 1, 1));
    assertThat(store.chunks("kept")).hasSize(2);

    // When the id is used again, the job starts from nothing
    startJob("gone", 1);

    // Then
    assertThat(store.counts("gone")).isEqualTo(OutcomeCounts.ZERO);
    assertThat(store.chunks("gone")).hasSize(1);
  }

  // ----------------------------------------------------------------------------------------- chunks

  @Test
  void claimTakesPendingChunksInIndexOrderWithALease() {
    // Given: the plan lists chunks out of order
    store.createJob(job("j", T0));
    List<ChunkSpec> plan = new ArrayList<>(plan(3));
    Collections.reverse(plan);
    store.completePlan("j", plan, 30, 1, "00", T0);

    // When
    ChunkRecord first = store.claimChunk("j", "w1", LEASE, T0).orElseThrow();
    ChunkRecord second = store.claimChunk("j", "w2", LEASE, T0 + 5).orElseThrow();
    ChunkRecord third = store.claimChunk("j", "w1", LEASE, T0 + 6).orElseThrow();

    // Then
    assertThat(List.of(first, second, third)).extracting(c -> c.spec().index()).containsExactly(0, 1, 2);
    assertThat(first).isEqualTo(new ChunkRecord(chunk(0), ChunkState.LEASED, "w1", T0 + LEASE.toMillis()));
    assertThat(second.leaseExpiresAtMillis()).isEqualTo(T0 + 5 + LEASE.toMillis());
    assertThat(store.chunks("j")).containsExactly(first, second, third);
    assertThat(store.claimChunk("j", "w3", LEASE, T0 + 7)).isEmpty();
    assertThat(store.claimChunk("missing", "w3", LEASE, T0)).isEmpty();
  }

  @Test
  void expiredLeaseIsReclaimedOnlyAfterItsExpiry() {
    // Given
    startJob("j", 1);
    long expiry = store.claimChunk("j", "w1", LEASE, T0).orElseThrow().leaseExpiresAtMillis();

    // When / Then: at the expiry instant the lease still holds
    assertThat(store.claimChunk("j", "w2", LEASE, expiry)).isEmpty();

    // When one millisecond later
    ChunkRecord reclaimed = store.claimChunk("j", "w2", LEASE, expiry + 1).orElseThrow();

    // Then
    assertThat(reclaimed.spec().index()).isZero();
    assertThat(reclaimed.leaseOwner()).isEqualTo("w2");
    assertThat(reclaimed.leaseExpiresAtMillis()).isEqualTo(expiry + 1 + LEASE.toMillis());
  }

  @Test
  void pendingChunksAreClaimedBeforeExpiredOnes() {
    // Given: chunk 0 leased long ago, chunk 1 never claimed
    startJob("j", 2);
    store.claimChunk("j", "w1", LEASE, T0);
    long later = T0 + LEASE.toMillis() + 1_000;

    // When
    ChunkRecord a = store.claimChunk("j", "w2", LEASE, later).orElseThrow();
    ChunkRecord b = store.claimChunk("j", "w3", LEASE, later).orElseThrow();

    // Then
    assertThat(a.spec().index()).isEqualTo(1);
    assertThat(b.spec().index()).isZero();
    assertThat(b.leaseOwner()).isEqualTo("w3");
  }

  @Test
  void onlyTheOwnerRenewsALease() {
    // Given
    startJob("j", 1);
    store.claimChunk("j", "w1", LEASE, T0);

    // When
    boolean byOwner = store.renewLease("j", 0, "w1", LEASE, T0 + 20_000);
    boolean byOther = store.renewLease("j", 0, "w2", LEASE, T0 + 21_000);

    // Then
    assertThat(byOwner).isTrue();
    assertThat(byOther).isFalse();
    assertThat(store.chunks("j").get(0))
        .isEqualTo(new ChunkRecord(chunk(0), ChunkState.LEASED, "w1", T0 + 20_000 + LEASE.toMillis()));
    // the renewed lease holds past the original expiry
    assertThat(store.claimChunk("j", "w2", LEASE, T0 + LEASE.toMillis() + 1)).isEmpty();
  }

  @Test
  void aLostLeaseCanNeitherBeRenewedNorCompleted() {
    // Given: w1's lease expired and w2 took the chunk
    startJob("j", 1);
    store.claimChunk("j", "w1", LEASE, T0);
    store.claimChunk("j", "w2", LEASE, T0 + LEASE.toMillis() + 1).orElseThrow();

    // When
    boolean renewed = store.renewLease("j", 0, "w1", LEASE, T0 + LEASE.toMillis() + 2);
    boolean completed = store.completeChunk("j", 0, "w1");
    store.releaseChunk("j", 0, "w1");

    // Then
    assertThat(renewed).isFalse();
    assertThat(completed).isFalse();
    ChunkRecord now = store.chunks("j").get(0);
    assertThat(now.state()).isEqualTo(ChunkState.LEASED);
    assertThat(now.leaseOwner()).isEqualTo("w2");
  }

  @Test
  void theOwnerOrAnyoneForAnUnheldChunkCompletesIt() {
    // Given
    startJob("j", 2);
    store.claimChunk("j", "w1", LEASE, T0);

    // When
    boolean byOwner = store.completeChunk("j", 0, "w1");
    boolean unheld = store.completeChunk("j", 1, "w9");

    // Then
    assertThat(byOwner).isTrue();
    assertThat(unheld).isTrue();
    assertThat(store.chunks("j")).containsExactly(new ChunkRecord(chunk(0), ChunkState.DONE, "", 0),
        new ChunkRecord(chunk(1), ChunkState.DONE, "", 0));
    assertThat(store.claimChunk("j", "w1", LEASE, T0 + 10 * LEASE.toMillis())).isEmpty();
  }

  @Test
  void openChunksCountPendingOnesAndOtherProcessesLeasesButNotTheAskersOwn() {
    // Given: 5 chunks; p1 (the asker) holds chunk 0, p2 holds chunk 1, p3 chunk 2 (claimed later), p1 again chunk 3
    startJob("j", 5);
    store.claimChunk("j", "p1/w0", LEASE, T0);
    store.claimChunk("j", "p2/w0", LEASE, T0 + 5);
    store.claimChunk("j", "p3/w1", LEASE, T0 + 9);
    store.claimChunk("j", "p1/w1", LEASE, T0 + 20);
    long p2Ends = T0 + 5 + LEASE.toMillis();
    long p3Ends = T0 + 9 + LEASE.toMillis();

    // When / Then: chunk 4 is pending; chunks 1 and 2 are held by others; p1's own are left out
    assertThat(store.openChunks("j", "p1/")).isEqualTo(new OpenChunks(1, 2, p2Ends, p3Ends));
    assertThat(store.openChunks("j", "")).isEqualTo(new OpenChunks(1, 4, p2Ends - 5, T0 + 20 + LEASE.toMillis()));
    assertThat(secondStore().openChunks("j", "p2/")).isEqualTo(new OpenChunks(1, 3, T0 + LEASE.toMillis(),
        T0 + 20 + LEASE.toMillis()));

    // When p2 completes its chunk, p1 takes the pending one, and p3's lease expires unrenewed
    store.completeChunk("j", 1, "p2/w0");
    store.claimChunk("j", "p1/w0", LEASE, T0 + 30);
    store.renewLease("j", 0, "p1/w0", LEASE, T0 + 30);

    // Then only p3's chunk is left to wait for, expired or not (until someone claims it)
    assertThat(store.openChunks("j", "p1/")).isEqualTo(new OpenChunks(0, 1, p3Ends, p3Ends));
    assertThat(store.openChunks("j", "p1/").none()).isFalse();

    // When p1 takes p3's chunk over after its expiry
    assertThat(store.claimChunk("j", "p1/w1", LEASE, p3Ends + 1)).map(c -> c.spec().index()).contains(2);

    // Then nothing is left that p1 does not hold; an unknown job has nothing open
    assertThat(store.openChunks("j", "p1/")).isEqualTo(OpenChunks.NONE);
    assertThat(store.openChunks("j", "p1/").none()).isTrue();
    assertThat(store.openChunks("missing", "p1/")).isEqualTo(OpenChunks.NONE);
  }

  @Test
  void openChunksOfAFinishedJobAreNone() {
    // Given
    startJob("j", 2);
    store.claimChunk("j", "p2/w0", LEASE, T0);
    store.claimChunk("j", "p2/w1", LEASE, T0);

    // When
    store.completeChunk("j", 0, "p2/w0");
    store.completeChunk("j", 1, "p2/w1");

    // Then
    assertThat(store.openChunks("j", "p1/")).isEqualTo(OpenChunks.NONE);
  }

  @Test
  void releaseByTheOwnerMakesTheChunkPendingAgain() {
    // Given
    startJob("j", 2);
    store.claimChunk("j", "w1", LEASE, T0);
    store.claimChunk("j", "w2", LEASE, T0);

    // When
    store.releaseChunk("j", 0, "w1");
    store.releaseChunk("j", 1, "w1"); // not w1's: ignored

    // Then
    assertThat(store.chunks("j")).extracting(ChunkRecord::state, ChunkRecord::leaseOwner)
        .containsExactly(tuple(ChunkState.PENDING, ""), tuple(ChunkState.LEASED, "w2"));
    assertThat(store.chunks("j").get(0).leaseExpiresAtMillis()).isZero();
    assertThat(store.claimChunk("j", "w3", LEASE, T0 + 1)).map(c -> c.spec().index()).contains(0);
  }

  @Test
  void releaseAllLeasesResetsOnlyLeasedChunks() {
    // Given: 5 chunks, 0..2 leased, 2 completed
    startJob("j", 5);
    for (int i = 0; i < 3; i++) {
      store.claimChunk("j", "w" + i, LEASE, T0);
    }
    store.completeChunk("j", 2, "w2");

    // When
    int released = store.releaseAllLeases("j");

    // Then
    assertThat(released).isEqualTo(2);
    assertThat(store.chunks("j")).extracting(ChunkRecord::state).containsExactly(ChunkState.PENDING,
        ChunkState.PENDING, ChunkState.DONE, ChunkState.PENDING, ChunkState.PENDING);
    assertThat(store.claimChunk("j", "w9", LEASE, T0)).map(c -> c.spec().index()).contains(0);
  }

  @Test
  void concurrentClaimsNeverHandOutAChunkTwice() throws Exception {
    // Given
    int chunks = 200;
    int threads = 8;
    startJob("j", chunks);
    ConcurrentLinkedQueue<Integer> claimed = new ConcurrentLinkedQueue<>();
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      // When: all threads start together and claim until nothing is left
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String worker = "w" + t;
        done.add(pool.submit(() -> {
          gate.await();
          while (true) {
            var chunk = store.claimChunk("j", worker, LEASE, T0);
            if (chunk.isEmpty()) {
              return null;
            }
            claimed.add(chunk.get().spec().index());
          }
        }));
      }
      gate.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // Then: every chunk exactly once
    assertThat(claimed).hasSize(chunks);
    assertThat(claimed).containsExactlyInAnyOrderElementsOf(IntStream.range(0, chunks).boxed().toList());
  }

  @Test
  void twoStoresClaimingConcurrentlyNeverShareAChunk() throws Exception {
    // Given: two stores on one database, as two processes have, with 8 claiming threads each
    int chunks = 200;
    int threadsPerStore = 8;
    startJob("j", chunks);
    JobStore other = secondStore();
    ConcurrentLinkedQueue<Integer> claimed = new ConcurrentLinkedQueue<>();
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerStore);
    try {
      // When
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2 * threadsPerStore; t++) {
        JobStore s = t % 2 == 0 ? store : other;
        String worker = "p" + (t % 2) + "-w" + t;
        futures.add(pool.submit(() -> {
          gate.await();
          for (var c = s.claimChunk("j", worker, LEASE, T0); c.isPresent(); c = s.claimChunk("j", worker, LEASE, T0)) {
            claimed.add(c.get().spec().index());
          }
          return null;
        }));
      }
      gate.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // Then: every chunk exactly once, and each is LEASED to the worker that got it
    assertThat(claimed).containsExactlyInAnyOrderElementsOf(IntStream.range(0, chunks).boxed().toList());
    assertThat(other.chunks("j")).extracting(ChunkRecord::state).containsOnly(ChunkState.LEASED);
  }

  // ----------------------------------------------------------------------------------------- ledger

  @Test
  void firstFinalOutcomeWins() {
    // Given
    startJob("j", 1);
    store.recordOutcomes("j", List.of(done(1), invalid(2), failed(3, false)));

    // When: the same rows come again (re-sent after a crash)
    store.recordOutcomes("j", List.of(failed(1, false), done(2), done(3), failed(1, true)));

    // Then
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(1, 1, 1, 0));
    assertThat(problems("j")).extracting(RowOutcome::row, RowOutcome::outcome)
        .containsExactly(tuple(2L, Outcome.INVALID), tuple(3L, Outcome.FAILED));
  }

  @Test
  void aRetryableFailureIsReplacedByAnyLaterOutcome() {
    // Given
    startJob("j", 1);
    store.recordOutcomes("j", List.of(failed(1, true), failed(2, true), failed(3, true), failed(4, true)));

    // When
    store.recordOutcomes("j", List.of(done(1), invalid(2), failed(3, false), failedWithMessage(4, true, "again")));

    // Then
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(1, 2, 1, 1));
    assertThat(problems("j")).extracting(RowOutcome::row, RowOutcome::outcome, RowOutcome::retryable,
            RowOutcome::message)
        .containsExactly(tuple(2L, Outcome.INVALID, false, "bad email"), tuple(3L, Outcome.FAILED, false, "nope"),
            tuple(4L, Outcome.FAILED, true, "again"));
  }

  @Test
  void duplicatesWithinOneBatchFollowTheSameRule() {
    // Given
    startJob("j", 1);

    // When
    store.recordOutcomes("j", List.of(failed(1, true), done(1), failed(1, false),
        done(2), done(2), failed(3, true), failed(3, true)));

    // Then
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(2, 1, 0, 1));
    assertThat(store.settledRows("j", chunk(0))).isEqualTo(bits(0, 1));
  }

  @Test
  void maintainedCountsEqualARecountAfterMixedBatches() {
    // Given: a reference model of the ledger invariant
    int chunks = 20;
    startJob("j", chunks);
    Map<Long, RowOutcome> model = new HashMap<>();
    Random random = new Random(42);

    // When: random batches with duplicates, replacements and re-sends
    for (int b = 0; b < 60; b++) {
      List<RowOutcome> batch = new ArrayList<>();
      int size = 1 + random.nextInt(40);
      for (int i = 0; i < size; i++) {
        long row = 1 + random.nextInt(chunks * CHUNK_SIZE);
        RowOutcome o = switch (random.nextInt(4)) {
          case 0 -> done(row);
          case 1 -> invalid(row);
          case 2 -> failed(row, false);
          default -> failed(row, true);
        };
        batch.add(o);
        RowOutcome old = model.get(row);
        if (old == null || (old.outcome() == Outcome.FAILED && old.retryable())) {
          model.put(row, o);
        }
      }
      store.recordOutcomes("j", batch);
    }

    // Then: counts match the model and a recount of what the store returns
    OutcomeCounts expected = new OutcomeCounts(
        model.values().stream().filter(o -> o.outcome() == Outcome.DONE).count(),
        model.values().stream().filter(o -> o.outcome() == Outcome.FAILED).count(),
        model.values().stream().filter(o -> o.outcome() == Outcome.INVALID).count(),
        model.values().stream().filter(o -> o.outcome() == Outcome.FAILED && o.retryable()).count());
    assertThat(store.counts("j")).isEqualTo(expected);
    assertThat(recount("j", chunks)).isEqualTo(expected);
    assertThat(expected.retryableFailed()).isPositive();
  }

  @Test
  void settledRowsMarksFinalOutcomesOfTheChunkOnly() {
    // Given: chunk 1 holds rows 11..20
    startJob("j", 3);
    store.recordOutcomes("j", List.of(done(10), done(11), invalid(13), failed(15, false), failed(17, true),
        done(20), done(21)));

    // When
    BitSet settled = store.settledRows("j", chunk(1));

    // Then
    assertThat(settled).isEqualTo(bits(0, 2, 4, 9));
    assertThat(store.settledRows("j", chunk(2))).isEqualTo(bits(0));
    assertThat(store.settledRows("j", chunk(0))).isEqualTo(bits(9));
  }

  @Test
  void forEachProblemStreamsFailedAndInvalidRowsInRowOrderWithAllFields() {
    // Given: problems recorded out of order, across batches, among DONE rows
    startJob("j", 1);
    RowOutcome full = new RowOutcome(9, 0, 12, Outcome.FAILED, false, "ann@example.com", "create_user", 422,
        "email_invalid", "Email is invalid", "req_123", "");
    store.recordOutcomes("j", List.of(full, done(1), done(3)));
    RowOutcome bare = new RowOutcome(6, 0, 7, Outcome.FAILED, false, "", "", 0, "", "", "", "");
    store.recordOutcomes("j", List.of(invalid(5), failed(2, true), done(7), bare));

    // When
    List<RowOutcome> seen = problems("j");

    // Then
    assertThat(seen).containsExactly(failed(2, true), invalid(5), bare, full);
  }

  @Test
  void forEachProblemDeliversLargeLedgersCompletely() {
    // Given: more problems than any reasonable page, recorded newest first
    int rows = 2_500;
    store.createJob(job("j", T0));
    store.completePlan("j", List.of(new ChunkSpec(0, 0, 2, 1, rows)), rows, 1, "00", T0);
    List<RowOutcome> batch = new ArrayList<>();
    for (long row = rows; row >= 1; row--) {
      batch.add(row % 3 == 0 ? done(row) : invalid(row));
    }
    store.recordOutcomes("j", batch);

    // When
    List<RowOutcome> seen = problems("j");

    // Then
    assertThat(seen).hasSize(rows - rows / 3);
    assertThat(seen).extracting(RowOutcome::row).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void reopenRetryablePutsDoneChunksWithRetryableRowsBackToPending() {
    // Given: three completed chunks; retryable failures in chunks 0 and 2, a final one in chunk 1
    startJob("j", 3);
    for (int i = 0; i < 3; i++) {
      store.claimChunk("j", "w1", LEASE, T0);
      store.completeChunk("j", i, "w1");
    }
    store.recordOutcomes("j", List.of(failed(1, true), failed(4, true), failed(12, false), failed(25, true),
        done(26)));

    // When
    long reopened = store.reopenRetryable("j");

    // Then
    assertThat(reopened).isEqualTo(3);
    assertThat(store.chunks("j")).extracting(ChunkRecord::state)
        .containsExactly(ChunkState.PENDING, ChunkState.DONE, ChunkState.PENDING);
    assertThat(store.counts("j").retryableFailed()).isEqualTo(3); // outcomes stay until replaced

    // When the retries succeed
    store.recordOutcomes("j", List.of(done(1), done(4), done(25)));

    // Then
    assertThat(store.reopenRetryable("j")).isZero();
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(4, 1, 0, 0));
  }

  @Test
  void emptyBatchChangesNothing() {
    // Given
    startJob("j", 1);

    // When
    store.recordOutcomes("j", List.of());

    // Then
    assertThat(store.counts("j")).isEqualTo(OutcomeCounts.ZERO);
  }

  @Test
  void countersEqualARecountThroughRecordSealAndReopen() {
    // Given: a reference model; chunks sealed by workers, others recorded row by row
    int chunks = 6;
    startJob("j", chunks);
    Random random = new Random(11);
    Map<Long, Outcome> model = new HashMap<>();
    Map<Long, Boolean> retryable = new HashMap<>();

    // When: three rounds of claim, record, seal and reopen
    for (int round = 0; round < 3; round++) {
      for (var c = store.claimChunk("j", "w" + round, LEASE, T0 + round); c.isPresent();
          c = store.claimChunk("j", "w" + round, LEASE, T0 + round)) {
        ChunkSpec spec = c.get().spec();
        List<RowOutcome> outcomes = new ArrayList<>();
        List<RowOutcome> toSeal = new ArrayList<>();
        for (long row = spec.firstRow(); row < spec.endRow(); row++) {
          if (model.containsKey(row) && !retryable.get(row)) {
            continue; // settled: a worker sends only unsettled rows
          }
          RowOutcome o = switch (random.nextInt(5)) {
            case 0 -> invalid(row);
            case 1 -> failed(row, false);
            case 2 -> failed(row, true);
            default -> done(row);
          };
          if (o.outcome() != Outcome.DONE || model.containsKey(row)) {
            toSeal.add(o); // a DONE row is implied only when the ledger has nothing for it
          }
          model.put(row, o.outcome());
          retryable.put(row, o.outcome() == Outcome.FAILED && o.retryable());
          outcomes.add(o);
        }
        if (spec.index() % 2 == 0) {
          assertThat(store.sealChunk("j", spec.index(), "w" + round, toSeal)).isTrue();
        } else {
          store.recordOutcomes("j", outcomes);
          assertThat(store.completeChunk("j", spec.index(), "w" + round)).isTrue();
        }
      }
      store.reopenRetryable("j");
    }

    // Then
    OutcomeCounts expected = new OutcomeCounts(
        model.values().stream().filter(o -> o == Outcome.DONE).count(),
        model.values().stream().filter(o -> o == Outcome.FAILED).count(),
        model.values().stream().filter(o -> o == Outcome.INVALID).count(),
        retryable.values().stream().filter(r -> r).count());
    assertThat(expected.done() + expected.failed() + expected.invalid()).isEqualTo(chunks * CHUNK_SIZE);
    assertThat(store.counts("j")).isEqualTo(expected);
    assertThat(recount("j", chunks)).isEqualTo(expected);
    assertThat(store.reopenRetryable("j")).isEqualTo(expected.retryableFailed());
  }

  // ---------------------------------------------------------------------------------------- lookups

  @Test
  void lookupsAreKeptPerJobAndNamespaceAndALaterPutReplaces() {
    // Given
    startJob("a", 1);
    startJob("b", 1);

    // When
    store.putLookup("a", "org", "ext-1", "org_1");
    store.putLookup("a", "org", "ext-2", "org_2");
    store.putLookup("a", "org", "ext-2", "org_2b");
    store.putLookup("a", "role", "ext-1", "admin");
    store.putLookup("b", "org", "ext-1", "org_9");

    // Then
    assertThat(store.lookups("a", "org")).isEqualTo(Map.of("ext-1", "org_1", "ext-2", "org_2b"));
    assertThat(store.lookups("a", "role")).isEqualTo(Map.of("ext-1", "admin"));
    assertThat(store.lookups("b", "org")).isEqualTo(Map.of("ext-1", "org_9"));
    assertThat(store.lookups("a", "none")).isEmpty();
  }

  // ------------------------------------------------------------------------------------- processes

  @Test
  void heartbeatCountsTheLiveProcessesOfTheJob() {
    // Given
    startJob("j", 1);
    startJob("other", 1);
    Duration ttl = Duration.ofSeconds(10);

    // When / Then: each process counts itself and the others still alive
    assertThat(store.heartbeat("j", "p1", ttl, T0)).isEqualTo(1);
    assertThat(store.heartbeat("j", "p2", ttl, T0 + 1_000)).isEqualTo(2);
    assertThat(store.heartbeat("other", "p9", ttl, T0 + 1_000)).isEqualTo(1);
    assertThat(store.heartbeat("j", "p3", ttl, T0 + 2_000)).isEqualTo(3);
    assertThat(store.heartbeat("j", "p1", ttl, T0 + 5_000)).isEqualTo(3); // a renewal is no new process
  }

  @Test
  void heartbeatForgetsProcessesWhoseTtlHasPassed() {
    // Given: p1 beats at T0 (alive until T0 + 10 s), p2 at T0 + 4 s
    startJob("j", 1);
    Duration ttl = Duration.ofSeconds(10);
    store.heartbeat("j", "p1", ttl, T0);
    store.heartbeat("j", "p2", ttl, T0 + 4_000);

    // When / Then: at p1's expiry instant it no longer counts
    assertThat(store.heartbeat("j", "p2", ttl, T0 + 10_000)).isEqualTo(1);
    // and when it comes back, it counts again
    assertThat(store.heartbeat("j", "p1", ttl, T0 + 10_001)).isEqualTo(2);
    assertThat(store.heartbeat("j", "p1", ttl, T0 + 9_999 + 10_000)).isEqualTo(2);
    assertThat(store.heartbeat("j", "p1", ttl, T0 + 10_000 + 10_000)).isEqualTo(1);
  }

  @Test
  void aProcessThatLeavesIsNoLongerCounted() {
    // Given
    startJob("j", 1);
    Duration ttl = Duration.ofSeconds(10);
    store.heartbeat("j", "p1", ttl, T0);
    store.heartbeat("j", "p2", ttl, T0);

    // When
    store.leave("j", "p2");
    store.leave("j", "never-there"); // nothing to remove: no error

    // Then
    assertThat(store.heartbeat("j", "p1", ttl, T0 + 1)).isEqualTo(1);
  }

  @Test
  void heartbeatsAreSeenByEveryStoreOfTheDatabaseAndGoWithTheJob() {
    // Given: two processes, each with its own store
    startJob("j", 1);
    Duration ttl = Duration.ofSeconds(10);
    JobStore other = secondStore();
    store.heartbeat("j", "p1", ttl, T0);

    // When / Then
    assertThat(other.heartbeat("j", "p2", ttl, T0)).isEqualTo(2);
    store.deleteJob("j");
    assertThat(other.heartbeat("j", "p2", ttl, T0 + 1)).isEqualTo(1);
  }

  @Test
  void heartbeatNeedsAPositiveTtl() {
    startJob("j", 1);
    assertThatThrownBy(() -> store.heartbeat("j", "p1", Duration.ZERO, T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
  }

  // ------------------------------------------------------------------------------------- sealChunk

  @Test
  void sealingAChunkRecordsItsProblemsAndCountsTheOtherRowsDone() {
    // Given a chunk of 10 rows claimed by w1, row 1 already invalid from planning (a duplicate)
    startJob("j", 2);
    store.recordOutcomes("j", List.of(invalid(1)));
    store.claimChunk("j", "w1", LEASE, T0);

    // When w1 seals it with one more invalid row and nothing for the 8 DONE rows
    boolean sealed = store.sealChunk("j", 0, "w1", List.of(invalid(4)));

    // Then the chunk is DONE, the counts hold the 8 implied DONE rows, and every row is settled
    assertThat(sealed).isTrue();
    assertThat(store.chunks("j").get(0).state()).isEqualTo(ChunkState.DONE);
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(8, 0, 2, 0));
    assertThat(store.settledRows("j", chunk(0)).cardinality()).isEqualTo(10);
    assertThat(problems("j")).extracting(RowOutcome::row).containsExactly(1L, 4L);
    assertThat(recount("j", 2)).isEqualTo(store.counts("j"));
  }

  @Test
  void aChunkWhoseLeaseWasLostIsNotSealedAndNothingIsWritten() {
    // Given w1's lease expired and w2 took the chunk
    startJob("j", 1);
    store.claimChunk("j", "w1", LEASE, T0);
    store.claimChunk("j", "w2", LEASE, T0 + LEASE.toMillis() + 1).orElseThrow();

    // When w1, late, tries to seal it
    boolean sealed = store.sealChunk("j", 0, "w1", List.of(invalid(3)));

    // Then nothing changed
    assertThat(sealed).isFalse();
    assertThat(store.counts("j")).isEqualTo(OutcomeCounts.ZERO);
    assertThat(problems("j")).isEmpty();
    assertThat(store.chunks("j").get(0).leaseOwner()).isEqualTo("w2");
  }

  @Test
  void explicitDoneRowsAreNotCountedTwiceBySealing() {
    // Given a chunk with 3 DONE rows and a failed one already in the ledger
    startJob("j", 1);
    store.recordOutcomes("j", List.of(done(1), done(2), done(3), failed(5, false)));
    store.claimChunk("j", "w1", LEASE, T0);

    // When it is sealed
    store.sealChunk("j", 0, "w1", List.of());

    // Then 9 rows are DONE in all (3 recorded, 6 implied), and sealing again changes nothing
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(9, 1, 0, 0));
    store.sealChunk("j", 0, "w1", List.of());
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(9, 1, 0, 0));
    assertThat(recount("j", 1)).isEqualTo(store.counts("j"));
  }

  @Test
  void aSealedChunkReopenedForItsRetryableFailuresOffersOnlyThose() {
    // Given a sealed chunk with a retryable failure on row 7
    startJob("j", 1);
    store.claimChunk("j", "w1", LEASE, T0);
    store.sealChunk("j", 0, "w1", List.of(failed(7, true)));

    // When resume reopens it
    long reopened = store.reopenRetryable("j");

    // Then only row 7 is unsettled; once it is done and the chunk sealed again, all 10 rows are DONE
    assertThat(reopened).isEqualTo(1);
    assertThat(store.settledRows("j", chunk(0)).cardinality()).isEqualTo(9);
    assertThat(store.settledRows("j", chunk(0)).get(6)).isFalse();
    store.claimChunk("j", "w2", LEASE, T0 + 1);
    store.sealChunk("j", 0, "w2", List.of(done(7)));
    assertThat(store.counts("j")).isEqualTo(new OutcomeCounts(10, 0, 0, 0));
    assertThat(recount("j", 1)).isEqualTo(store.counts("j"));
  }

  // ------------------------------------------------------------------------------------------ close

  @Test
  void aClosedStoreRefusesWork() {
    // Given
    store.close();

    // When / Then
    assertThatThrownBy(() -> store.listJobs()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    store.close(); // idempotent
  }

  // ---------------------------------------------------------------------------------------- helpers

  protected static JobRecord job(String id, long createdAt) {
    return new JobRecord(id, "workos-import", "/data/users.csv", 0, "", 0, CHUNK_SIZE, "{\"org\":\"x\"}",
        JobStatus.PLANNING, "", createdAt, createdAt);
  }

  /** Chunk {@code i} of a plan with {@link #CHUNK_SIZE} rows a chunk, one header line. */
  protected static ChunkSpec chunk(int i) {
    return new ChunkSpec(i, 100L * i + 20, 2L + (long) i * CHUNK_SIZE, 1L + (long) i * CHUNK_SIZE, CHUNK_SIZE);
  }

  protected static List<ChunkSpec> plan(int chunks) {
    return IntStream.range(0, chunks).mapToObj(JobStoreContractTest::chunk).toList();
  }

  /** Creates a job and plans it with {@code chunks} chunks: the job is RUNNING, every chunk PENDING. */
  protected void startJob(String id, int chunks) {
    store.createJob(job(id, T0));
    store.completePlan(id, plan(chunks), (long) chunks * CHUNK_SIZE, 1_000, "00", T0);
  }

  protected static int chunkOf(long row) {
    return (int) ((row - 1) / CHUNK_SIZE);
  }

  protected static RowOutcome done(long row) {
    return RowOutcome.done(row, chunkOf(row), row + 1, "user" + row + "@example.com", "created");
  }

  protected static RowOutcome invalid(long row) {
    return RowOutcome.invalid(row, chunkOf(row), row + 1, "user" + row + "@example.com", "email", "bad email");
  }

  protected static RowOutcome failed(long row, boolean retryable) {
    return failedWithMessage(row, retryable, retryable ? "HTTP 503" : "nope");
  }

  protected static RowOutcome failedWithMessage(long row, boolean retryable, String message) {
    return new RowOutcome(row, chunkOf(row), row + 1, Outcome.FAILED, retryable, "user" + row + "@example.com",
        "create_user", retryable ? 503 : 409, retryable ? "" : "conflict", message, "req_" + row, "");
  }

  protected List<RowOutcome> problems(String jobId) {
    List<RowOutcome> seen = new ArrayList<>();
    store.forEachProblem(jobId, seen::add);
    return seen;
  }

  /** Counts the ledger from what the store returns (problems and settled rows), not from its counters. */
  protected OutcomeCounts recount(String jobId, int chunks) {
    List<RowOutcome> problems = problems(jobId);
    long failed = problems.stream().filter(o -> o.outcome() == Outcome.FAILED).count();
    long retryable = problems.stream().filter(o -> o.outcome() == Outcome.FAILED && o.retryable()).count();
    long invalid = problems.stream().filter(o -> o.outcome() == Outcome.INVALID).count();
    long settled = 0;
    for (int i = 0; i < chunks; i++) {
      settled += store.settledRows(jobId, chunk(i)).cardinality();
    }
    long done = settled - (failed - retryable) - invalid;
    return new OutcomeCounts(done, failed, invalid, retryable);
  }

  protected static BitSet bits(int... indexes) {
    BitSet b = new BitSet();
    for (int i : indexes) {
      b.set(i);
    }
    return b;
  }
}
