package dev.ferry.sinks.sql;

import dev.ferry.sources.sql.JdbcDatabase;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link SqlUpdateSink} writes a settled row's results: {@code UPDATE table SET column = value, … WHERE
 * key = row's key}. Immutable.
 *
 * <p>Secrets: as {@link dev.ferry.sources.sql.SqlSourceConfig}, {@code url} and {@code password} may carry
 * credentials; {@link #toString} shows neither.
 *
 * @param url      JDBC URL of the database (usually the source's)
 * @param user     the database user, or null/empty for the URL's
 * @param password the password, or null/empty for the URL's (or none)
 * @param table    the table to update ({@code name} or {@code schema.name}, plain identifiers)
 * @param key      the table's key column (a plain identifier)
 * @param keyField the field of the row's record that holds the key value; null/empty means the same as {@code key}
 * @param set      column → value path, in order: {@code step.field[.field…]} into the row's step results (a number
 *                 indexes a list), or {@code row.field} into the row's record; an absent value is written as NULL
 */
public record SqlUpdateSinkConfig(String url, String user, String password, String table, String key,
    String keyField, Map<String, String> set) {
  public SqlUpdateSinkConfig {
    Objects.requireNonNull(url, "url cannot be null");
    JdbcDatabase.requireDatabaseUrl(url);
    table = JdbcDatabase.requireQualifiedIdentifier(Objects.requireNonNull(table, "table cannot be null"), "table");
    key = JdbcDatabase.requireIdentifier(Objects.requireNonNull(key, "key cannot be null"), "key");
    keyField = keyField == null || keyField.isEmpty() ? key : keyField;
    user = user == null || user.isEmpty() ? null : user;
    password = password == null || password.isEmpty() ? null : password;
    Objects.requireNonNull(set, "set cannot be null");
    if (set.isEmpty()) throw new IllegalArgumentException("set must name at least one column");
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : set.entrySet()) {
      String column = JdbcDatabase.requireIdentifier(Objects.requireNonNull(e.getKey(), "column cannot be null"),
          "set column");
      String path = Objects.requireNonNull(e.getValue(), "the value path of " + column + " cannot be null").strip();
      if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
        throw new IllegalArgumentException("set." + column + " must be a path like step.field or row.field, was '"
            + path + "'");
      }
      copy.put(column, path);
    }
    set = Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    return "SqlUpdateSinkConfig[url=" + new JdbcDatabase(url, null, null).location() + ", table=" + table + ", key="
        + key + ", keyField=" + keyField + ", set=" + set + ", user=" + (user == null ? "(from url)" : user)
        + ", password=" + (password == null ? "(none)" : "***") + "]";
  }
}
