package dev.ferry.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's own HTTP target on an ephemeral loopback port (a JDK {@link HttpServer} answering as the test says):
 * {@code @RegisterExtension final LoopbackTarget api = new LoopbackTarget();}, then {@link #on} per path and
 * {@link #url()} for the base URL, which starts it. Stopped after each test. Not threadsafe: set up from the test.
 */
public final class LoopbackTarget implements AfterEachCallback {
  private HttpServer server;
  private boolean started;

  /** Answers requests under {@code path} with {@code handler}; before {@link #url()} only. */
  public LoopbackTarget on(String path, HttpHandler handler) {
    if (started) throw new IllegalStateException("add every path before the target starts (url())");
    server().createContext(path, handler);
    return this;
  }

  /** {@code http://127.0.0.1:PORT}, started at the first call. */
  public String url() {
    if (!started) {
      server().start();
      started = true;
    }
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private HttpServer server() {
    if (server == null) {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (server != null) server.stop(0);
    server = null;
    started = false;
  }
}
