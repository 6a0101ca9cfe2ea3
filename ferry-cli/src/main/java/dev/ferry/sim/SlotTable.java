package dev.ferry.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Objects by id, indexed by the id's sequence number ({@link IdGenerator#sequence}) in chunks of 64 Ki
 * slots: 4 bytes per id issued instead of a hash-map entry and key object (about 70 bytes). Ids of
 * other kinds share the sequence, so slots are sparse by that factor. Threadsafe.
 */
final class SlotTable<T extends Identified> {
  /*
   * Concurrency: a chunk is created once (chunks.computeIfAbsent) and never removed; a slot is an
   * AtomicReferenceArray element, so get/put/remove have volatile semantics. A slot is written only by
   * the creation of the one object whose id carries that sequence number, and cleared by its removal
   * (compareAndSet), so no two writers race on a slot. size counts non-empty slots.
   */
  private static final int CHUNK_BITS = 16;
  private static final int CHUNK_SIZE = 1 << CHUNK_BITS;

  private final ConcurrentHashMap<Long, AtomicReferenceArray<T>> chunks = new ConcurrentHashMap<>();
  private final AtomicLong size = new AtomicLong();

  /** The object with exactly this id, or null (also for null or foreign ids). */
  T get(SimId id) {
    if (id == null) {
      return null;
    }
    long sequence = IdGenerator.sequence(id);
    AtomicReferenceArray<T> chunk = chunks.get(sequence >>> CHUNK_BITS);
    T value = chunk == null ? null : chunk.get((int) (sequence & (CHUNK_SIZE - 1)));
    return value != null && value.hasId(id) ? value : null;
  }

  /** @throws IllegalStateException if the slot is taken (ids not made by one IdGenerator) */
  void put(T value) {
    long sequence = IdGenerator.sequence(value.id());
    AtomicReferenceArray<T> chunk = chunks.computeIfAbsent(sequence >>> CHUNK_BITS,
        k -> new AtomicReferenceArray<>(CHUNK_SIZE));
    if (!chunk.compareAndSet((int) (sequence & (CHUNK_SIZE - 1)), null, value)) {
      throw new IllegalStateException("slot " + sequence + " is taken: ids must come from one IdGenerator");
    }
    size.incrementAndGet();
  }

  /** Removes {@code value} if it is stored. */
  void remove(T value) {
    long sequence = IdGenerator.sequence(value.id());
    AtomicReferenceArray<T> chunk = chunks.get(sequence >>> CHUNK_BITS);
    if (chunk != null && chunk.compareAndSet((int) (sequence & (CHUNK_SIZE - 1)), value, null)) {
      size.decrementAndGet();
    }
  }

  long size() {
    return size.get();
  }

  /** Up to {@code limit} stored objects, in no particular order. */
  List<T> some(int limit) {
    List<T> out = new ArrayList<>(Math.min(limit, 100));
    for (AtomicReferenceArray<T> chunk : chunks.values()) {
      for (int i = 0; i < CHUNK_SIZE && out.size() < limit; i++) {
        T value = chunk.get(i);
        if (value != null) {
          out.add(value);
        }
      }
    }
    return out;
  }
}
