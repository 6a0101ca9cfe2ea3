package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A Qdrant point id: an unsigned 64-bit integer or a UUID (written back in its hyphenated lowercase form, as Qdrant
 * does). Ordered as Qdrant scrolls: integers first, ascending, then UUIDs. Immutable.
 *
 * @param number the integer's bits (unsigned), when {@code uuid} is null
 * @param uuid the UUID, or null for an integer id
 */
record PointId(long number, UUID uuid) implements Comparable<PointId> {
  private static final Pattern UUID_TEXT = Pattern.compile(
      "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64);

  /**
   * Reads an id from a body: a non-negative integer below 2^64, or a UUID string.
   *
   * @throws ApiError 400 in Qdrant's shape
   */
  static PointId of(JsonNode node) {
    if (node != null && node.isIntegralNumber()) {
      BigInteger value = node.bigIntegerValue();
      if (value.signum() >= 0 && value.compareTo(MAX_U64) < 0) {
        return new PointId(value.longValue(), null);
      }
    } else if (node != null && node.isTextual() && UUID_TEXT.matcher(node.asText()).matches()) {
      return new PointId(0, uuid(node.asText()));
    }
    throw QdrantBody.Error.answer(400, "Format error in JSON body: value " + node
        + " is not a valid point ID, valid values are either an unsigned integer or a UUID");
  }

  /**
   * Reads an id from a path segment: digits or a UUID.
   *
   * @throws ApiError 400 in Qdrant's shape
   */
  static PointId parse(String text) {
    if (UUID_TEXT.matcher(text).matches()) {
      return new PointId(0, uuid(text));
    }
    try {
      return new PointId(Long.parseUnsignedLong(text), null);
    } catch (NumberFormatException e) {
      throw QdrantBody.Error.answer(400, "Wrong input: Unable to parse point id '" + text + "'");
    }
  }

  private static UUID uuid(String text) {
    String hex = text.replace("-", "").toLowerCase(Locale.ROOT);
    return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
  }

  void write(JsonGenerator g) throws IOException {
    if (uuid == null) {
      g.writeNumber(Long.toUnsignedString(number));
    } else {
      g.writeString(uuid.toString());
    }
  }

  @Override
  public int compareTo(PointId other) {
    if ((uuid == null) != (other.uuid == null)) {
      return uuid == null ? -1 : 1;
    }
    return uuid == null ? Long.compareUnsigned(number, other.number) : uuid.toString().compareTo(other.uuid.toString());
  }

  @Override
  public String toString() {
    return uuid == null ? Long.toUnsignedString(number) : uuid.toString();
  }
}
