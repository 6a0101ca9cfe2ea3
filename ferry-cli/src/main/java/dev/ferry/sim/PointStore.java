package dev.ferry.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's Qdrant collections by name. Threadsafe: a concurrent map; creating a collection is atomic.
 */
final class PointStore {
  private final ConcurrentHashMap<String, PointCollection> collections = new ConcurrentHashMap<>();
  private final boolean autoCreate;

  PointStore(boolean autoCreate) {
    this.autoCreate = autoCreate;
  }

  /** @return false when the collection existed (nothing changed) */
  boolean create(String name, Map<String, Integer> sizes) {
    return collections.putIfAbsent(name, new PointCollection(name, sizes)) == null;
  }

  /** The collection to upsert into: created empty when missing and auto-creation is on. @throws ApiError 404 */
  PointCollection forUpsert(String name) {
    return autoCreate ? collections.computeIfAbsent(name, n -> new PointCollection(n, Map.of())) : existing(name);
  }

  /** @throws ApiError 404 in Qdrant's shape */
  PointCollection existing(String name) {
    PointCollection c = collections.get(name);
    if (c == null) {
      throw QdrantBody.Error.answer(404, "Not found: Collection `" + name + "` doesn't exist!");
    }
    return c;
  }

  int collections() {
    return collections.size();
  }

  long points() {
    long n = 0;
    for (PointCollection c : collections.values()) n += c.size();
    return n;
  }
}
