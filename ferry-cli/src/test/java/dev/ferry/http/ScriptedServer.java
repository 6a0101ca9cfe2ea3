package dev.ferry.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw loopback HTTP server for edge cases: each accepted connection is served by the next script the test
 * queued (a connection with no script left is closed at once), on its own virtual thread; the socket is closed when
 * its script returns. Threadsafe.
 */
final class ScriptedServer implements AutoCloseable {
  /** What the server does with one connection. */
  @FunctionalInterface
  interface Script {
    void serve(Conn c) throws Exception;
  }

  private final ServerSocket server;
  private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;

  ScriptedServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(this::acceptLoop);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  int port() {
    return server.getLocalPort();
  }

  /** Queues the script for the next connection. */
  ScriptedServer then(Script script) {
    scripts.add(script);
    return this;
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** Every request read so far (head and body, as Latin-1 text), in order. */
  List<String> requests() {
    return requests;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      sockets.add(s);
      Script script = scripts.poll();
      Thread.ofVirtual().start(() -> {
        try (s) {
          if (script != null) script.serve(new Conn(s));
        } catch (Exception ignored) {
          // the client went away, or the test is over
        }
      });
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) s.close();
    acceptor.interrupt();
  }

  /** One accepted connection. */
  final class Conn {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Reads one request (head, then a Content-Length body); null when the client closed the connection first. */
    String readRequest() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) return null;
        head.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
      }
      String request = text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
      requests.add(request);
      return request;
    }

    /** Writes Latin-1 text as it is. */
    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** Waits until the client closes the connection (or sends more; true only for a close). */
    boolean awaitClientClose() throws IOException {
      return in.read() < 0;
    }

    Socket socket() {
      return socket;
    }
  }

  /** An answer with a Content-Length body. */
  static String answer(int status, String body, String... headerLines) {
    StringBuilder b = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
    for (String h : headerLines) b.append(h).append("\r\n");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    b.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
    return b + new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** Serves requests on one connection with {@code answer(200, "ok")} until the client closes it. */
  static Script keepAlive() {
    return c -> {
      while (c.readRequest() != null) c.write(answer(200, "ok"));
    };
  }
}
