package dev.ferry.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What differs between the SQL of the two stores. The queries are written once, in the SQLite form (which
 * is also plain SQL but for {@code INDEXED BY} and numbered parameters); {@link #sql} adapts a query to the
 * dialect, and the lock clauses are appended where a store reads a row it is about to change.
 *
 * <p>Immutable and threadsafe.
 */
enum Dialect {
  /** SQLite: one writer at a time (BEGIN IMMEDIATE), so no row locks; {@code INDEXED BY} hints kept. */
  SQLITE(true, "", ""),
  /** PostgreSQL: row locks for read-then-write, SKIP LOCKED for claims, no index hints. */
  POSTGRES(false, " FOR UPDATE", " FOR UPDATE SKIP LOCKED");

  private static final Pattern INDEX_HINT = Pattern.compile(" INDEXED BY \\w+");

  /** Whether numbered parameters ({@code ?1}) may be used, so a value is bound once for many places. */
  final boolean numberedParameters;
  /** Appended to a SELECT whose rows the transaction then changes: others wait. */
  final String lockRows;
  /** Appended to a claim's SELECT: rows other transactions hold are passed over, not waited for. */
  final String skipLocked;

  private final Map<String, String> adapted = new ConcurrentHashMap<>();

  Dialect(boolean numberedParameters, String lockRows, String skipLocked) {
    this.numberedParameters = numberedParameters;
    this.lockRows = lockRows;
    this.skipLocked = skipLocked;
  }

  /** {@code sql} as this dialect runs it (cached: the store's queries are a small fixed set). */
  String sql(String sql) {
    if (this == SQLITE) {
      return sql;
    }
    return adapted.computeIfAbsent(sql, s -> INDEX_HINT.matcher(s).replaceAll(""));
  }
}
