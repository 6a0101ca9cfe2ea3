package dev.ferry.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts {@code NO_PROXY} sends straight to the target, read as curl reads it (and as Go adds ports): entries
 * separated by commas or white space, compared without regard to case, each one of
 *
 * <ul>
 *   <li>{@code *} alone: every host;</li>
 *   <li>a host or domain name ({@code example.com}, {@code .example.com} or {@code *.example.com}: the leading dot
 *       or {@code *.} is ignored), matching the name itself and every sub-domain, never a name that merely ends
 *       the same way ({@code notexample.com}); a trailing dot is ignored on either side;</li>
 *   <li>an IP address ({@code 10.0.0.7}, {@code ::1}, {@code [::1]}), matching that address however it is written
 *       ({@code 0:0:0:0:0:0:0:1} is {@code ::1});</li>
 *   <li>a CIDR block ({@code 10.0.0.0/8}, {@code 192.168.1.0/24}, {@code ::1/128}, {@code fd00::/8}), matching the
 *       targets written as an address in it (a host name is not resolved to be compared);</li>
 *   <li>any of the names or addresses above with {@code :port} ({@code example.com:8443}, {@code 10.0.0.7:80},
 *       {@code [::1]:8080}), matching only targets on that port (the scheme's default port when the URL has
 *       none).</li>
 * </ul>
 *
 * An entry that is none of these (a bad CIDR prefix, a port that is not a number) matches nothing. Immutable and
 * threadsafe.
 */
final class NoProxy {
  static final NoProxy NONE = new NoProxy(List.of());
  private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  /** Starts as the JDK parses a literal (a hex digit or ':'), so {@code InetAddress} never looks it up. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:][0-9a-f.]*:[0-9a-f:.]*");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  /** One entry: every host, a domain, or an address block; {@code port} -1 for any port. */
  private record Entry(boolean all, String domain, byte[] network, int prefix, int port) {
    boolean matches(String host, byte[] address, int targetPort) {
      if (all) return true;
      if (port >= 0 && port != targetPort) return false;
      if (network != null) return address != null && inBlock(address, network, prefix);
      return host.equals(domain) || host.endsWith("." + domain);
    }
  }

  private final List<Entry> entries;

  private NoProxy(List<Entry> entries) {
    this.entries = entries;
  }

  /** The entries of a {@code NO_PROXY} value; null or blank: none. */
  static NoProxy parse(String value) {
    if (value == null || value.isBlank()) return NONE;
    List<Entry> out = new ArrayList<>();
    for (String raw : SEPARATORS.split(value.strip())) {
      Entry e = entry(raw.toLowerCase(Locale.ROOT));
      if (e != null) out.add(e);
    }
    return new NoProxy(List.copyOf(out));
  }

  /** Whether a target on {@code host} (a name or an address, brackets allowed) and {@code port} goes direct. */
  boolean bypass(String host, int port) {
    if (entries.isEmpty()) return false;
    String h = trimDot(unbracket(host.toLowerCase(Locale.ROOT)));
    byte[] address = address(h);
    for (Entry e : entries) if (e.matches(h, address, port)) return true;
    return false;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  private static Entry entry(String e) {
    if (e.isEmpty()) return null;
    if (e.equals("*")) return new Entry(true, null, null, 0, -1);
    String host = e;
    int port = -1;
    if (host.startsWith("[")) { // [v6] or [v6]:port
      int close = host.indexOf(']');
      if (close < 0) return null;
      String rest = host.substring(close + 1);
      if (rest.startsWith(":")) {
        port = port(rest.substring(1));
        if (port < 0) return null;
      } else if (!rest.isEmpty() && !rest.startsWith("/")) {
        return null;
      }
      host = host.substring(1, close) + (rest.startsWith("/") ? rest : "");
    } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) { // name:port or v4:port
      int colon = host.indexOf(':');
      port = port(host.substring(colon + 1));
      if (port < 0) return null;
      host = host.substring(0, colon);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) { // a CIDR block
      byte[] network = address(host.substring(0, slash));
      String bits = host.substring(slash + 1);
      if (network == null || !PORT.matcher(bits).matches()) return null;
      int prefix = Integer.parseInt(bits);
      if (prefix > network.length * 8) return null;
      return new Entry(false, null, network, prefix, port);
    }
    if (host.startsWith("*.")) host = host.substring(2);
    else if (host.startsWith(".")) host = host.substring(1);
    host = trimDot(host);
    if (host.isEmpty()) return null;
    byte[] address = address(host);
    if (address != null) return new Entry(false, null, address, address.length * 8, port);
    return new Entry(false, host, null, 0, port);
  }

  private static int port(String text) {
    if (!PORT.matcher(text).matches()) return -1;
    int p = Integer.parseInt(text);
    return p >= 1 && p <= 65_535 ? p : -1;
  }

  /** The bytes of an IPv4 or IPv6 address literal, or null for anything else (never a DNS lookup). */
  static byte[] address(String text) {
    if (IPV4.matcher(text).matches()) {
      String[] parts = text.split("\\.");
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(parts[i]);
        if (v > 255) return null;
        out[i] = (byte) v;
      }
      return out;
    }
    if (!IPV6.matcher(text).matches()) return null;
    try {
      // a text with ':' is parsed as an IPv6 literal, or refused, without a lookup
      return java.net.InetAddress.getByName(text).getAddress(); // 4 bytes for an IPv4-mapped address

    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static boolean inBlock(byte[] address, byte[] network, int prefix) {
    if (address.length != network.length) return false;
    int full = prefix / 8;
    for (int i = 0; i < full; i++) if (address[i] != network[i]) return false;
    int rest = prefix % 8;
    if (rest == 0) return true;
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static String trimDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }

  @Override
  public String toString() {
    return "NoProxy[" + entries.size() + " entries]";
  }
}
