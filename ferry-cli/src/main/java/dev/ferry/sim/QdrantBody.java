package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * A Qdrant answer: {@code {"result":...,"status":"ok","time":seconds}}. Immutable.
 *
 * @param result writes the value of {@code result}
 * @param seconds how long the operation took
 */
record QdrantBody(Result result, double seconds) implements JsonBody {

  /** Writes one JSON value. */
  @FunctionalInterface
  interface Result {
    void write(JsonGenerator g) throws IOException;
  }

  @Override
  public void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeFieldName("result");
    result.write(g);
    g.writeStringField("status", "ok");
    g.writeNumberField("time", seconds);
    g.writeEndObject();
  }

  /** A Qdrant error: {@code {"status":{"error":message},"time":seconds}}. Immutable. */
  record Error(String message, double seconds) implements JsonBody {

    /** The error as an exception that answers {@code status}. */
    static ApiError answer(int status, String message) {
      return new ApiError(new ApiResponse(status, new Error(message, 0)));
    }

    @Override
    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeObjectFieldStart("status");
      g.writeStringField("error", message);
      g.writeEndObject();
      g.writeNumberField("time", seconds);
      g.writeEndObject();
    }
  }
}
