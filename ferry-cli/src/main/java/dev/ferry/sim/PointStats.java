package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The points API's counters in a {@link SimStats} snapshot ({@code "points"} in {@code /__stats}). Immutable.
 * Exactly-once evidence: {@code written − rewrites} is the number of distinct ids ever written, so with one
 * collection and no reset {@code points == written − rewrites}, and {@code rewrites} counts the points written more
 * than once.
 *
 * @param points points stored now, in all collections
 * @param collections collections that exist now
 * @param requests calls to the Qdrant routes, whatever their answer
 * @param upserts upsert calls that wrote their points
 * @param written points written by those upserts
 * @param rewrites points written whose id already existed (overwritten)
 * @param invalid 400s
 * @param notFound 404s (missing collection or point)
 * @param unauthorized 401s
 */
public record PointStats(long points, long collections, long requests, long upserts, long written, long rewrites,
    long invalid, long notFound, long unauthorized) {

  static final PointStats NONE = new PointStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  void write(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("points");
    g.writeNumberField("points", points);
    g.writeNumberField("collections", collections);
    g.writeNumberField("requests", requests);
    g.writeNumberField("upserts", upserts);
    g.writeNumberField("written", written);
    g.writeNumberField("rewrites", rewrites);
    g.writeNumberField("invalid", invalid);
    g.writeNumberField("not_found", notFound);
    g.writeNumberField("unauthorized", unauthorized);
    g.writeEndObject();
  }

  static PointStats read(JsonNode n) {
    return new PointStats(n.path("points").asLong(), n.path("collections").asLong(), n.path("requests").asLong(),
        n.path("upserts").asLong(), n.path("written").asLong(), n.path("rewrites").asLong(),
        n.path("invalid").asLong(), n.path("not_found").asLong(), n.path("unauthorized").asLong());
  }
}
