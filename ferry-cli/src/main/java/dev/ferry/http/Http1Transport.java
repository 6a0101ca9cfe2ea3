package dev.ferry.http;

import dev.ferry.core.time.Ticker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * ferry's HTTP/1.1 client: blocking I/O over {@link Socket} / {@link SSLSocket}, meant for virtual threads (a
 * blocked read parks the virtual thread, not a carrier), with a bounded pool of keep-alive connections to its one
 * target. It exists because it does ferry's work with much less CPU than the JDK {@code HttpClient}, whose
 * asynchronous machinery (selector thread, futures, publishers) ferry's blocking callers do not need.
 *
 * <ul>
 *   <li>Requests: {@code Host}, the given headers, {@code Content-Length} when there is a body (and 0 for a
 *       body-less POST, PUT or PATCH), written in one go. Answers: see {@link Http1Connection}.</li>
 *   <li>Keep-alive: a connection goes back to the pool after a complete answer unless the server said
 *       {@code Connection: close} (or is HTTP/1.0 without keep-alive), the body ran to the end of the connection,
 *       or anything else made its state doubtful; otherwise it is closed. At most {@code maxIdle} idle
 *       connections are kept, each for at most {@code maxIdleTime}.</li>
 *   <li>Timeouts: connecting (and the TLS handshake) within the connect timeout, and the whole exchange within
 *       the request's timeout; a request that runs out of time throws {@link HttpTimeoutException} and its
 *       connection is closed, never reused.</li>
 *   <li>One resend: a request that fails on a <em>reused</em> idle connection before any byte of the answer
 *       arrived (the server closed the connection while it sat in the pool) is sent once more, on a fresh
 *       connection, and its {@link Transport.Reply#resent()} says so. This is safe for ferry because every
 *       create it sends carries an {@code Idempotency-Key}, and the lookups are GETs; the one case where the
 *       server had already acted on the first copy (it closed after reading the request) is the case the
 *       idempotency key exists for. A timeout is never resent.</li>
 *   <li>https: the JDK's trust store plus any {@code --ca-cert} ({@link TlsTrust}), the host name verified
 *       ({@code HTTPS} endpoint identification) and sent as SNI, ALPN {@code http/1.1}.</li>
 *   <li>Proxies ({@link ProxySettings}): an http target through a proxy gets its requests in absolute form
 *       ({@code POST http://host:port/path HTTP/1.1}) on connections to the proxy; an https target gets a
 *       {@code CONNECT host:port} tunnel per connection ({@link ProxyTunnel}), then TLS with the target inside it
 *       (certificate and host name checked against the target, as without a proxy). Credentials in the proxy URL
 *       go in {@code Proxy-Authorization}; a 407 fails with {@link ProxyException}. Sockets never use the JVM's
 *       own proxy machinery ({@link Proxy#NO_PROXY}): {@link ProxySettings} has already read its properties.</li>
 *   <li>No redirects: a 3xx answer (other than 304) throws {@link RedirectRefusedException} naming its
 *       {@code Location}. No compression, no cookies, no authentication schemes.</li>
 * </ul>
 *
 * <p>Threadsafe: requests share nothing but the {@link ConnectionPool}, itself threadsafe; each connection is
 * used by one request at a time.
 */
final class Http1Transport implements Transport {
  static final int DEFAULT_MAX_IDLE = 1024;
  /** Below the usual server keep-alive timeouts (the JDK server's 30 s, nginx's 75 s), so few pooled
   *  connections are found closed. */
  static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofSeconds(20);

  private final String host;
  private final int port;
  private final String hostHeader;
  private final SSLSocketFactory tls;
  private final long connectTimeoutNanos;
  private final Ticker ticker;
  private final Http1Limits limits;
  private final ConnectionPool pool;
  private final LongAdder opened = new LongAdder();
  /** The proxy every connection goes to, or null for none. */
  private final ProxySettings.Endpoint proxy;
  /** Before each request target: "" (origin form), or {@code http://host:port} through a proxy (absolute form). */
  private final String targetPrefix;
  /** {@code Proxy-Authorization} of every request, or null: only for an http target through a proxy. */
  private final String proxyAuthorization;

  Http1Transport(URI base, Duration connectTimeout, Ticker ticker, SSLSocketFactory tls, Http1Limits limits,
      int maxIdle, Duration maxIdleTime) {
    this(base, connectTimeout, ticker, tls, limits, maxIdle, maxIdleTime, null);
  }

  /**
   * @param tls   null for http; the factory for https (tests pass one that trusts their own certificate)
   * @param proxy the proxy to go through, or null
   */
  Http1Transport(URI base, Duration connectTimeout, Ticker ticker, SSLSocketFactory tls, Http1Limits limits,
      int maxIdle, Duration maxIdleTime, ProxySettings.Endpoint proxy) {
    String scheme = base.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("the API URL must be http:// or https://");
    }
    boolean https = "https".equalsIgnoreCase(scheme);
    if (https && tls == null) throw new IllegalArgumentException("https needs an SSLSocketFactory");
    String h = base.getHost();
    if (h == null || h.isEmpty()) throw new IllegalArgumentException("the API URL has no host");
    this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    int defaultPort = https ? 443 : 80;
    this.port = base.getPort() > 0 ? base.getPort() : defaultPort;
    this.hostHeader = port == defaultPort ? h : h + ":" + port;
    this.tls = https ? tls : null;
    this.connectTimeoutNanos = connectTimeout.toNanos();
    this.ticker = ticker;
    this.limits = limits;
    this.pool = new ConnectionPool(maxIdle, maxIdleTime.toNanos(), ticker);
    this.proxy = proxy;
    this.targetPrefix = proxy != null && !https ? "http://" + hostHeader : "";
    this.proxyAuthorization = proxy != null && !https ? proxy.authorization() : null;
  }

  /** To the scheme, host and port of {@code base}, straight, with the default limits and pool. */
  static Http1Transport of(URI base, Duration connectTimeout, Ticker ticker) {
    return of(base, connectTimeout, ticker, NetworkSettings.DIRECT);
  }

  /** To the scheme, host and port of {@code base}, through the proxy and with the trust {@code network} says. */
  static Http1Transport of(URI base, Duration connectTimeout, Ticker ticker, NetworkSettings network) {
    SSLSocketFactory tls = "https".equalsIgnoreCase(base.getScheme())
        ? TlsTrust.socketFactory(network.caCert(), network.caCertSource()) : null;
    return new Http1Transport(base, connectTimeout, ticker, tls, Http1Limits.DEFAULT, DEFAULT_MAX_IDLE,
        DEFAULT_MAX_IDLE_TIME, network.proxies().proxyFor(base));
  }

  /** The proxy this transport goes through, or null. */
  ProxySettings.Endpoint proxy() {
    return proxy;
  }

  @Override
  public Reply send(String method, String pathAndQuery, String[] headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    if (Thread.interrupted()) throw new InterruptedException("interrupted before sending");
    long now = ticker.read();
    long deadline = now + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    Http1Connection pooled = pool.poll();
    if (pooled != null) {
      try {
        return exchange(pooled, method, pathAndQuery, headers, body, deadline, false);
      } catch (HttpTimeoutException e) {
        throw e;
      } catch (IOException e) {
        if (pooled.answerStarted()) throw e;
        // the server closed the idle connection: once more on a fresh one (see the class comment)
      }
    }
    return exchange(connect(deadline), method, pathAndQuery, headers, body, deadline, pooled != null);
  }

  private Reply exchange(Http1Connection c, String method, String target, String[] headers, byte[] body,
      long deadline, boolean resent) throws IOException, InterruptedException {
    Reply reply;
    String location;
    try {
      reply = c.exchange(method, hostHeader, targetPrefix, target, proxyAuthorization, headers, body, deadline);
      location = c.location(); // read before the connection goes back to the pool, where another request may take it
    } catch (IOException | RuntimeException | Error e) {
      c.close();
      if (Thread.interrupted()) throw new InterruptedException("interrupted while waiting for the answer");
      throw e;
    }
    if (c.reusable()) {
      pool.offer(c);
    } else {
      c.close();
    }
    if (reply.status() == 407 && proxy != null) {
      throw new ProxyException("the " + proxy + " refused the request: HTTP 407" + ProxyTunnel.advice(407, proxy),
          true, null);
    }
    if (reply.status() >= 300 && reply.status() < 400 && reply.status() != 304) {
      throw new RedirectRefusedException(reply.status(), location);
    }
    return resent ? new Reply(reply.status(), reply.body(), reply.requestId(), reply.retryAfter(),
        reply.rateHeaders(), true) : reply;
  }

  private Http1Connection connect(long deadline) throws IOException, InterruptedException {
    long left = deadline - ticker.read();
    if (left <= 0) throw new HttpConnectTimeoutException("no time left to connect to " + host + ":" + port);
    long connectNanos = Math.min(connectTimeoutNanos, left);
    Socket socket = new Socket(Proxy.NO_PROXY);
    try {
      socket.setTcpNoDelay(true);
      connectSocket(socket, connectNanos);
      opened.increment();
      if (proxy != null && tls != null) {
        long tunnelLeft = deadline - ticker.read();
        if (tunnelLeft <= 0) throw new SocketTimeoutException("no time left for the tunnel");
        ProxyTunnel.open(socket, proxy, hostHeaderWithPort(), millis(tunnelLeft));
      }
      if (tls != null) socket = handshake(socket, deadline);
      return new Http1Connection(socket, ticker, limits);
    } catch (SocketTimeoutException e) {
      closeQuietly(socket);
      throw new HttpConnectTimeoutException("connecting to " + (proxy != null ? "the " + proxy : host + ":" + port)
          + " timed out");
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(socket);
      if (Thread.interrupted()) throw new InterruptedException("interrupted while connecting");
      throw e;
    }
  }

  /** To the proxy when there is one (a failure to reach it is a {@link ProxyException}), else to the target. */
  private void connectSocket(Socket socket, long connectNanos) throws IOException {
    if (proxy == null) {
      socket.connect(new InetSocketAddress(host, port), millis(connectNanos));
      return;
    }
    InetSocketAddress address = new InetSocketAddress(proxy.host(), proxy.port());
    if (address.isUnresolved()) {
      throw new ProxyException("cannot resolve the host name of the " + proxy, false, null);
    }
    try {
      socket.connect(address, millis(connectNanos));
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      throw new ProxyException("cannot connect to the " + proxy + " (" + e.getClass().getSimpleName() + ")", false, e);
    }
  }

  /** {@code host:port} with the port always (the CONNECT authority). */
  private String hostHeaderWithPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private Socket handshake(Socket plain, long deadline) throws IOException {
    SSLSocket s = (SSLSocket) tls.createSocket(plain, host, port, true);
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (!isIpLiteral(host)) p.setServerNames(List.of(new SNIHostName(host)));
    p.setApplicationProtocols(new String[] {"http/1.1"});
    s.setSSLParameters(p);
    long left = deadline - ticker.read();
    if (left <= 0) throw new SocketTimeoutException("no time left for the TLS handshake");
    s.setSoTimeout(millis(left));
    s.startHandshake();
    return s;
  }

  private static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  private static int millis(long nanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  /** Connections opened so far (for tests). */
  long connectionsOpened() {
    return opened.sum();
  }

  /** Idle connections in the pool now (for tests). */
  int idleConnections() {
    return pool.idleCount();
  }

  @Override
  public void close() {
    pool.close();
  }
}
