package dev.ferry.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Opens a tunnel through an HTTP proxy with {@code CONNECT host:port}, on a socket already connected to the proxy,
 * before the TLS handshake with the target. The proxy's answer is read byte by byte up to its blank line, so not a
 * byte of the target's TLS stream is consumed. Stateless and threadsafe.
 */
final class ProxyTunnel {
  /** The proxy's answer to CONNECT, status line and headers, at most this long. */
  static final int MAX_ANSWER = 16 * 1024;

  private ProxyTunnel() {}

  /**
   * @param timeoutMillis the time left for the whole exchange with the proxy
   * @throws ProxyException when the proxy answers anything but 2xx, or not HTTP
   * @throws HttpTimeoutException when the proxy does not answer in time
   */
  static void open(Socket socket, ProxySettings.Endpoint proxy, String authority, int timeoutMillis)
      throws IOException {
    StringBuilder request = new StringBuilder(128).append("CONNECT ").append(authority).append(" HTTP/1.1\r\nHost: ")
        .append(authority).append("\r\n");
    if (proxy.authorization() != null) request.append("Proxy-Authorization: ").append(proxy.authorization()).append("\r\n");
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    socket.setSoTimeout(timeoutMillis);
    String statusLine;
    try {
      statusLine = readHead(socket.getInputStream(), proxy);
    } catch (SocketTimeoutException e) {
      throw new HttpTimeoutException("the " + proxy + " did not answer CONNECT in time");
    }
    int status = statusOf(statusLine);
    if (status < 0) {
      throw new ProxyException("the " + proxy + " did not answer CONNECT in HTTP (is it an HTTP proxy?)", false, null);
    }
    if (status / 100 != 2) {
      throw new ProxyException("the " + proxy + " refused the tunnel to " + authority + ": HTTP " + status
          + reason(statusLine) + advice(status, proxy), status == 407, null);
    }
  }

  /** Reads the answer up to its blank line; returns its first line. */
  private static String readHead(InputStream in, ProxySettings.Endpoint proxy) throws IOException {
    StringBuilder head = new StringBuilder();
    int lineStart = 0;
    String first = null;
    while (true) {
      int b = in.read();
      if (b < 0) throw new ProxyException("the " + proxy + " closed the connection instead of answering CONNECT", false, null);
      if (head.length() >= MAX_ANSWER) throw new ProxyException("the " + proxy + "'s answer to CONNECT is too long", false, null);
      head.append((char) b);
      if (b == '\n') {
        String line = head.substring(lineStart, head.length()).strip();
        if (first == null) first = line;
        else if (line.isEmpty()) return first;
        lineStart = head.length();
      }
    }
  }

  /** The status of {@code HTTP/1.x NNN ...}, or -1. */
  static int statusOf(String line) {
    if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' ') return -1;
    for (int i = 9; i < 12; i++) if (line.charAt(i) < '0' || line.charAt(i) > '9') return -1;
    return Integer.parseInt(line.substring(9, 12));
  }

  private static String reason(String statusLine) {
    String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
    StringBuilder safe = new StringBuilder();
    for (int i = 0; i < reason.length() && safe.length() < 80; i++) {
      char c = reason.charAt(i);
      if (c >= ' ' && c < 0x7f) safe.append(c);
    }
    return safe.isEmpty() ? "" : " " + safe;
  }

  static String advice(int status, ProxySettings.Endpoint proxy) {
    return switch (status) {
      case 407 -> proxy.authorization() == null
          ? " (the proxy wants credentials: put them in the proxy URL, http://user:password@host:port)"
          : " (check the user and password in " + proxy.source() + ")";
      case 403 -> " (the proxy does not allow this destination)";
      default -> "";
    };
  }
}
