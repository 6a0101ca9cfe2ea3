package dev.ferry.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * Builds the JDK {@link HttpClient} of a target. Given no TLS context, the JDK client sets up the default one when
 * it is built (security providers, the trust store's certificates, cipher suites): about 0.1-0.2 s of CPU at
 * start-up, for nothing when the target is plain {@code http://} (the simulator, a local proxy). Such a target
 * gets a context that refuses every use instead; requests never leave the target's scheme (paths are relative
 * to it and redirects are not followed), so it is never asked for a TLS connection. {@code https://} targets
 * keep the JDK's default. Stateless and threadsafe.
 */
final class HttpClients {
  /**
   * Runs each of the client's own tasks (completing responses) on a new virtual thread: its default executor is a
   * cached pool of platform threads, about one per ten requests in flight, each with its own stack. Shared by
   * every client; nothing to close.
   */
  private static final java.util.concurrent.Executor CLIENT_TASKS = task -> Thread.ofVirtual()
      .name("ferry-http").start(task);

  private HttpClients() {}

  /** The client for a target at {@code baseUri}: HTTP/1.1, no redirects, the given connect timeout. */
  static HttpClient forTarget(URI baseUri, Duration connectTimeout) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .executor(CLIENT_TASKS)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER);
    if ("http".equalsIgnoreCase(baseUri.getScheme())) {
      builder.sslContext(new NoTls()).sslParameters(new SSLParameters());
    }
    return builder.build();
  }

  /** A TLS context that is never set up: every use throws {@link IllegalStateException}. */
  private static final class NoTls extends SSLContext {
    NoTls() {
      super(new Refusing(), null, "none");
    }
  }

  private static final class Refusing extends SSLContextSpi {
    private static IllegalStateException refused() {
      return new IllegalStateException("TLS is not set up for a plain http:// target");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw refused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refused();
    }
  }
}
