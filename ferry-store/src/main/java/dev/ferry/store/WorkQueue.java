package dev.ferry.store;

import java.util.List;

/**
 * A durable queue of work items in the job store, shared by every process that opens the same store: deliveries
 * are stored once by their id (a redelivery is recognised, never stored twice), items are claimed under leases (an
 * expired claim, e.g. of a killed process, is claimed again), and each item ends {@code done} or {@code failed}
 * (kept with its reason; failed items can be listed and put back, or dropped). A delivery is remembered, and its id
 * recognised, until it is {@linkplain #compact compacted}: received before a cut-off and every item of it done.
 *
 * <p>Implementations are threadsafe. Times are wall-clock milliseconds passed in by the caller (tests use virtual
 * time).
 */
public interface WorkQueue extends AutoCloseable {
  /** What {@link #offer} did with a delivery. */
  enum Offer {
    /** Stored with its items (committed before the call returns). */
    STORED,
    /** A delivery with this id was stored before: nothing stored now. */
    DUPLICATE,
    /** The queue holds {@code backlog} unsettled items or more: nothing stored. */
    FULL
  }

  /**
   * Stores a delivery and its items in one transaction, unless its id is already stored or the backlog is full.
   *
   * @param deliveryId the sender's delivery id (unique per queue)
   * @param items      the items' JSON texts, in order (may be empty: the delivery is remembered, nothing to run)
   * @param backlog    unsettled items (pending or claimed) at which new deliveries are refused
   */
  Offer offer(String deliveryId, List<String> items, long nowMillis, long backlog);

  /**
   * Claims up to {@code max} items that are pending and due, or whose claim expired, oldest first; each claim
   * counts as an attempt. On PostgreSQL rows another process is claiming are skipped ({@code SKIP LOCKED}).
   */
  List<QueueItem> claim(String owner, int max, long nowMillis, long leaseMillis);

  /** Extends the leases of every item {@code owner} holds. */
  void renew(String owner, long leaseUntilMillis);

  /** The item is done. Ignored when {@code owner} no longer holds it (its claim expired and another took it). */
  void done(long id, String owner, long nowMillis);

  /** The item failed for good: kept with {@code reason}. Ignored as {@link #done} when not held. */
  void fail(long id, String owner, String reason, long nowMillis);

  /** The item goes back to the queue, due at {@code dueMillis}, with the reason of its last attempt. */
  void retryLater(long id, String owner, String reason, long dueMillis);

  /**
   * The item goes back to the queue, due at {@code dueMillis}, its attempt not counted: it did not fail, something it
   * needs (a target that cannot be used) did. Ignored as {@link #done} when not held.
   */
  void postpone(long id, String owner, String reason, long dueMillis);

  /** Every item {@code owner} holds goes back to the queue, due now, its attempt not counted (a graceful stop). */
  void release(String owner);

  /** Counts and the oldest unsettled item's age. */
  QueueStats stats(long nowMillis);

  /** Failed items, oldest first, at most {@code limit}, with their whole bodies. */
  default List<FailedItem> failed(int limit) {
    return failed(limit, Integer.MAX_VALUE);
  }

  /**
   * Failed items, oldest first, at most {@code limit}, each body cut to its first {@code bodyChars} characters in the
   * store (a 9 MB body is not read to show a line of it; 0: no body), {@link FailedItem#bodyLength} its whole length.
   */
  List<FailedItem> failed(int limit, int bodyChars);

  /** Puts every failed item back in the queue (attempts reset); returns how many. */
  int redrive(long nowMillis);

  /**
   * Deletes every failed item for good; returns how many. Their deliveries are then compacted as any other (their
   * ids are recognised until then).
   */
  int dropFailed();

  /**
   * Forgets up to {@code max} deliveries received before {@code receivedBeforeMillis} whose items are all done
   * (or that had none), oldest first: the delivery and its items are deleted, so a redelivery of its id after this is
   * stored and run again. A delivery with an item pending, claimed or failed is kept, whatever its age.
   *
   * @return the deliveries forgotten (fewer than {@code max}: none older is left to forget now)
   */
  int compact(long receivedBeforeMillis, int max);

  /** Whether the store answers now. */
  boolean reachable();

  @Override
  void close();

  /** A claimed item. Immutable. */
  record QueueItem(long id, String deliveryId, int index, String body, int attempts) {}

  /**
   * A failed item. Immutable.
   *
   * @param body       the item's body, or its first characters (see {@link #bodyCut})
   * @param bodyLength the whole body's length in characters (code points, as the store counts them)
   */
  record FailedItem(long id, String deliveryId, int index, int attempts, String reason, long settledAtMillis,
      String body, long bodyLength) {
    /** Whether {@link #body} is only the start of the item's body. */
    public boolean bodyCut() {
      return body.codePointCount(0, body.length()) < bodyLength;
    }
  }

  /**
   * The queue now. Immutable.
   *
   * @param oldestAgeMillis the age of the oldest pending or claimed item, 0 when none
   */
  record QueueStats(long pending, long claimed, long done, long failed, long oldestAgeMillis) {
    /** Items not settled yet: pending or claimed. */
    public long backlog() {
      return pending + claimed;
    }
  }
}
