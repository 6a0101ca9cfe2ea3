package dev.ferry.core.spi;

/** A chunk as the store sees it: its spec, state and lease. Immutable snapshot. */
public record ChunkRecord(ChunkSpec spec, ChunkState state, String leaseOwner, long leaseExpiresAtMillis) {}
