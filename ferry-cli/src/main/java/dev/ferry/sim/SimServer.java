package dev.ferry.sim;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running WorkOS-compatible simulator on 127.0.0.1 (JDK {@code HttpServer}, one virtual thread per
 * request). Start it with {@link #start(SimConfig)}, stop it with {@link #close()}; {@link #start(SimConfig,
 * SSLContext)} serves https instead (JDK {@code HttpsServer}, the context's certificate).
 *
 * <p>Routes: {@code POST|GET /user_management/users}, {@code GET|DELETE /user_management/users/{id}},
 * {@code POST /organizations}, {@code GET /organizations/{id}},
 * {@code GET /organizations/external_id/{external_id}},
 * {@code POST|GET /user_management/organization_memberships},
 * {@code GET /user_management/organization_memberships/{id}}; admin: {@code GET /__stats},
 * {@code GET /__timeline}, {@code POST /__reset}. Beside WorkOS: OpenAI's {@code POST /v1/embeddings} and Qdrant's
 * {@code PUT|GET /collections/{c}}, {@code PUT /collections/{c}/points}, {@code GET /collections/{c}/points/{id}},
 * {@code POST /collections/{c}/points/scroll} (see docs/simulator.md).
 *
 * <p>This class is threadsafe.
 */
public final class SimServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimServer.class);
  private static final int BACKLOG = 1024;
  private static final String MAX_IDLE = "sun.net.httpserver.maxIdleConnections";

  static {
    // The JDK server closes a keep-alive connection when a response ends while 200 (its default) are already
    // idle. With more clients than that in flight (ferry bench, the peer benchmarks: 1,000), pooled client
    // connections die under them: non-idempotent calls fail with "header parser received no bytes" and every
    // client pays reconnects (measured: 5 % failed POSTs and +60 % client CPU at 1,000 in flight). Read once,
    // when the JDK's ServerConfig loads; a value set by the user wins.
    if (System.getProperty(MAX_IDLE) == null) System.setProperty(MAX_IDLE, "100000");
  }

  private final SimConfig config;
  private final SimClock clock;
  private final IdGenerator ids;
  private final HttpServer server;
  private final ExecutorService executor;
  private final boolean tls;
  private final AtomicBoolean closed = new AtomicBoolean();
  /* Concurrency: a reset publishes a fresh SimState through this volatile field; each request reads it
   * once at arrival and uses that instance to the end, so a request never mixes two states. */
  private volatile SimState state;

  private SimServer(SimConfig config, SimClock clock, SSLContext tls) throws IOException {
    this.config = config;
    this.clock = clock;
    this.ids = new IdGenerator(clock::epochMillis);
    this.state = new SimState(config, clock, ids);
    this.tls = tls != null;
    InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    InetSocketAddress address = new InetSocketAddress(loopback, config.port());
    if (tls == null) {
      this.server = HttpServer.create(address, BACKLOG);
    } else {
      HttpsServer https = HttpsServer.create(address, BACKLOG);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      this.server = https;
    }
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", new ApiHandler(config, clock, ids, () -> state));
    AdminHandler admin = new AdminHandler(ids, this::stats, this::reset, () -> state.timeline.render(clock.nanoTime()));
    server.createContext(AdminHandler.STATS, admin);
    server.createContext(AdminHandler.TIMELINE, admin);
    server.createContext(AdminHandler.RESET, admin);
  }

  /**
   * Binds 127.0.0.1:{@code config.port()} (0 = ephemeral) and starts serving.
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static SimServer start(SimConfig config) {
    return start(config, SimClock.system(), null);
  }

  /**
   * The same over https: TLS with {@code tls}'s certificate (its key managers), so {@link #baseUrl()} is
   * {@code https://127.0.0.1:PORT}.
   */
  public static SimServer start(SimConfig config, SSLContext tls) {
    return start(config, SimClock.system(), Objects.requireNonNull(tls, "tls cannot be null"));
  }

  /** Test seam: the same, with virtual time. */
  static SimServer start(SimConfig config, SimClock clock) {
    return start(config, clock, null);
  }

  private static SimServer start(SimConfig config, SimClock clock, SSLContext tls) {
    Objects.requireNonNull(config, "config cannot be null");
    Objects.requireNonNull(clock, "clock cannot be null");
    SimServer sim;
    try {
      sim = new SimServer(config, clock, tls);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + config.port() + ": " + e.getMessage(), e);
    }
    sim.server.start();
    log.debug("simulator listening on {} with {}", sim.baseUrl(), config);
    return sim;
  }

  /** The bound port (the ephemeral one when configured with 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT} ({@code https://} with TLS), without a trailing slash. */
  public URI baseUrl() {
    return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port());
  }

  public SimConfig config() {
    return config;
  }

  /** An immutable snapshot of the counters (what {@code GET /__stats} serves). */
  public SimStats stats() {
    return state.snapshot();
  }

  /**
   * Clears all data, counters, idempotency keys and rate-limiter state, and re-seeds the random source.
   * Requests in flight finish against the old state and are not counted in the new one.
   */
  public void reset() {
    state = new SimState(config, clock, ids);
  }

  /** Stops listening, closes connections and interrupts requests in progress (hangs included). Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
