package dev.ferry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of the simulator whose behaviour a test switches at any time: forward every call, answer
 * every call with one status (401, 403, 422, 500...) without forwarding it, or hold every call for a while and
 * then answer 504 without forwarding it (a hung API). The job keeps one API URL across runs, so a test stops
 * the job with a refusal and resumes it against the same URL once the proxy forwards again. Threadsafe.
 */
public final class ApiProxy implements AutoCloseable {
  private final HttpServer server;
  private final URI target;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private volatile int refuseWith;
  private volatile boolean echoRequest;
  private volatile boolean echoEncoded;
  private volatile String loseAnswersTo;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger refusals = new AtomicInteger();
  private volatile String refuseOnly;
  private volatile Duration hang = Duration.ZERO;
  private final AtomicInteger held = new AtomicInteger();

  private ApiProxy(URI target) throws IOException {
    this.target = target;
    InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    server = HttpServer.create(new InetSocketAddress(loopback, 0), 256);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public static ApiProxy start(URI target) {
    try {
      return new ApiProxy(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers every call with {@code status} and a WorkOS-style error body; the simulator sees nothing. */
  public ApiProxy refuseWith(int status) {
    this.refuseWith = status;
    return this;
  }

  /** Refuses (as {@link #refuseWith}) only the calls whose body holds {@code marker}; the others are forwarded. */
  public ApiProxy refuseWith(int status, String marker) {
    this.refuseOnly = marker;
    this.refuseWith = status;
    return this;
  }

  /** Refusals also quote the request (Authorization header, body and target), as a careless API might. */
  public ApiProxy echoRequest(boolean on) {
    this.echoRequest = on;
    return this;
  }

  /**
   * Refusals also quote a secret of the request encoded, first in the message: its {@code api_token} query parameter
   * when there is one, else its bearer token; in the encoding of the refusal's turn: every byte percent-encoded in
   * upper case, in lower case, every character as a JSON {@code \}{@code uXXXX} escape (the message is a JSON string
   * holding that text), as an HTML character reference {@code &#NN;}. One secret a refusal: the message is cut at 300
   * characters, before a spec's secrets are masked.
   */
  public ApiProxy echoEncoded(boolean on) {
    this.echoEncoded = on;
    return this;
  }

  /**
   * Forwards the calls whose body holds {@code marker}, then answers 502 instead of the simulator's answer: the work
   * is done and the client does not know (only an idempotency key makes sending it again safe). Null: none.
   */
  public ApiProxy loseAnswersTo(String marker) {
    this.loseAnswersTo = marker;
    return this;
  }

  /** Calls this proxy received so far. */
  public int calls() {
    return calls.get();
  }

  /** Holds every call for {@code d}, then answers 504; the simulator sees nothing. */
  public ApiProxy hang(Duration d) {
    this.hang = d;
    return this;
  }

  /** Forwards every call to the simulator again. */
  public ApiProxy forward() {
    refuseWith = 0;
    refuseOnly = null;
    hang = Duration.ZERO;
    return this;
  }

  /** Calls being held by {@link #hang} now. */
  public int held() {
    return held.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    calls.incrementAndGet();
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      if (!hang.isZero()) {
        held.incrementAndGet();
        try {
          Thread.sleep(hang);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          held.decrementAndGet();
        }
        reply(ex, 504, "{\"code\":\"gateway_timeout\",\"message\":\"held by the test proxy\"}", null);
        return;
      }
      int status = refuseWith;
      String only = refuseOnly;
      if (only != null && !new String(body, StandardCharsets.UTF_8).contains(only)) status = 0;
      if (status != 0) {
        String quote = echoRequest ? " (request: Authorization " + ex.getRequestHeaders().getFirst("Authorization")
            + "; body " + new String(body, StandardCharsets.UTF_8) + "; target " + ex.getRequestURI() + ")" : "";
        String code = switch (status) {
          case 401 -> "unauthorized";
          case 403 -> "forbidden";
          case 422 -> "invalid_request_parameters";
          default -> "server_error";
        };
        String encoded = echoEncoded ? encoded(ex) : "";
        reply(ex, status, "{\"code\":\"" + code + "\",\"message\":" + jsonString("refused by the test proxy"
            + encoded + quote) + "}", null);
        return;
      }
      HttpRequest.Builder rb = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().toString()))
          .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : List.of("Authorization", "Idempotency-Key", "Content-Type", "Accept")) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) rb.header(h, v);
      }
      HttpResponse<String> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString());
      String lose = loseAnswersTo;
      if (lose != null && new String(body, StandardCharsets.UTF_8).contains(lose)) {
        reply(ex, 502, "{\"code\":\"bad_gateway\",\"message\":\"answer lost by the test proxy\"}", null);
        return;
      }
      reply(ex, r.statusCode(), r.body(), r.headers().firstValue("X-Request-ID").orElse(null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void reply(HttpExchange ex, int status, String body, String requestId) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (requestId != null) ex.getResponseHeaders().set("X-Request-ID", requestId);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream o = ex.getResponseBody()) {
        o.write(bytes);
      }
    }
  }

  /** The request's api_token, else its bearer token, encoded in this refusal's turn of four encodings. */
  private String encoded(HttpExchange ex) {
    int turn = refusals.getAndIncrement() % 4;
    StringBuilder b = new StringBuilder();
    String query = ex.getRequestURI().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("api_token=")) {
          return " [token " + encode(java.net.URLDecoder.decode(pair.substring(10), StandardCharsets.UTF_8), turn)
              + "]";
        }
      }
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.startsWith("Bearer ")) {
      b.append(" [key ").append(encode(auth.substring(7), turn)).append(']');
    }
    return b.toString();
  }

  /** {@code s} in encoding {@code turn} (0-3) of {@link #echoEncoded}. */
  public static String encode(String s, int turn) {
    StringBuilder b = new StringBuilder();
    switch (turn) {
      case 0, 1 -> {
        for (byte by : s.getBytes(StandardCharsets.UTF_8)) {
          b.append(String.format(turn == 0 ? "%%%02X" : "%%%02x", by & 0xff));
        }
      }
      case 2 -> {
        for (char c : s.toCharArray()) b.append(String.format("\\u%04x", (int) c));
      }
      default -> s.codePoints().forEach(cp -> b.append("&#").append(cp).append(';'));
    }
    return b.toString();
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  @Override
  public void close() {
    server.stop(0);
    client.close();
  }
}
