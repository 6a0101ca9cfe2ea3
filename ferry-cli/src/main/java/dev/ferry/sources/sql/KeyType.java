package dev.ferry.sources.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The two kinds of key a SQL source pages on, and how a chunk's planned keys are written in its
 * {@linkplain dev.ferry.core.spi.ChunkSpec#position() position}: integers as runs ({@code i:1..500,502,504..1001},
 * a few bytes for a serial id; {@code i:3..2999/3} for ids with a step), text as a JSON array ({@code s:["a","b"]}). Immutable and threadsafe.
 */
enum KeyType {
  /** SMALLINT, INTEGER, BIGINT (and SQLite's INTEGER): read and bound as {@code long}. */
  INTEGER('i'),
  /** CHAR, VARCHAR, TEXT: read and bound as {@code String}. */
  TEXT('s');

  private static final ObjectMapper JSON = new ObjectMapper();

  final char tag;

  KeyType(char tag) {
    this.tag = tag;
  }

  static KeyType ofTag(char tag) {
    for (KeyType t : values()) {
      if (t.tag == tag) return t;
    }
    throw new IllegalArgumentException("unknown key type '" + tag + "'");
  }

  /**
   * The key type of column {@code column} from its JDBC type, or, when the driver does not say (SQLite over an
   * expression), from the value of the current row; null when the column is neither integer nor text.
   */
  static KeyType of(ResultSet rs, int column) throws SQLException {
    switch (rs.getMetaData().getColumnType(column)) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
        return INTEGER;
      }
      case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR -> {
        return TEXT;
      }
      default -> {
        Object value = rs.getObject(column);
        if (value instanceof Integer || value instanceof Long || value instanceof Short) return INTEGER;
        if (value instanceof String) return TEXT;
        return null;
      }
    }
  }

  /**
   * Whether the current row's value in {@code column} is of this type (SQL NULL is, as no type). SQLite keeps each
   * value's own type, so one column may hold integers in some rows and text in others; its keys are checked row by row.
   */
  boolean holds(ResultSet rs, int column) throws SQLException {
    Object value = rs.getObject(column);
    if (value == null) return true;
    return this == INTEGER ? value instanceof Integer || value instanceof Long || value instanceof Short
        : value instanceof String;
  }

  /** The key in column {@code column} of the current row (Long or String), or null for SQL NULL. */
  Object read(ResultSet rs, int column) throws SQLException {
    if (this == INTEGER) {
      long v = rs.getLong(column);
      return rs.wasNull() ? null : v;
    }
    return rs.getString(column);
  }

  void bind(PreparedStatement ps, int index, Object key) throws SQLException {
    if (this == INTEGER) {
      ps.setLong(index, (Long) key);
    } else {
      ps.setString(index, (String) key);
    }
  }

  /** The position text of a chunk's keys, in planned order. */
  String encode(List<Object> keys) {
    StringBuilder sb = new StringBuilder().append(tag).append(':');
    if (this == TEXT) {
      try {
        return sb.append(JSON.writeValueAsString(keys)).toString();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write text keys as JSON", e);
      }
    }
    int i = 0;
    while (i < keys.size()) {
      long first = (Long) keys.get(i);
      // a run: consecutive keys with one step (1 for a serial id, n on a cluster that interleaves n writers)
      long step = i + 1 < keys.size() ? (Long) keys.get(i + 1) - first : 1;
      int j = i;
      if (step > 0) {
        while (j + 1 < keys.size() && (Long) keys.get(j + 1) - (Long) keys.get(j) == step) j++;
      }
      if (step != 1 && j == i + 1) j = i; // two keys with a step other than 1 are shorter as a list
      if (i > 0) sb.append(',');
      sb.append(first);
      if (j > i) {
        sb.append("..").append((long) (Long) keys.get(j));
        if (step != 1) sb.append('/').append(step);
      }
      i = j + 1;
    }
    return sb.toString();
  }

  /**
   * The keys of a position written by {@link #encode}, in planned order.
   *
   * @throws IllegalArgumentException when {@code position} is not one
   */
  static Decoded decode(String position) {
    if (position.length() < 2 || position.charAt(1) != ':') {
      throw new IllegalArgumentException("not a SQL source position: '" + abbreviate(position) + "'");
    }
    KeyType type = ofTag(position.charAt(0));
    String body = position.substring(2);
    List<Object> keys = new ArrayList<>();
    if (type == TEXT) {
      try {
        keys.addAll(JSON.readValue(body, new TypeReference<List<String>>() {}));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("not a SQL source position: '" + abbreviate(position) + "'", e);
      }
      return new Decoded(type, keys);
    }
    if (body.isEmpty()) return new Decoded(type, keys);
    for (String run : body.split(",")) {
      int dots = run.indexOf("..", 1); // a run's first number may be negative: "-5..-3"
      int slash = run.indexOf('/');
      long first = Long.parseLong(dots < 0 ? run : run.substring(0, dots));
      long last = dots < 0 ? first : Long.parseLong(run.substring(dots + 2, slash < 0 ? run.length() : slash));
      long step = slash < 0 ? 1 : Long.parseLong(run.substring(slash + 1));
      if (step < 1) throw new IllegalArgumentException("not a SQL source position: '" + abbreviate(position) + "'");
      for (long k = first; k <= last; k += step) keys.add(k);
    }
    return new Decoded(type, keys);
  }

  /** A decoded position. */
  record Decoded(KeyType type, List<Object> keys) {}

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
