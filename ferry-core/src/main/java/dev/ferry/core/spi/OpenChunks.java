package dev.ferry.core.spi;

/**
 * The chunks of a job that are not DONE, as one process sees them when it finds nothing to claim
 * ({@link JobStore#openChunks}): those waiting to be claimed, and those leased by workers of other processes with
 * the span of their leases' expiries. Chunks leased by the asking process itself are left out (its own workers
 * settle them). Immutable.
 *
 * @param pending            chunks in state PENDING (claimable now)
 * @param heldByOthers       chunks LEASED by a worker of another process, expired or not
 * @param firstLeaseEndMillis the earliest lease expiry among those (epoch millis); 0 when there are none
 * @param lastLeaseEndMillis  the latest lease expiry among those (epoch millis); 0 when there are none
 */
public record OpenChunks(int pending, int heldByOthers, long firstLeaseEndMillis, long lastLeaseEndMillis) {
  /** Nothing pending, nothing held by other processes. */
  public static final OpenChunks NONE = new OpenChunks(0, 0, 0, 0);

  public OpenChunks {
    if (pending < 0 || heldByOthers < 0) throw new IllegalArgumentException("counts must not be negative");
    if (heldByOthers == 0 && (firstLeaseEndMillis != 0 || lastLeaseEndMillis != 0)) {
      throw new IllegalArgumentException("no lease ends without a held chunk");
    }
    if (firstLeaseEndMillis > lastLeaseEndMillis) {
      throw new IllegalArgumentException("firstLeaseEndMillis must not be after lastLeaseEndMillis");
    }
  }

  /** True when no chunk is left for this process to claim or wait for: every other one is DONE or its own. */
  public boolean none() {
    return pending == 0 && heldByOthers == 0;
  }
}
