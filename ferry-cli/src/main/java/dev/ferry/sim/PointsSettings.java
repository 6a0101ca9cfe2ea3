package dev.ferry.sim;

/**
 * Settings of the simulator's Qdrant-compatible points API. Immutable. {@link #toString()} never shows the key.
 *
 * @param requiredKey when set, every call must carry it in {@code api-key} (or {@code Authorization: Bearer});
 *     null = no key needed, as a Qdrant without one
 * @param autoCreateCollections whether an upsert into a missing collection creates it (a simulator convenience);
 *     false answers 404 as Qdrant does, so the collection must be made with {@code PUT /collections/{c}} first
 */
public record PointsSettings(String requiredKey, boolean autoCreateCollections) {

  /** @throws IllegalArgumentException for a blank key */
  public PointsSettings {
    if (requiredKey != null && requiredKey.isBlank()) {
      throw new IllegalArgumentException("the points api-key must not be blank");
    }
  }

  /** No key, collections created on first upsert. */
  public static PointsSettings defaults() {
    return new PointsSettings(null, true);
  }

  public PointsSettings withRequiredKey(String key) {
    return new PointsSettings(key, autoCreateCollections);
  }

  public PointsSettings withAutoCreateCollections(boolean autoCreate) {
    return new PointsSettings(requiredKey, autoCreate);
  }

  @Override
  public String toString() {
    return "PointsSettings[requiredKey=" + (requiredKey == null ? "none" : "***")
        + ", autoCreateCollections=" + autoCreateCollections + "]";
  }
}
