package dev.ferry.steps;

import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.Template;

/**
 * How a batch call's answer maps back to the batch's rows. Immutable.
 *
 * <ul>
 *   <li>no {@code items}: the answer is about the whole batch (Qdrant's upsert); every row gets the call's outcome
 *       and captures read the whole answer;</li>
 *   <li>{@code items} by position: the i-th answer item is the i-th row's;</li>
 *   <li>{@code items} by index: the item whose {@code index} path reads i is the i-th row's (OpenAI embeddings:
 *       {@code $.index});</li>
 *   <li>{@code items} by key: the item whose {@code key} path equals the row's {@code rowKey} rendering.</li>
 * </ul>
 * A row with no item in the answer fails (retryably: the API dropped it). With {@code error}, an item where that
 * path is not null fails its row alone with that message (a string, or an object's {@code message}).
 *
 * @param items  path to the answer's list of items, or null
 * @param index  path in an item to its 0-based position in the request, or null
 * @param key    path in an item to its key, or null
 * @param rowKey the row's key to match {@code key} against (rendered per row), with {@code key} only
 * @param error  path in an item that marks it failed, or null
 */
public record ItemMapping(JsonPath items, JsonPath index, JsonPath key, Template rowKey, JsonPath error) {
  /** The answer is about the whole batch. */
  public static final ItemMapping WHOLE = new ItemMapping(null, null, null, null, null);

  public ItemMapping {
    if (index != null && key != null) throw new IllegalArgumentException("match items by index or by key, not both");
    if ((key == null) != (rowKey == null)) {
      throw new IllegalArgumentException("matching by key needs both the item's key path and the row's key");
    }
    if (items == null && (index != null || key != null || error != null)) {
      throw new IllegalArgumentException("index, key and error read items: give the path to the items too");
    }
  }

  public static ItemMapping byPosition(JsonPath items, JsonPath error) {
    return new ItemMapping(items, null, null, null, error);
  }

  public static ItemMapping byIndex(JsonPath items, JsonPath index, JsonPath error) {
    return new ItemMapping(items, index, null, null, error);
  }

  public static ItemMapping byKey(JsonPath items, JsonPath key, Template rowKey, JsonPath error) {
    return new ItemMapping(items, null, key, rowKey, error);
  }

  public boolean whole() {
    return items == null;
  }
}
