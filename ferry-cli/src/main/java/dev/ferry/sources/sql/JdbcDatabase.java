package dev.ferry.sources.sql;

import dev.ferry.store.JdbcUrls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A database reached over JDBC by the SQL source and sink: opens connections with the configured credentials and
 * turns driver failures into messages that never show them. Immutable and threadsafe.
 *
 * <p>Secrets: the user's password (given as a field or inside the URL) is kept here only to connect. Every message
 * this class builds names the database by {@link #location()} (no user, password or URL parameters), and driver
 * texts are scrubbed of every password before they are quoted.
 */
public final class JdbcDatabase {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern QUALIFIED = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  /** Longest driver text quoted in a message. */
  private static final int MAX_REASON = 300;

  private final String url;
  private final String user;
  private final String password;
  private final String location;
  private final List<String> secrets;

  /**
   * @param url      a JDBC URL, or a {@code postgres://} or {@code mysql://} URL ({@link DatabaseUrl}); may carry
   *                 credentials
   * @param user     the user, or null for the URL's
   * @param password the password, or null for the URL's
   * @throws IllegalArgumentException if {@code url} is neither
   */
  public JdbcDatabase(String url, String user, String password) {
    Objects.requireNonNull(url, "url cannot be null");
    requireDatabaseUrl(url);
    DatabaseUrl given = DatabaseUrl.of(url);
    this.url = given.jdbcUrl();
    this.location = JdbcUrls.describe(this.url);
    this.user = user != null && !user.isEmpty() ? user : given.user();
    this.password = password != null && !password.isEmpty() ? password : given.password();
    List<String> s = new ArrayList<>(JdbcUrls.secrets(url));
    if (this.password != null && !this.password.isEmpty()) s.add(this.password);
    this.secrets = List.copyOf(s);
  }

  /**
   * Refuses a value that is no database URL ({@code jdbc:…}, {@code postgres://…}, {@code mysql://…}) with a message
   * that quotes none of it: the value is a secret, and a mistaken one (a password pasted into {@code DATABASE_URL})
   * most of all. Only a scheme's name ({@code http}) is said.
   *
   * @throws IllegalArgumentException if {@code url} is not a database URL
   */
  public static void requireDatabaseUrl(String url) {
    if (DatabaseUrl.of(url.strip()).jdbcUrl().startsWith("jdbc:")) return;
    java.util.regex.Matcher scheme = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]{0,20})://").matcher(url);
    throw new IllegalArgumentException("not a database URL: expected jdbc:postgresql://host/db, "
        + "postgres://user@host/db, jdbc:mariadb://host/db, mysql://user@host/db or jdbc:sqlite:FILE, found "
        + (scheme.lookingAt() ? "a " + scheme.group(1) + ":// URL" : "something else")
        + " (the value is not shown: it may hold a password)");
  }

  /** The database without credentials, e.g. {@code postgresql://db:5432/app}. */
  public String location() {
    return location;
  }

  /** Whether this is a PostgreSQL database (it types bound parameters strictly). */
  public boolean isPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** Whether this is a SQLite file (each value keeps its own type, whatever the column's). */
  public boolean isSqlite() {
    return url.startsWith("jdbc:sqlite:");
  }

  /** A new connection (the caller closes it). */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    if (user != null) props.setProperty("user", user);
    if (password != null) props.setProperty("password", password);
    if (isPostgres()) props.setProperty("logServerErrorDetail", "false"); // no bound values in server errors
    return DriverManager.getConnection(url, props);
  }

  /**
   * One line saying what failed (throw it without the driver's exception as the cause: drivers may quote the URL,
   * password included, in their texts and stack traces): {@code cannot <doing> in <location>: <driver's reason, scrubbed> (SQLState s)}.
   */
  public String message(String doing, SQLException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (reason.startsWith("No suitable driver")) {
      reason = "no JDBC driver for this URL (ferry has PostgreSQL, MariaDB/MySQL and SQLite)";
    }
    reason = scrub(reason).replaceAll("\\s+", " ").strip();
    if (reason.length() > MAX_REASON) reason = reason.substring(0, MAX_REASON) + "…";
    String state = e.getSQLState();
    return "cannot " + doing + " in " + location + ": " + reason + (state == null ? "" : " (SQLState " + state + ")");
  }

  /** {@code text} with every password of this database replaced by {@code ***}. */
  public String scrub(String text) {
    String t = text;
    for (String secret : secrets) t = t.replace(secret, "***");
    return t;
  }

  /**
   * {@code name} when it is a plain SQL identifier ({@code [A-Za-z_][A-Za-z0-9_]*}), which needs no quoting in any
   * database; else an {@link IllegalArgumentException} naming {@code field}.
   */
  public static String requireIdentifier(String name, String field) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(field + " must be a plain column name (letters, digits, _), was '" + name
          + "'");
    }
    return name;
  }

  /** As {@link #requireIdentifier}, allowing one {@code schema.} qualifier (for table names). */
  public static String requireQualifiedIdentifier(String name, String field) {
    if (!QUALIFIED.matcher(name).matches()) {
      throw new IllegalArgumentException(field + " must be a plain table name (letters, digits, _, one schema.),"
          + " was '" + name + "'");
    }
    return name;
  }

  static String describeUrl(String url) {
    return JdbcUrls.describe(url);
  }

  @Override
  public String toString() {
    return "JdbcDatabase[" + location + "]";
  }
}
