package dev.ferry.store;

import dev.ferry.core.spi.StoreException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Turns a {@link SQLException} into a {@link StoreException} whose message names the operation, the
 * database file and a plain-words reason with the SQLite code, e.g. {@code cannot record outcomes of job
 * 'users' in /x/.ferry/ferry.db: the database is read-only (SQLITE_READONLY)}.
 *
 * <p>The message is built only from the operation, the path and the error code, never from the driver's
 * text or bound values, so row content (emails, messages) cannot leak into logs through it. The driver's
 * exception stays attached as the cause for debugging. Stateless and threadsafe.
 */
final class SqliteErrors {
  private SqliteErrors() {}

  static StoreException wrap(String operation, Path file, SQLException e) {
    SQLiteErrorCode code = e instanceof SQLiteException se ? se.getResultCode() : null;
    String name = code == null ? "SQLState " + e.getSQLState() : code.name();
    int primary = code == null ? -1 : code.code & 0xff;
    return new StoreException(
        "cannot " + operation + " in " + file + ": " + reason(primary) + " (" + name + ")", e);
  }

  /** Plain-words reason for a primary SQLite result code (the low byte of an extended code). */
  static String reason(int primaryCode) {
    return switch (primaryCode) {
      case 3 -> "permission denied"; // SQLITE_PERM
      case 5, 6 -> "the database is locked by another process; is another ferry running on it?"; // BUSY, LOCKED
      case 7 -> "out of memory"; // SQLITE_NOMEM
      case 8 -> "the database is read-only (file or directory not writable)"; // SQLITE_READONLY
      case 9 -> "interrupted"; // SQLITE_INTERRUPT
      case 10 -> "I/O error (disk failing, or file removed while in use)"; // SQLITE_IOERR
      case 11, 26 -> "the file is corrupt or not a ferry database"; // SQLITE_CORRUPT, SQLITE_NOTADB
      case 13 -> "disk full"; // SQLITE_FULL
      case 14 -> "cannot open the file (missing directory or no permission)"; // SQLITE_CANTOPEN
      case 19 -> "constraint violated"; // SQLITE_CONSTRAINT
      default -> "unexpected database error";
    };
  }
}
