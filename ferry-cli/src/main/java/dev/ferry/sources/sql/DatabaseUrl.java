package dev.ferry.sources.sql;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A database URL as given: a JDBC URL as it is, or the {@code scheme://user:password@host:port/db?params} form that
 * hosting platforms, libpq and most tools write ({@code DATABASE_URL}), turned into its JDBC URL with the user and
 * password apart: {@code postgres://} and {@code postgresql://} → {@code jdbc:postgresql://host:port/db?params};
 * {@code mysql://} and {@code mariadb://} → {@code jdbc:mariadb://…}. User and password are percent-decoded.
 * Immutable.
 *
 * @param jdbcUrl  the JDBC URL, without user and password when they were taken out
 * @param user     the URL's user, or null
 * @param password the URL's password, or null
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

  /** The JDBC form of {@code url}; a {@code jdbc:} URL or an unknown scheme is kept as it is. */
  public static DatabaseUrl of(String url) {
    int sep = url.indexOf("://");
    if (url.startsWith("jdbc:") || sep < 0) return new DatabaseUrl(url, null, null);
    String jdbcScheme = switch (url.substring(0, sep).toLowerCase(Locale.ROOT)) {
      case "postgres", "postgresql" -> "postgresql";
      case "mysql", "mariadb" -> "mariadb";
      default -> null;
    };
    if (jdbcScheme == null) return new DatabaseUrl(url, null, null);
    String rest = url.substring(sep + 3);
    int pathStart = firstOf(rest, '/', '?');
    String authority = pathStart < 0 ? rest : rest.substring(0, pathStart);
    String tail = pathStart < 0 ? "" : rest.substring(pathStart);
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String info = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
      if (user.isEmpty()) user = null;
    }
    return new DatabaseUrl("jdbc:" + jdbcScheme + "://" + authority + tail, user, password);
  }

  /**
   * The JDBC URL with the user and password as its {@code user} and {@code password} parameters (percent-encoded), as
   * a driver takes them when only a URL can be given; the JDBC URL itself when the URL held neither.
   */
  public String withCredentials() {
    StringBuilder url = new StringBuilder(jdbcUrl);
    char sep = jdbcUrl.indexOf('?') < 0 ? '?' : '&';
    if (user != null) {
      url.append(sep).append("user=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
      sep = '&';
    }
    if (password != null) url.append(sep).append("password=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
    return url.toString();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static int firstOf(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  @Override
  public String toString() {
    return "DatabaseUrl[" + jdbcUrl + (user == null ? "" : ", user " + user) + "]";
  }
}
