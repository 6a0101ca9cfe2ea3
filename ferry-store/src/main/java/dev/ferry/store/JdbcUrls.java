package dev.ferry.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What may be said about a JDBC URL in a message, a report or the job store: the database it names, never its
 * credentials. Stateless and threadsafe.
 */
public final class JdbcUrls {
  /** URL parameters whose values are secrets (lower case): their values are scrubbed from any text. */
  private static final Set<String> SECRET_PARAMETERS =
      Set.of("password", "pass", "pwd", "sslpassword", "sslkeypassword", "keystorepassword", "truststorepassword");

  private JdbcUrls() {}

  /**
   * The database of a JDBC URL without user, password or parameters, e.g. {@code postgresql://db:5432/app} for
   * {@code jdbc:postgresql://bob:pw@db:5432/app?password=x}, plus the schema when the URL names one
   * ({@code currentSchema=}); {@code sqlite:/data/app.db} for a SQLite file.
   *
   * @throws NullPointerException if {@code jdbcUrl} is null
   */
  public static String describe(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl cannot be null");
    String rest = jdbcUrl.startsWith("jdbc:") ? jdbcUrl.substring("jdbc:".length()) : jdbcUrl;
    int end = firstOf(rest, '?', ';');
    String params = end < 0 ? "" : rest.substring(end + 1);
    String base = end < 0 ? rest : rest.substring(0, end);
    int slashes = base.indexOf("//");
    int at = base.lastIndexOf('@');
    if (slashes >= 0 && at > slashes) {
      base = base.substring(0, slashes + 2) + base.substring(at + 1); // user:password@ dropped
    } else if (at >= 0 && !base.startsWith("sqlite:")) {
      // credentials before any //, as Oracle's thin driver writes them (oracle:thin:scott/tiger@host:1521:db):
      // everything between the scheme's names and the last @ goes
      int names = schemeEnd(base);
      base = base.substring(0, names) + base.substring(at + 1);
    }
    for (String param : params.split("[&;]")) {
      if (param.startsWith("currentSchema=")) {
        return base + " (schema " + param.substring("currentSchema=".length()) + ")";
      }
    }
    return base;
  }

  /**
   * The secrets a JDBC URL carries: the password of its {@code user:password@} part and the values of its
   * password parameters. Scrub them from any text a driver wrote before showing it.
   */
  public static List<String> secrets(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl cannot be null");
    List<String> secrets = new ArrayList<>();
    int slashes = jdbcUrl.indexOf("//");
    int end = firstOf(jdbcUrl, '?', ';');
    String authority = slashes < 0 ? "" : jdbcUrl.substring(slashes + 2, end < 0 ? jdbcUrl.length() : end);
    int at = authority.lastIndexOf('@');
    if (at > 0) {
      String userInfo = authority.substring(0, at);
      int colon = userInfo.indexOf(':');
      if (colon >= 0 && colon + 1 < userInfo.length()) secrets.add(userInfo.substring(colon + 1));
    }
    int bare = jdbcUrl.lastIndexOf('@', end < 0 ? jdbcUrl.length() : end);
    if (at <= 0 && bare > 0 && (slashes < 0 || bare < slashes) && !jdbcUrl.startsWith("jdbc:sqlite:")) {
      String userInfo = jdbcUrl.substring(schemeEnd(jdbcUrl), bare); // scott/tiger or scott:tiger
      int sep = firstOf(userInfo, '/', ':');
      if (sep >= 0 && sep + 1 < userInfo.length()) secrets.add(userInfo.substring(sep + 1));
    }
    if (end >= 0) {
      for (String param : jdbcUrl.substring(end + 1).split("[&;]")) {
        int eq = param.indexOf('=');
        if (eq > 0 && eq + 1 < param.length()
            && SECRET_PARAMETERS.contains(param.substring(0, eq).toLowerCase(Locale.ROOT))) {
          secrets.add(param.substring(eq + 1));
        }
      }
    }
    return List.copyOf(secrets);
  }

  /** Where the scheme's names end: after the last of the leading {@code name:} parts ({@code jdbc:oracle:thin:}). */
  private static int schemeEnd(String url) {
    java.util.regex.Matcher m = SCHEME.matcher(url);
    return m.lookingAt() ? m.end() : 0;
  }

  private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*:)+");

  private static int firstOf(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }
}
