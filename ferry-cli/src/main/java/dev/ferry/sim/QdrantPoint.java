package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;

/**
 * One stored point. Immutable by convention: the vectors and the payload tree are the simulator's own copies,
 * never changed after parsing.
 *
 * @param vectors by name; the unnamed vector of {@code "vector": [...]} is under {@link #UNNAMED}
 * @param payload the payload object (empty when none was given)
 */
record QdrantPoint(PointId id, Map<String, float[]> vectors, ObjectNode payload) {
  static final String UNNAMED = "";

  /** {@code {"id":..,"payload":{..}?,"vector":[..] | {"name":[..]}?}}. */
  void write(JsonGenerator g, boolean withPayload, boolean withVector) throws IOException {
    g.writeStartObject();
    g.writeFieldName("id");
    id.write(g);
    if (withPayload) {
      g.writeFieldName("payload");
      SimJson.MAPPER.writeTree(g, payload);
    }
    if (withVector) {
      g.writeFieldName("vector");
      float[] unnamed = vectors.get(UNNAMED);
      if (unnamed != null && vectors.size() == 1) {
        writeVector(g, unnamed);
      } else {
        g.writeStartObject();
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
          g.writeFieldName(e.getKey());
          writeVector(g, e.getValue());
        }
        g.writeEndObject();
      }
    }
    g.writeEndObject();
  }

  private static void writeVector(JsonGenerator g, float[] vector) throws IOException {
    g.writeStartArray();
    for (float f : vector) g.writeNumber(f);
    g.writeEndArray();
  }
}
