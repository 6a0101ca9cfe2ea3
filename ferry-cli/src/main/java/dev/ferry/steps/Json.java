package dev.ferry.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.json.PooledJson;

/** JSON text ↔ JSON-like values (Map, List, String, Number, Boolean, null). Stateless; threadsafe. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper(PooledJson.factory()); // read per answer

  private Json() {}

  static String write(Object value) {
    return dev.ferry.steps.template.JsonText.write(value);
  }

  /** The tree of {@code text}, or null when it is empty or not JSON. */
  static Object readOrNull(String text) {
    if (text == null || text.isBlank()) return null;
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (Exception e) {
      return null;
    }
  }
}
