package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the body of {@code PUT /collections/{c}/points}: the list form {@code {"points":[{"id","vector","payload"}]}}
 * or the columnar {@code {"batch":{"ids","vectors","payloads"}}}. A vector is an array of numbers or an object of
 * named ones. Any fault refuses the whole body (nothing is written). Stateless.
 */
final class PointsInput {
  private PointsInput() {}

  /** @throws ApiError 400 in Qdrant's shape */
  static List<QdrantPoint> parse(byte[] body) {
    JsonNode root;
    try {
      root = SimJson.parseObject(body);
    } catch (ApiError e) {
      throw format("the body is not a JSON object");
    }
    if (root.has("points")) {
      return list(root.get("points"));
    }
    if (root.has("batch")) {
      return batch(root.get("batch"));
    }
    throw format("missing field `points` or `batch`");
  }

  private static List<QdrantPoint> list(JsonNode points) {
    if (!points.isArray()) throw format("`points` must be an array");
    List<QdrantPoint> out = new ArrayList<>(points.size());
    for (JsonNode p : points) {
      if (!p.isObject()) throw format("each point must be an object");
      if (!p.has("vector")) throw format("missing field `vector` in point " + p.get("id"));
      out.add(new QdrantPoint(PointId.of(p.get("id")), vectors(p.get("vector")), payload(p.get("payload"))));
    }
    return out;
  }

  private static List<QdrantPoint> batch(JsonNode batch) {
    if (!batch.isObject() || !batch.path("ids").isArray()) throw format("`batch.ids` must be an array");
    JsonNode ids = batch.get("ids");
    JsonNode vectors = batch.get("vectors");
    JsonNode payloads = batch.get("payloads");
    int n = ids.size();
    List<Map<String, float[]>> columns = new ArrayList<>(n);
    if (vectors != null && vectors.isArray()) {
      if (vectors.size() != n) throw format("`batch.vectors` has " + vectors.size() + " items for " + n + " ids");
      for (JsonNode v : vectors) columns.add(Map.of(QdrantPoint.UNNAMED, vector(v, QdrantPoint.UNNAMED)));
    } else if (vectors != null && vectors.isObject()) {
      for (int i = 0; i < n; i++) columns.add(new LinkedHashMap<>());
      for (Iterator<Map.Entry<String, JsonNode>> it = vectors.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> named = it.next();
        if (!named.getValue().isArray() || named.getValue().size() != n) {
          throw format("`batch.vectors." + named.getKey() + "` must be an array of " + n + " vectors");
        }
        for (int i = 0; i < n; i++) columns.get(i).put(named.getKey(), vector(named.getValue().get(i), named.getKey()));
      }
    } else {
      throw format("`batch.vectors` must be an array or an object of named vectors");
    }
    if (payloads != null && !payloads.isNull() && (!payloads.isArray() || payloads.size() != n)) {
      throw format("`batch.payloads` must be an array of " + n + " payloads");
    }
    List<QdrantPoint> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JsonNode payload = payloads == null || payloads.isNull() ? null : payloads.get(i);
      out.add(new QdrantPoint(PointId.of(ids.get(i)), columns.get(i), payload(payload)));
    }
    return out;
  }

  private static Map<String, float[]> vectors(JsonNode node) {
    if (node != null && node.isArray()) {
      return Map.of(QdrantPoint.UNNAMED, vector(node, QdrantPoint.UNNAMED));
    }
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw format("a vector must be an array of numbers or an object of named vectors");
    }
    Map<String, float[]> named = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> named.put(e.getKey(), vector(e.getValue(), e.getKey())));
    return named;
  }

  private static float[] vector(JsonNode node, String name) {
    String label = name.isEmpty() ? "vector" : "vector `" + name + "`";
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw format(label + " must be a non-empty array of numbers (sparse vectors are not simulated)");
    }
    float[] out = new float[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode x = node.get(i);
      if (!x.isNumber()) throw format(label + " has a non-number at index " + i);
      out[i] = x.floatValue();
    }
    return out;
  }

  private static ObjectNode payload(JsonNode node) {
    if (node == null || node.isNull()) {
      return SimJson.MAPPER.createObjectNode();
    }
    if (!node.isObject()) throw format("a payload must be an object");
    return (ObjectNode) node;
  }

  private static ApiError format(String detail) {
    return QdrantBody.Error.answer(400, "Format error in JSON body: " + detail);
  }
}
