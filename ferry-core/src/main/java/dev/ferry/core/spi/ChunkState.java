package dev.ferry.core.spi;

/** Life cycle of a chunk: PENDING → LEASED → DONE; a LEASED chunk whose lease expired may be claimed again. */
public enum ChunkState {
  /** Not started, or released/reopened for another attempt. */
  PENDING,
  /** Held by one worker until its lease expires; heartbeats extend the lease. */
  LEASED,
  /** Every row of the chunk has a final outcome in the ledger. */
  DONE
}
