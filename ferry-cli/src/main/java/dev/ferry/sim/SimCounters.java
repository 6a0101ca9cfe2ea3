package dev.ferry.sim;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The simulator's event counters. Threadsafe: each counter is a {@link LongAdder} (or an atomic for the
 * in-flight gauge and its maximum); a snapshot reads them one by one, so it is not a single instant.
 */
final class SimCounters {
  final LongAdder usersCreated = new LongAdder();
  final LongAdder usersDeleted = new LongAdder();
  final LongAdder organizationsCreated = new LongAdder();
  final LongAdder membershipsCreated = new LongAdder();
  final LongAdder duplicatesRefused = new LongAdder();
  final LongAdder duplicateCreations = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder unauthorized = new LongAdder();
  final LongAdder errorsInjected = new LongAdder();
  final LongAdder hangsInjected = new LongAdder();
  final LongAdder dropsInjected = new LongAdder();
  final LongAdder slowInjected = new LongAdder();
  final LongAdder idempotentReplays = new LongAdder();
  final LongAdder serialWaitNanos = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> byRoute = new ConcurrentHashMap<>();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong maxInFlight = new AtomicLong();

  /** Counts an arriving API call to {@code route}; pair with {@link #finished()}. */
  void started(String route) {
    requests.increment();
    byRoute.computeIfAbsent(route, r -> new LongAdder()).increment();
    long now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
  }

  void finished() {
    inFlight.decrementAndGet();
  }

  /** A snapshot with the current object counts, which the stores own. */
  SimStats snapshot(long users, long organizations, long memberships, EmbeddingStats embeddings, PointStats points,
      CrmStats crm) {
    Map<String, Long> routes = new TreeMap<>();
    byRoute.forEach((route, count) -> routes.put(route, count.sum()));
    return new SimStats(users, usersCreated.sum(), usersDeleted.sum(), organizations,
        organizationsCreated.sum(), memberships, membershipsCreated.sum(), duplicatesRefused.sum(),
        duplicateCreations.sum(), requests.sum(), routes, rateLimited.sum(), unauthorized.sum(),
        errorsInjected.sum(), hangsInjected.sum(), dropsInjected.sum(), slowInjected.sum(),
        idempotentReplays.sum(), inFlight.get(), maxInFlight.get(), Duration.ofNanos(serialWaitNanos.sum()),
        embeddings, points, crm);
  }
}
