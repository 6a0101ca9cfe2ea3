package dev.ferry.store;

import dev.ferry.core.spi.StoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns a PostgreSQL or pool failure into a {@link StoreException} whose message names the operation, the
 * server (from {@link #describe}: never the user, password or other URL parameters) and a plain-words
 * reason with the SQLState, e.g. {@code cannot claim a chunk of job 'users' in
 * postgresql://db.internal:5432/ferry: cannot connect to PostgreSQL (is it running and reachable?)
 * (SQLState 08001)}.
 *
 * <p>As {@link SqliteErrors}, the message is built only from the operation, the location and the SQLState,
 * never from the driver's text or bound values; the driver's exception stays attached as the cause. Stateless
 * and threadsafe.
 */
final class PostgresErrors {
  private PostgresErrors() {}

  /**
   * The server and database of a {@code jdbc:postgresql:} URL without credentials or parameters, e.g.
   * {@code postgresql://host:5432/db}, plus the schema when the URL names one ({@code currentSchema=}).
   */
  static String describe(String jdbcUrl) {
    return JdbcUrls.describe(jdbcUrl);
  }

  static StoreException wrap(String operation, String location, Throwable failure) {
    SQLException sql = sqlCause(failure);
    String state = sql == null ? null : sql.getSQLState();
    String reason = sql instanceof SQLTransientConnectionException && state == null
        ? "no database connection became free in time (server overloaded or unreachable)" : reason(state);
    return new StoreException("cannot " + operation + " in " + location + ": " + reason
        + (state == null ? "" : " (SQLState " + state + ")"), failure);
  }

  /** Plain-words reason for a SQLState (class or exact code). */
  static String reason(String state) {
    if (state == null) {
      return "unexpected database error";
    }
    return switch (state) {
      case "3D000" -> "the database does not exist";
      case "3F000" -> "the schema does not exist";
      case "42501" -> "permission denied";
      case "42P01" -> "a table is missing (not a ferry database?)";
      case "40001", "40P01" -> "conflict with a concurrent transaction (retried, still failing)";
      case "57P01", "57P02", "57P03" -> "the server is shutting down or starting up";
      case "53100" -> "disk full on the database server";
      default -> switch (state.substring(0, Math.min(2, state.length()))) {
        case "08" -> "cannot connect to PostgreSQL (is it running and reachable?)";
        case "28" -> "authentication failed (check user and password)";
        case "53" -> "the server is out of resources (memory or connections)";
        case "23" -> "constraint violated";
        default -> "unexpected database error";
      };
    };
  }

  /** Whether the transaction lost a race (serialization failure, deadlock) and may simply be run again. */
  static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  private static SQLException sqlCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException e) {
        return e;
      }
    }
    return null;
  }
}
