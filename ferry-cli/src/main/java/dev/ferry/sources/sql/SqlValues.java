package dev.ferry.sources.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a result row into a record of JSON-like values, as {@link dev.ferry.core.engine.RowInput#record()} holds
 * them: text → String; integers → Long; exact decimals → BigDecimal; floating point → Double; BOOLEAN and BIT →
 * Boolean; DATE, TIME, TIMESTAMP → ISO-8601 strings ({@code 2024-01-31}, {@code 10:15:30},
 * {@code 2024-01-31T10:15:30}, with the offset when the column has a time zone); binary → Base64 string; SQL
 * arrays → List; anything else (JSON, UUID, …) → its text; SQL NULL → null. Stateless and threadsafe.
 */
final class SqlValues {
  private SqlValues() {}

  /** The labels and JDBC types of a result's columns, read once per result. Immutable. */
  record Columns(String[] labels, int[] types) {
    static Columns of(ResultSet rs) throws SQLException {
      ResultSetMetaData md = rs.getMetaData();
      int n = md.getColumnCount();
      String[] labels = new String[n];
      int[] types = new int[n];
      for (int c = 1; c <= n; c++) {
        labels[c - 1] = md.getColumnLabel(c);
        types[c - 1] = md.getColumnType(c);
      }
      return new Columns(labels, types);
    }

    /** The current row of {@code rs} as column label → value, in column order (unmodifiable). */
    Map<String, Object> record(ResultSet rs) throws SQLException {
      Map<String, Object> record = new LinkedHashMap<>(labels.length * 2);
      for (int c = 1; c <= labels.length; c++) {
        record.put(labels[c - 1], value(rs, c, types[c - 1]));
      }
      return Collections.unmodifiableMap(record);
    }
  }

  static Object value(ResultSet rs, int c, int sqlType) throws SQLException {
    Object v = switch (sqlType) {
      case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR,
          Types.CLOB, Types.NCLOB -> rs.getString(c);
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> integer(rs.getObject(c));
      case Types.DECIMAL, Types.NUMERIC -> rs.getBigDecimal(c);
      case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
        double d = rs.getDouble(c);
        yield rs.wasNull() ? null : d;
      }
      case Types.BOOLEAN, Types.BIT -> {
        boolean b = rs.getBoolean(c);
        yield rs.wasNull() ? null : b;
      }
      case Types.DATE -> temporal(rs, c, LocalDate.class);
      case Types.TIME -> temporal(rs, c, LocalTime.class);
      case Types.TIMESTAMP -> temporal(rs, c, LocalDateTime.class);
      case Types.TIMESTAMP_WITH_TIMEZONE, Types.TIME_WITH_TIMEZONE -> temporal(rs, c, OffsetDateTime.class);
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
        byte[] bytes = rs.getBytes(c);
        yield bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
      }
      case Types.ARRAY -> array(rs.getArray(c));
      default -> plain(rs.getObject(c));
    };
    return rs.wasNull() ? null : v;
  }

  /** Integers as Long; an unsigned BIGINT beyond Long as BigInteger; SQLite may hand any of them. */
  private static Object integer(Object v) throws SQLException {
    return switch (v) {
      case null -> null;
      case Long l -> l;
      case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : b;
      case Number n -> n.longValue();
      case Boolean b -> b ? 1L : 0L;
      default -> plain(v);
    };
  }

  private static Object temporal(ResultSet rs, int c, Class<?> type) throws SQLException {
    try {
      Object v = rs.getObject(c, type);
      return v == null ? null : v.toString();
    } catch (SQLException | RuntimeException e) {
      // SQLite stores dates as text or numbers: give what is there
      return plain(rs.getObject(c));
    }
  }

  private static Object array(Array array) throws SQLException {
    if (array == null) return null;
    Object[] items = (Object[]) array.getArray();
    List<Object> list = new ArrayList<>(items.length);
    for (Object item : items) list.add(plain(item));
    return Collections.unmodifiableList(list);
  }

  /** A value of a type with no better mapping: JSON-like values as they are, anything else as its text. */
  private static Object plain(Object v) throws SQLException {
    return switch (v) {
      case null -> null;
      case String s -> s;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Long l -> l;
      case Float f -> (double) f;
      case Double d -> d;
      case BigDecimal d -> d;
      case BigInteger b -> b;
      case Boolean b -> b;
      case Clob clob -> clob.getSubString(1, (int) clob.length());
      case byte[] bytes -> Base64.getEncoder().encodeToString(bytes);
      default -> v.toString();
    };
  }
}
