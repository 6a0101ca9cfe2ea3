package dev.ferry.recipes.workos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.json.PooledJson;

/**
 * The one {@link ObjectMapper} of the import. Threadsafe (Jackson's mappers are, once configured).
 * Its buffers come from a pool shared by all threads ({@link PooledJson}).
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper(PooledJson.factory());

  private Json() {}
}
