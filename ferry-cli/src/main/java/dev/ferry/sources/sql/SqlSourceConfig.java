package dev.ferry.sources.sql;

import java.util.Objects;

/**
 * Where a {@link SqlSource} reads its rows: a query over JDBC, paged by a key column. Immutable.
 *
 * <p>Secrets: {@code url} may carry credentials ({@code ?user=…&password=…}) and {@code password} is one; both come
 * from the environment through the spec's parameters. {@link #toString} shows neither.
 *
 * @param url      JDBC URL: {@code jdbc:postgresql://…}, {@code jdbc:mariadb://…} (MariaDB or MySQL servers, with
 *                 the MariaDB driver), {@code jdbc:sqlite:FILE}
 * @param query    a SELECT whose rows are the job's input (it is wrapped as a subquery: no trailing semicolon
 *                 needed, any ORDER BY in it is irrelevant)
 * @param key      the column of the query that identifies a row: unique, never NULL, integer or text typed; a
 *                 plain name ({@code [A-Za-z_][A-Za-z0-9_]*}), as the query's result names it
 * @param user     the database user, or null/empty to use the URL's
 * @param password the password, or null/empty to use the URL's (or none)
 */
public record SqlSourceConfig(String url, String query, String key, String user, String password) {
  public SqlSourceConfig {
    url = requireText(url, "url");
    JdbcDatabase.requireDatabaseUrl(url);
    query = stripTrailingSemicolons(requireText(query, "query"));
    key = JdbcDatabase.requireIdentifier(requireText(key, "key"), "key");
    user = emptyToNull(user);
    password = emptyToNull(password);
  }

  /** A source with the URL's own credentials (or none). */
  public SqlSourceConfig(String url, String query, String key) {
    this(url, query, key, null, null);
  }

  @Override
  public String toString() {
    return "SqlSourceConfig[url=" + JdbcDatabase.describeUrl(url) + ", query=" + query + ", key=" + key
        + ", user=" + (user == null ? "(from url)" : user) + ", password=" + (password == null ? "(none)" : "***")
        + "]";
  }

  static String requireText(String value, String field) {
    Objects.requireNonNull(value, field + " cannot be null");
    if (value.isBlank()) throw new IllegalArgumentException(field + " cannot be empty");
    return value.strip();
  }

  private static String stripTrailingSemicolons(String query) {
    String q = query;
    while (q.endsWith(";")) q = q.substring(0, q.length() - 1).stripTrailing();
    if (q.isEmpty()) throw new IllegalArgumentException("query cannot be empty");
    return q;
  }

  static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
