package dev.ferry.core.spi;

/**
 * A chunk as the store sees it: its spec, state and lease. Immutable snapshot. When nobody holds the chunk
 * (PENDING or DONE), {@code leaseOwner} is empty and {@code leaseExpiresAtMillis} is 0.
 */
public record ChunkRecord(ChunkSpec spec, ChunkState state, String leaseOwner, long leaseExpiresAtMillis) {}
