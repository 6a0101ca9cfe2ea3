package dev.ferry.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP forward proxy for tests, on 127.0.0.1: forwards absolute-form requests ({@code POST http://host:port/path
 * HTTP/1.1}) one per backend connection, and opens {@code CONNECT host:port} tunnels. Host names resolve through its
 * own table only (e.g. {@code api.workos.test} to the simulator's port), so a client that went around it could not
 * reach them at all. With required credentials it answers 407 to any request without that
 * {@code Proxy-Authorization}. Counts what it carried. Threadsafe.
 */
public final class ForwardProxy implements AutoCloseable {
  private final ServerSocket server;
  private final Map<String, InetSocketAddress> hosts;
  private volatile String requiredAuthorization;
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger tunnels = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> authorizations = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Socket> open = new ConcurrentLinkedQueue<>();
  private final Thread acceptor;

  private ForwardProxy(Map<String, InetSocketAddress> hosts, String requiredAuthorization) throws IOException {
    this.hosts = Map.copyOf(hosts);
    this.requiredAuthorization = requiredAuthorization;
    this.server = new ServerSocket(0, 256, InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}));
    this.acceptor = Thread.ofVirtual().name("test-proxy").start(this::accept);
  }

  /**
   * @param hosts                 the only names it resolves ({@code host} to an address)
   * @param requiredAuthorization the {@code Proxy-Authorization} value every request must carry, or null for none
   */
  public static ForwardProxy start(Map<String, InetSocketAddress> hosts, String requiredAuthorization) {
    try {
      return new ForwardProxy(hosts, requiredAuthorization);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:PORT}, optionally with credentials: the value for HTTPS_PROXY / HTTP_PROXY. */
  public String url(String userInfo) {
    return "http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + server.getLocalPort();
  }

  /** From now on, requests must carry this {@code Proxy-Authorization} (null: none needed). */
  public void requireAuthorization(String authorization) {
    this.requiredAuthorization = authorization;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Requests forwarded in absolute form. */
  public int forwarded() {
    return forwarded.get();
  }

  /** CONNECT tunnels opened. */
  public int tunnels() {
    return tunnels.get();
  }

  /** Requests refused with 407. */
  public int refused() {
    return refused.get();
  }

  /** Every Proxy-Authorization value received (null when absent is not recorded). */
  public List<String> authorizations() {
    return new ArrayList<>(authorizations);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        Thread.ofVirtual().name("test-proxy-conn").start(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) {
        List<String> head = readHead(in);
        if (head == null) return;
        String[] requestLine = head.get(0).split(" ");
        String authorization = header(head, "proxy-authorization");
        if (authorization != null) authorizations.add(authorization);
        String required = requiredAuthorization;
        if (required != null && !required.equals(authorization)) {
          refused.incrementAndGet();
          skipBody(in, head);
          out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
              + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          continue;
        }
        if (requestLine[0].equals("CONNECT")) {
          tunnel(client, in, out, requestLine[1]);
          return;
        }
        if (!forward(in, out, requestLine, head)) return;
      }
    } catch (IOException e) {
      // the client or the backend went away
    }
  }

  private void tunnel(Socket client, InputStream in, OutputStream out, String authority) throws IOException {
    int colon = authority.lastIndexOf(':');
    InetSocketAddress backend = hosts.get(authority.substring(0, colon).toLowerCase(Locale.ROOT));
    if (backend == null) {
      out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return;
    }
    try (Socket server = new Socket(backend.getAddress(), backend.getPort())) {
      open.add(server);
      tunnels.incrementAndGet();
      out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread up = Thread.ofVirtual().start(() -> {
        try {
          in.transferTo(server.getOutputStream());
          server.shutdownOutput();
        } catch (IOException ignored) {
          // closed
        }
      });
      server.getInputStream().transferTo(out);
      client.shutdownOutput();
      up.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends one request to its backend (origin form, Connection: close) and copies the whole answer back. */
  private boolean forward(InputStream in, OutputStream out, String[] requestLine, List<String> head)
      throws IOException {
    URI target = URI.create(requestLine[1]);
    InetSocketAddress backend = target.getHost() == null ? null : hosts.get(target.getHost().toLowerCase(Locale.ROOT));
    byte[] body = in.readNBytes(contentLength(head));
    if (backend == null || !"http".equals(target.getScheme())) {
      out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return true;
    }
    forwarded.incrementAndGet();
    StringBuilder request = new StringBuilder(requestLine[0]).append(' ').append(target.getRawPath())
        .append(target.getRawQuery() == null ? "" : "?" + target.getRawQuery()).append(" HTTP/1.1\r\n");
    for (String line : head.subList(1, head.size())) {
      String name = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
      if (!name.startsWith("proxy-") && !name.equals("connection")) request.append(line).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    try (Socket server = new Socket(backend.getAddress(), backend.getPort())) {
      open.add(server);
      OutputStream up = server.getOutputStream();
      up.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      up.write(body);
      up.flush();
      server.getInputStream().transferTo(out); // the backend closes after its answer
      out.flush();
    }
    return true;
  }

  /** The request line and header lines, or null at the end of the stream. */
  private static List<String> readHead(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    List<String> lines = new ArrayList<>();
    while (true) {
      int b = in.read();
      if (b < 0) return null;
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1).strip();
        line.reset();
        if (text.isEmpty()) {
          if (lines.isEmpty()) continue;
          return lines;
        }
        lines.add(text);
      } else {
        line.write(b);
      }
    }
  }

  private static String header(List<String> head, String name) {
    for (String line : head.subList(1, head.size())) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) return line.substring(colon + 1).strip();
    }
    return null;
  }

  private static int contentLength(List<String> head) {
    String v = header(head, "content-length");
    return v == null ? 0 : Integer.parseInt(v);
  }

  private static void skipBody(InputStream in, List<String> head) throws IOException {
    in.readNBytes(contentLength(head));
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    acceptor.interrupt();
  }
}
