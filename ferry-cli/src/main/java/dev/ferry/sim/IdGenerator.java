package dev.ferry.sim;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Makes object ids (time-ordered, unique within the process thanks to a 40-bit sequence in the low
 * bits, which {@link SlotTable} uses as an index) and request ids (random). Threadsafe.
 */
final class IdGenerator {
  static final long SEQUENCE_MASK = (1L << 40) - 1;

  private final LongSupplier epochMillis;
  private final AtomicLong sequence = new AtomicLong();

  IdGenerator(LongSupplier epochMillis) {
    this.epochMillis = epochMillis;
  }

  /** 48 bits of millis | 40 random bits | 40-bit sequence. */
  SimId next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long millis = epochMillis.getAsLong() & 0xFFFF_FFFF_FFFFL;
    long hi = (millis << 16) | (random.nextLong() & 0xFFFF);
    long lo = (random.nextLong() << 40) | (sequence.incrementAndGet() & SEQUENCE_MASK);
    return new SimId(hi, lo);
  }

  /** The sequence number inside an id made by {@link #next()}: unique per process, never 0. */
  static long sequence(SimId id) {
    return id.lo() & SEQUENCE_MASK;
  }

  /** {@code req_} + 26 random characters. */
  String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new SimId(random.nextLong(), random.nextLong()).format("req");
  }
}
