package dev.ferry.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

/**
 * Jackson factories whose buffers come from one pool shared by every thread, for JSON read or written per row, per
 * answer or per item. Jackson's default pool keeps buffers per thread, and every row, answer and served item runs on a
 * virtual thread of its own: a per-thread pool never hands a buffer back, so each parse or write allocated fresh ~8 KB
 * buffers (2.7 % of the client's CPU at 5 ms latency, JFR on the peers' workload c; half of the spec path's `$.id`
 * scan of each answer, docs/PERFORMANCE.md session 11). A parser or generator returns its buffers when closed; one
 * left open only misses the reuse.
 */
public final class PooledJson {
  private PooledJson() {}

  /** A new factory drawing on a concurrent pool of its own (threadsafe, as every {@link JsonFactory}). */
  public static JsonFactory factory() {
    return JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();
  }
}
