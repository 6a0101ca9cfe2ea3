package dev.ferry.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.metrics.MetricsRecorder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a {@link MicrometerRecorder}'s meters in the Prometheus text format at {@code GET /metrics}, with the
 * JDK's {@code com.sun.net.httpserver} on a virtual-thread-per-request executor. A scrape formats the registry on
 * the scraper's own virtual thread: the run's threads only ever touch the meters (lock-free), so scraping does not
 * slow the run. Anything but {@code GET}/{@code HEAD /metrics} gets 404 or 405. Beside ferry's own meters it
 * serves the process's (Micrometer's JVM memory, GC, CPU and uptime binders: {@code jvm_*}, {@code process_*},
 * {@code system_*}).
 *
 * <p>Threadsafe. {@link #close()} stops listening and ends the requests in progress.
 */
public final class PrometheusEndpoint implements AutoCloseable {
  /** The Prometheus text exposition format, version 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final MicrometerRecorder recorder;
  private final HttpServer server;
  private final ExecutorService executor;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private PrometheusEndpoint(PrometheusMeterRegistry registry, HttpServer server, ExecutorService executor) {
    this.registry = registry;
    this.recorder = new MicrometerRecorder(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts listening on {@code bind:port} (port 0: any free port, see {@link #address()}).
   *
   * @throws IOException when the address cannot be bound (in use, not local, no permission)
   */
  public static PrometheusEndpoint start(InetAddress bind, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    PrometheusEndpoint endpoint = new PrometheusEndpoint(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        server, executor);
    server.createContext("/", endpoint::handle);
    server.setExecutor(executor);
    server.start();
    return endpoint;
  }

  /**
   * Meters without a listener of their own: {@link #scrape()} gives the text for a server that serves it on its own
   * port ({@code ferry serve}'s {@code /metrics}); {@link #address()} and {@link #uri()} are not available.
   */
  public static PrometheusEndpoint unbound() {
    return new PrometheusEndpoint(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, null);
  }

  /** The recorder whose meters this endpoint serves. */
  public MetricsRecorder recorder() {
    return recorder;
  }

  /** The address listened on (with the port chosen when 0 was asked for). */
  public InetSocketAddress address() {
    if (server == null) throw new IllegalStateException("an unbound endpoint listens nowhere");
    return server.getAddress();
  }

  /** {@code http://host:port/metrics}. */
  public URI uri() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics");
  }

  /** The text a scrape returns now. */
  public String scrape() {
    return registry.scrape();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
        reply(exchange, 404, "not found: the metrics are at /metrics\n");
        return;
      }
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, "method not allowed\n");
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if ("HEAD".equals(method)) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    if (server != null) server.stop(0);
    if (executor != null) executor.close();
    gc.close();
    registry.close();
  }
}
