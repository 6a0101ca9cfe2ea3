package dev.ferry.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Which HTTP proxy, if any, carries the requests to a target, from the settings users already have:
 *
 * <ol>
 *   <li>the JVM's properties first: {@code https.proxyHost}/{@code https.proxyPort} (default 443) for https targets,
 *       {@code http.proxyHost}/{@code http.proxyPort} (default 80) for http ones, except the hosts of
 *       {@code http.nonProxyHosts} ({@code |}-separated, {@code *} at either end of a pattern);</li>
 *   <li>then the environment, either case (lower case wins when both are set): {@code HTTPS_PROXY} for https
 *       targets, {@code HTTP_PROXY} for http ones, as {@code http://[user:password@]host[:port]} (a bare
 *       {@code host:port} too; port 80 by default), except the targets {@code NO_PROXY} names ({@link NoProxy}: as
 *       curl reads it, {@code *}, domains with their sub-domains, IP addresses, CIDR blocks, each with an optional
 *       {@code :port}).</li>
 * </ol>
 *
 * Loopback targets ({@code localhost}, {@code 127.*}, {@code ::1}) never go through a proxy, as the JDK's default
 * {@code http.nonProxyHosts} says. Credentials in the proxy URL become a {@code Proxy-Authorization: Basic} header;
 * they are never part of a message or of {@link #toString()}. Immutable and threadsafe.
 */
public final class ProxySettings {
  /** No proxy for any target. */
  public static final ProxySettings DIRECT = new ProxySettings(null, null, List.of(), null, null, NoProxy.NONE);

  private final Endpoint jvmHttps;
  private final Endpoint jvmHttp;
  private final List<String> jvmExceptions;
  private final Endpoint envHttps;
  private final Endpoint envHttp;
  private final NoProxy envExceptions;

  private ProxySettings(Endpoint jvmHttps, Endpoint jvmHttp, List<String> jvmExceptions, Endpoint envHttps,
      Endpoint envHttp, NoProxy envExceptions) {
    this.jvmHttps = jvmHttps;
    this.jvmHttp = jvmHttp;
    this.jvmExceptions = jvmExceptions;
    this.envHttps = envHttps;
    this.envHttp = envHttp;
    this.envExceptions = envExceptions;
  }

  /**
   * The settings the environment and the JVM's properties give.
   *
   * @throws IllegalArgumentException when a setting is not a proxy address; the message names the variable or
   *     property, never its value (it may hold a password)
   */
  public static ProxySettings from(Map<String, String> env, Properties properties) {
    Endpoint jvmHttps = fromProperties(properties, "https", 443);
    Endpoint jvmHttp = fromProperties(properties, "http", 80);
    String nonProxy = properties.getProperty("http.nonProxyHosts");
    List<String> jvmExceptions = nonProxy == null ? List.of() : split(nonProxy, "\\|");
    Endpoint envHttps = fromEnv(env, "https_proxy");
    Endpoint envHttp = fromEnv(env, "http_proxy");
    return new ProxySettings(jvmHttps, jvmHttp, jvmExceptions, envHttps, envHttp,
        NoProxy.parse(either(env, "no_proxy")));
  }

  /** The proxy for {@code target} (its scheme and host), or null to connect straight to it. */
  public Endpoint proxyFor(URI target) {
    boolean https = "https".equalsIgnoreCase(target.getScheme());
    String host = unbracket(target.getHost()).toLowerCase(Locale.ROOT);
    if (isLoopback(host)) return null;
    Endpoint jvm = https ? jvmHttps : jvmHttp;
    if (jvm != null) return jvmExceptions.stream().anyMatch(p -> matchesJvmPattern(host, p)) ? null : jvm;
    Endpoint env = https ? envHttps : envHttp;
    int port = target.getPort() > 0 ? target.getPort() : https ? 443 : 80;
    if (env != null) return envExceptions.bypass(host, port) ? null : env;
    return null;
  }

  private static Endpoint fromProperties(Properties properties, String scheme, int defaultPort) {
    String host = properties.getProperty(scheme + ".proxyHost");
    if (host == null || host.isBlank()) return null;
    String portText = properties.getProperty(scheme + ".proxyPort");
    int port = defaultPort;
    if (portText != null && !portText.isBlank()) {
      try {
        port = Integer.parseInt(portText.strip());
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("the JVM property " + scheme + ".proxyPort is not a port number");
      }
    }
    return new Endpoint(unbracket(host.strip()), port, null, "the JVM property " + scheme + ".proxyHost");
  }

  private static Endpoint fromEnv(Map<String, String> env, String lowerName) {
    String value = either(env, lowerName);
    if (value == null) return null;
    String name = env.get(lowerName) != null && !env.get(lowerName).isBlank() ? lowerName
        : lowerName.toUpperCase(Locale.ROOT);
    return parse(value.strip(), name);
  }

  /**
   * {@code http://[user:password@]host[:port][/]}, or {@code host[:port]}.
   *
   * @param source what the value came from, for messages ({@code HTTPS_PROXY})
   */
  static Endpoint parse(String value, String source) {
    String text = value.contains("://") ? value : "http://" + value;
    String bad = source + " is not a proxy address (expected http://[user:password@]host:port)";
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(bad);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(source + ": only http:// proxies are supported (the tunnel to an https"
          + " target is still TLS from end to end), not " + scheme + "://");
    }
    if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()
        && !uri.getRawPath().equals("/")) || uri.getRawQuery() != null) {
      throw new IllegalArgumentException(bad);
    }
    String authorization = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
      authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
          .getBytes(StandardCharsets.UTF_8));
    }
    return new Endpoint(unbracket(uri.getHost()), uri.getPort() > 0 ? uri.getPort() : 80, authorization, source);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String either(Map<String, String> env, String lowerName) {
    String lower = env.get(lowerName);
    if (lower != null && !lower.isBlank()) return lower;
    String upper = env.get(lowerName.toUpperCase(Locale.ROOT));
    return upper == null || upper.isBlank() ? null : upper;
  }

  private static List<String> split(String text, String separator) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(separator)) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      if (!p.isEmpty()) out.add(p);
    }
    return List.copyOf(out);
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
        || host.equals("0:0:0:0:0:0:0:1");
  }

  /** {@code http.nonProxyHosts}: a host, or a pattern with {@code *} at its start or end. */
  static boolean matchesJvmPattern(String host, String pattern) {
    String p = unbracket(pattern);
    if (p.equals("*")) return true;
    if (p.startsWith("*")) return host.endsWith(p.substring(1));
    if (p.endsWith("*")) return host.startsWith(p.substring(0, p.length() - 1));
    return host.equals(p);
  }

  @Override
  public String toString() {
    return "ProxySettings[https=" + jvmOrEnv(jvmHttps, envHttps) + ", http=" + jvmOrEnv(jvmHttp, envHttp) + "]";
  }

  private static String jvmOrEnv(Endpoint jvm, Endpoint env) {
    return jvm != null ? jvm.toString() : env != null ? env.toString() : "none";
  }

  /**
   * One proxy. Immutable.
   *
   * @param host          the proxy's host name or address
   * @param port          its port
   * @param authorization the {@code Proxy-Authorization} value, or null; never shown by {@link #toString()}
   * @param source        where the setting came from, for messages ({@code HTTPS_PROXY})
   */
  public record Endpoint(String host, int port, String authorization, String source) {
    /** {@code host:port}, for messages. */
    public String address() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
      return "proxy " + address() + (authorization == null ? "" : " (with credentials)") + " from " + source;
    }
  }
}
