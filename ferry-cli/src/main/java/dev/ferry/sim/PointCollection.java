package dev.ferry.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One Qdrant collection: its points by id, sorted as Qdrant scrolls them, and each vector name's length (declared
 * at creation, or fixed by the first point that has it).
 *
 * <p>Threadsafe. Concurrency: writes hold {@code this}, so an upsert's validation and its writes are one step and
 * operation ids follow the order of the writes; reads go lock-free on the concurrent map and may see a batch that
 * is being applied partly (as Qdrant's {@code wait=false}).
 */
final class PointCollection {
  private final String name;
  private final ConcurrentSkipListMap<PointId, QdrantPoint> points = new ConcurrentSkipListMap<>();
  private final Map<String, Integer> sizes; // guarded by this
  private long operations; // guarded by this

  /** @param sizes declared vector lengths by name ({@link QdrantPoint#UNNAMED} for the unnamed one); may be empty */
  PointCollection(String name, Map<String, Integer> sizes) {
    this.name = name;
    this.sizes = new HashMap<>(sizes);
  }

  /** What an upsert did. @param rewrites points whose id existed before (overwritten) */
  record Upserted(long operationId, int rewrites) {}

  /**
   * Writes every point (a point overwrites one with its id), or none when a vector has the wrong length.
   *
   * @throws ApiError 400 in Qdrant's shape
   */
  synchronized Upserted upsert(List<QdrantPoint> batch) {
    Map<String, Integer> fixed = new HashMap<>(sizes);
    for (QdrantPoint p : batch) {
      for (Map.Entry<String, float[]> v : p.vectors().entrySet()) {
        int expected = fixed.computeIfAbsent(v.getKey(), k -> v.getValue().length);
        if (expected != v.getValue().length) {
          String which = v.getKey().isEmpty() ? "" : " for vector `" + v.getKey() + "`";
          throw QdrantBody.Error.answer(400, "Wrong input: Vector dimension error" + which + ": expected dim: "
              + expected + ", got " + v.getValue().length);
        }
      }
    }
    sizes.putAll(fixed);
    int rewrites = 0;
    for (QdrantPoint p : batch) {
      if (points.put(p.id(), p) != null) rewrites++;
    }
    return new Upserted(operations++, rewrites);
  }

  QdrantPoint get(PointId id) {
    return points.get(id);
  }

  /** Up to {@code limit} points from {@code offset} (included; null = the first), and the id after them (or null). */
  record Page(List<QdrantPoint> points, PointId next) {}

  Page scroll(PointId offset, int limit) {
    var view = offset == null ? points : points.tailMap(offset, true);
    List<QdrantPoint> page = new ArrayList<>(Math.min(limit, 1024));
    PointId next = null;
    for (QdrantPoint p : view.values()) {
      if (page.size() == limit) {
        next = p.id();
        break;
      }
      page.add(p);
    }
    return new Page(page, next);
  }

  int size() {
    return points.size();
  }

  String name() {
    return name;
  }

  synchronized Map<String, Integer> sizes() {
    return Map.copyOf(sizes);
  }
}
