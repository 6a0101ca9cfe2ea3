package dev.ferry.steps;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import dev.ferry.json.PooledJson;

/**
 * Reads one top-level field of a JSON object's text ({@code $.id} of an answer) by scanning its tokens, without
 * building the tree {@link Json#readOrNull} would: the value is the one that tree's field holds (text that is not
 * JSON, or whose object does not close, has none; of a name given twice the last; what follows the object is not
 * read, as the tree's reader does not), or {@link #UNSURE} when the field holds anything but a string or null (a
 * number, a boolean, an object or a list are left to the tree, so their types stay the tree's) or the text is not an
 * object. Stateless; threadsafe.
 */
final class FieldScan {
  /** The answer is not a string (or null): read the tree instead. */
  static final Object UNSURE = new Object();
  /** Its buffers from a pool shared by all threads ({@link PooledJson}). */
  private static final JsonFactory FACTORY = PooledJson.factory();

  private FieldScan() {}

  static Object read(String text, String name) {
    if (text == null || text.isBlank()) return null;
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return UNSURE;
      Object value = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        if (t != JsonToken.FIELD_NAME) return UNSURE; // cannot happen in an object: the tree decides
        boolean wanted = name.equals(p.currentName());
        JsonToken v = p.nextToken();
        if (!wanted) {
          p.skipChildren(); // an object or a list skipped whole (its tokens still checked)
        } else if (v == JsonToken.VALUE_STRING) {
          value = p.getText();
        } else if (v == JsonToken.VALUE_NULL) {
          value = null;
        } else {
          return UNSURE;
        }
      }
      return value;
    } catch (IOException e) {
      return null; // not JSON (or cut short): the tree is null, and so is any path into it
    }
  }
}
