package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * The answer of {@code POST /v1/embeddings}: {@code {"object":"list","data":[{"object":"embedding","index":i,
 * "embedding":[...]}],"model":...,"usage":{"prompt_tokens":n,"total_tokens":n}}}. Each vector is computed while
 * writing ({@link SimEmbedding}). Immutable.
 */
record EmbeddingList(EmbeddingsRequest request) implements JsonBody {

  @Override
  public void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "list");
    g.writeArrayFieldStart("data");
    for (int i = 0; i < request.inputs().size(); i++) {
      float[] vector = SimEmbedding.vector(request.model(), request.inputs().get(i), request.dimensions());
      g.writeStartObject();
      g.writeStringField("object", "embedding");
      g.writeNumberField("index", i);
      if (request.base64()) {
        g.writeStringField("embedding", SimEmbedding.base64(vector));
      } else {
        g.writeArrayFieldStart("embedding");
        for (float f : vector) g.writeNumber(f);
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("model", request.model());
    g.writeObjectFieldStart("usage");
    g.writeNumberField("prompt_tokens", request.totalTokens());
    g.writeNumberField("total_tokens", request.totalTokens());
    g.writeEndObject();
    g.writeEndObject();
  }
}
