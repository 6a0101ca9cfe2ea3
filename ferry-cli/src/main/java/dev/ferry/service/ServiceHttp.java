package dev.ferry.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.store.WorkQueue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP front (JDK HTTP server, a virtual thread per request): the ingest routes, {@code /healthz},
 * {@code /readyz}, {@code /metrics} (Prometheus text), {@code /status} (JSON: {@link ServiceStatus}),
 * {@code GET /failed}, {@code POST /failed/redrive} and {@code POST /failed/drop}.
 *
 * <p>Memory is bounded: a body above {@code maxBody} gets 413 without being kept, and at most
 * {@link #MAX_BODIES_IN_MEMORY} deliveries are read at once (others get 503 + Retry-After), so the bodies in memory
 * never exceed {@code MAX_BODIES_IN_MEMORY × maxBody}. Threadsafe.
 */
final class ServiceHttp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Deliveries read at once; more get 503 at once. */
  static final int MAX_BODIES_IN_MEMORY = 64;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Ingest> routes;
  private final WorkQueue queue;
  private final long maxBody;
  private final long retryAfterSeconds;
  private final BooleanSupplier draining;
  private final Supplier<java.util.Optional<String>> unusable;
  private final Supplier<String> metrics;
  private final Supplier<Map<String, Object>> status;
  private final Semaphore bodies = new Semaphore(MAX_BODIES_IN_MEMORY);
  private final java.util.function.LongSupplier now;
  /** "Bearer " + the admin token, as bytes, or null when the admin routes are open. */
  private final byte[] adminAuthorization;

  /** @param adminToken the bearer token {@code /status} and {@code /failed} require, or null for none */
  ServiceHttp(InetSocketAddress address, Map<String, Ingest> routes, WorkQueue queue, long maxBody,
      long retryAfterSeconds, BooleanSupplier draining, Supplier<String> metrics, Supplier<Map<String, Object>> status,
      java.util.function.LongSupplier now, String adminToken) throws IOException {
    this(address, routes, queue, maxBody, retryAfterSeconds, draining, metrics, status, now, adminToken,
        java.util.Optional::empty);
  }

  /**
   * @param unusable why a target cannot be used now, if one cannot: {@code /readyz} still answers 200 (deliveries
   *                 are stored and kept) and says so in its body
   */
  ServiceHttp(InetSocketAddress address, Map<String, Ingest> routes, WorkQueue queue, long maxBody,
      long retryAfterSeconds, BooleanSupplier draining, Supplier<String> metrics, Supplier<Map<String, Object>> status,
      java.util.function.LongSupplier now, String adminToken, Supplier<java.util.Optional<String>> unusable)
      throws IOException {
    this.unusable = unusable;
    this.adminAuthorization = adminToken == null ? null : ("Bearer " + adminToken).getBytes(StandardCharsets.UTF_8);
    this.routes = Map.copyOf(routes);
    this.queue = queue;
    this.maxBody = maxBody;
    this.retryAfterSeconds = retryAfterSeconds;
    this.draining = draining;
    this.metrics = metrics;
    this.status = status;
    this.now = now;
    this.server = HttpServer.create(address, 0);
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  /** Deliveries whose bodies are being read now (for tests). */
  int bodiesBeingRead() {
    return MAX_BODIES_IN_MEMORY - bodies.availablePermits();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      Ingest ingest = routes.get(path);
      if (ingest != null) {
        if (!"POST".equals(method)) {
          reply(ex, 405, "POST only", 0);
        } else {
          ingest(ex, ingest);
        }
        return;
      }
      switch (method + " " + path) {
        case "GET /healthz" -> reply(ex, 200, "ok", 0);
        case "GET /readyz" -> {
          if (draining.getAsBoolean()) reply(ex, 503, "draining", 0);
          else if (!queue.reachable()) reply(ex, 503, "the store cannot be reached", 0);
          else reply(ex, 200, unusable.get().map(why -> "ready (deliveries are stored; the drain waits: target"
              + " unusable: " + why + ")").orElse("ready"), 0);
        }
        case "GET /metrics" -> {
          byte[] text = metrics.get().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          ex.sendResponseHeaders(200, text.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(text);
          }
        }
        case "GET /status", "GET /failed", "POST /failed/redrive", "POST /failed/drop" -> {
          if (!admitted(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            reply(ex, 401, "this route needs the service's admin token (Authorization: Bearer ...)", 0);
          } else if (path.equals("/status")) {
            json(ex, 200, status.get());
          } else if (method.equals("GET")) {
            json(ex, 200, failed());
          } else if (path.equals("/failed/drop")) {
            json(ex, 200, Map.of("dropped", queue.dropFailed()));
          } else {
            json(ex, 200, Map.of("redriven", queue.redrive(now.getAsLong())));
          }
        }
        default -> reply(ex, 404, "not found", 0);
      }
    } catch (RuntimeException e) {
      log.warn("request failed: {}", e.toString());
    }
  }

  /** True when the admin routes are open, or the request carries the admin token (compared in constant time). */
  private boolean admitted(HttpExchange ex) {
    if (adminAuthorization == null) return true;
    String given = ex.getRequestHeaders().getFirst("Authorization");
    return given != null && MessageDigest.isEqual(adminAuthorization, given.getBytes(StandardCharsets.UTF_8));
  }

  private List<Map<String, Object>> failed() {
    return queue.failed(1000, 0).stream().map(ServiceStatus::describe).toList();
  }

  private void ingest(HttpExchange ex, Ingest ingest) throws IOException {
    if (draining.getAsBoolean()) {
      reply(ex, 503, "draining: send it to another replica or later", retryAfterSeconds);
      return;
    }
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null && parseLong(length) > maxBody) {
      drain(ex.getRequestBody());
      reply(ex, 413, "the body is larger than " + maxBody + " bytes", 0);
      return;
    }
    if (!bodies.tryAcquire()) {
      reply(ex, 503, "too many deliveries at once", retryAfterSeconds);
      return;
    }
    try {
      byte[] body = readAtMost(ex.getRequestBody(), maxBody);
      if (body == null) {
        reply(ex, 413, "the body is larger than " + maxBody + " bytes", 0);
        return;
      }
      Ingest.Answer a = ingest.accept(body, name -> ex.getRequestHeaders().getFirst(name));
      reply(ex, a.status(), a.text(), a.retryAfterSeconds());
    } finally {
      bodies.release();
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The body, or null when it is longer than {@code max} (the rest is read and dropped). */
  private static byte[] readAtMost(InputStream in, long max) throws IOException {
    byte[] got = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (got.length > max) {
      drain(in);
      return null;
    }
    return got;
  }

  /** Reads and drops what the client still sends, so it gets the answer rather than a reset. */
  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[8192];
    while (in.read(buf) >= 0) {
      // dropped
    }
  }

  private static void json(HttpExchange ex, int status, Object value) throws IOException {
    byte[] body = JSON.writeValueAsBytes(value);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void reply(HttpExchange ex, int status, String text, long retryAfterSeconds) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if (retryAfterSeconds > 0) ex.getResponseHeaders().set("Retry-After", Long.toString(retryAfterSeconds));
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
