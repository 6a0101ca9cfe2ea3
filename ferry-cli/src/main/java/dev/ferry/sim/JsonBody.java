package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * A body that writes its own JSON: the shapes of the OpenAI- and Qdrant-compatible endpoints, which share nothing
 * with the WorkOS records. Implementations are immutable.
 */
non-sealed interface JsonBody extends Body {
  void write(JsonGenerator g) throws IOException;
}
