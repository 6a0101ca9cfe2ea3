package dev.ferry.core.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable job state: the job, its chunks (with leases) and the row ledger. One contract for every
 * implementation (SQLite embedded, PostgreSQL distributed); {@code JobStoreContractTest} runs against
 * each.
 *
 * <p>Implementations are threadsafe: workers of one process call them concurrently, and in distributed
 * mode several processes share one store. Every method that changes state is atomic (one transaction).
 *
 * <p>Ledger invariant: a row has at most one recorded outcome. Recording an outcome for a row that already
 * has one replaces it only when the existing one is a retryable FAILED; otherwise the first outcome wins
 * (so a row re-sent after a crash is never counted twice).
 *
 * <p>Time is passed in as {@code nowMillis} so leases are testable in virtual time.
 */
public interface JobStore extends AutoCloseable {

  /** Creates a job in status PLANNING. @throws IllegalStateException if the id exists. */
  void createJob(JobRecord job);

  Optional<JobRecord> findJob(String jobId);

  /** All jobs, newest first. */
  List<JobRecord> listJobs();

  /** Deletes the job, its chunks, ledger, lookups and heartbeats (used to redo an interrupted plan). */
  void deleteJob(String jobId);

  /** Sets status and message; returns the updated record. @throws IllegalStateException if absent. */
  JobRecord updateStatus(String jobId, JobStatus status, String message, long nowMillis);

  /**
   * Finishes planning in one transaction: stores the chunks, sets the row total and the input's size and
   * hash, and moves the job to RUNNING.
   */
  void completePlan(String jobId, List<ChunkSpec> chunks, long totalRows, long inputSize, String inputSha256,
      long nowMillis);

  /**
   * Claims one chunk for {@code workerId}: the PENDING chunk with the lowest index, or else a LEASED one whose
   * lease has expired. The lease lasts {@code lease} from {@code nowMillis}. Two concurrent callers never
   * receive the same chunk.
   */
  Optional<ChunkRecord> claimChunk(String jobId, String workerId, Duration lease, long nowMillis);

  /**
   * The job's chunks that are not DONE, for a worker that found none to claim and decides whether to wait: the
   * PENDING ones, and the LEASED ones whose lease owner does not start with {@code ownPrefix} (the workers of other
   * processes; the asking process names its workers {@code ownPrefix + ...}) with their earliest and latest lease
   * expiry. An absent job has none. A read: it takes no lock and changes nothing.
   *
   * <p>The default reads {@link #chunks}; a store with many chunks answers it with one aggregate query.
   *
   * @param ownPrefix the prefix of the asking process's worker ids (may be empty: then every lease counts)
   */
  default OpenChunks openChunks(String jobId, String ownPrefix) {
    java.util.Objects.requireNonNull(ownPrefix, "ownPrefix cannot be null");
    int pending = 0;
    int held = 0;
    long first = Long.MAX_VALUE;
    long last = 0;
    for (ChunkRecord c : chunks(jobId)) {
      if (c.state() == ChunkState.PENDING) {
        pending++;
      } else if (c.state() == ChunkState.LEASED
          && (ownPrefix.isEmpty() || !c.leaseOwner().startsWith(ownPrefix))) {
        held++;
        first = Math.min(first, c.leaseExpiresAtMillis());
        last = Math.max(last, c.leaseExpiresAtMillis());
      }
    }
    return held == 0 ? new OpenChunks(pending, 0, 0, 0) : new OpenChunks(pending, held, first, last);
  }

  /** Extends the lease if {@code workerId} still holds it; false when it was lost. */
  boolean renewLease(String jobId, int chunkIndex, String workerId, Duration lease, long nowMillis);

  /** Marks a chunk DONE if {@code workerId} holds it (or nobody does); false when the lease was lost. */
  boolean completeChunk(String jobId, int chunkIndex, String workerId);

  /**
   * Completes a chunk whose rows were all processed and records their outcomes, in one transaction:
   * {@code outcomes} are recorded as {@link #recordOutcomes} does, every row of the chunk that then still
   * has no outcome counts as DONE without a ledger row of its own (an <em>implied</em> outcome: the chunk
   * keeps the count), and the chunk becomes DONE. Does nothing and returns false when {@code workerId} no
   * longer holds the chunk (its lease expired and another worker took it).
   *
   * <p>For runs whose rows cost nothing to redo (dry runs): nothing is written per DONE row, and a crash
   * before the seal simply redoes the chunk. After the seal, {@link #settledRows} reports every row of the
   * chunk but retryable failures, {@link #counts} includes the implied rows, {@link #forEachProblem} is
   * unchanged (implied rows are DONE).
   *
   * @return true when the chunk was sealed
   */
  boolean sealChunk(String jobId, int chunkIndex, String workerId, Collection<RowOutcome> outcomes);

  /** Puts a chunk held by {@code workerId} back to PENDING (a worker stopping early). */
  void releaseChunk(String jobId, int chunkIndex, String workerId);

  /** Puts every LEASED chunk of the job back to PENDING (embedded resume after a crash). Returns how many. */
  int releaseAllLeases(String jobId);

  List<ChunkRecord> chunks(String jobId);

  /** Records outcomes (see the ledger invariant in the class comment). One transaction for the batch. */
  void recordOutcomes(String jobId, Collection<RowOutcome> outcomes);

  /** Row numbers of the chunk that have a final outcome (anything but a retryable FAILED). */
  java.util.BitSet settledRows(String jobId, ChunkSpec chunk);

  OutcomeCounts counts(String jobId);

  /**
   * When the job last made progress: the epoch millis of the last write that settled a row (any outcome), 0 when
   * none has yet (or the store does not keep it). {@link JobRecord#updatedAtMillis} is the last status change, which
   * stays put through a run of hours.
   */
  default long progressAtMillis(String jobId) {
    return 0;
  }

  /** Streams FAILED and INVALID outcomes in row order (for the errors file). */
  void forEachProblem(String jobId, Consumer<RowOutcome> consumer);

  /**
   * Reopens retryable failures for another attempt: their chunks go back to PENDING (the outcomes stay until
   * replaced). Returns the number of retryable rows.
   */
  long reopenRetryable(String jobId);

  /** Remembers a lookup result shared by all workers (e.g. organization external_id → id). */
  void putLookup(String jobId, String namespace, String key, String value);

  Map<String, String> lookups(String jobId, String namespace);

  /**
   * Announces that process {@code processId} works on job {@code jobId} until {@code nowMillis + ttl}
   * (inserting or extending its row), forgets processes of the job whose announcement has expired, and returns
   * how many processes of the job are alive: those whose expiry is after {@code nowMillis}, this one included
   * (so always at least 1).
   *
   * <p>This is how the processes of one job split its rate limit without a round trip per request: each
   * process calls this every so often (well within {@code ttl}) and paces its own requests at
   * {@code limit / returned count}. A process that dies stops counting once its ttl has passed, and the others
   * take over its share on their next heartbeat.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  int heartbeat(String jobId, String processId, Duration ttl, long nowMillis);

  /** Removes the heartbeat of {@code processId} (a clean exit): the other processes count it no more. */
  void leave(String jobId, String processId);

  @Override
  void close();
}
