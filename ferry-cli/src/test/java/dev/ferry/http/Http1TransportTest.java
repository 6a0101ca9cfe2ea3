package dev.ferry.http;

import static dev.ferry.http.ScriptedServer.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.time.Ticker;
import dev.ferry.testing.FakeTicker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Http1Transport} against a scripted raw server: framing, keep-alive, the one resend, timeouts and limits.
 * No sleeps: the server's scripts and the test meet at latches, and idle expiry runs in virtual time.
 */
class Http1TransportTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String[] NO_HEADERS = {};
  private final ScriptedServer server = newServer();
  private final CountDownLatch testOver = new CountDownLatch(1);
  private Http1Transport transport;

  private static ScriptedServer newServer() {
    try {
      return new ScriptedServer();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() throws IOException {
    testOver.countDown();
    if (transport != null) transport.close();
    server.close();
  }

  private Http1Transport transport(Ticker ticker, Http1Limits limits, int maxIdle) {
    transport = new Http1Transport(server.uri(), TIMEOUT, ticker, null, limits, maxIdle, Duration.ofSeconds(20));
    return transport;
  }

  private Http1Transport transport() {
    return transport(Ticker.system(), Http1Limits.DEFAULT, 16);
  }

  private Transport.Reply get(Http1Transport t) throws Exception {
    return t.send("GET", "/x", NO_HEADERS, null, TIMEOUT);
  }

  /** Answers one request with {@code raw}, then keeps the connection open (serving more with 200 "ok"). */
  private static ScriptedServer.Script once(String raw) {
    return c -> {
      c.readRequest();
      c.write(raw);
      while (c.readRequest() != null) c.write(answer(200, "ok"));
    };
  }

  @Test
  void writesTheRequestLineHostHeadersAndLength() throws Exception {
    // Given
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    // When
    t.send("POST", "/prefix/users?x=1", new String[] {"Authorization", "Bearer k", "Idempotency-Key", null,
        "Content-Type", "application/json"}, "{\"é\":1}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
    t.send("GET", "/prefix/users", NO_HEADERS, null, TIMEOUT);
    t.send("POST", "/empty", NO_HEADERS, null, TIMEOUT);
    // Then
    assertThat(server.requests().get(0)).isEqualTo("POST /prefix/users?x=1 HTTP/1.1\r\nHost: 127.0.0.1:"
        + server.port() + "\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n"
        + new String("{\"é\":1}".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    assertThat(server.requests().get(1)).isEqualTo("GET /prefix/users HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
        + "\r\n\r\n");
    assertThat(server.requests().get(2)).contains("Content-Length: 0\r\n");
    assertThat(t.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void refusesHeaderValuesThatWouldSplitTheRequest() {
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    assertThatThrownBy(() -> t.send("GET", "/x", new String[] {"X-A", "v\r\nX-Injected: 1"}, null, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("Injected");
    assertThatThrownBy(() -> t.send("GET", "/x y", NO_HEADERS, null, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsStatusBodyAndTheHeadersFerryNeedsWhateverTheirCase() throws Exception {
    server.then(once(answer(429, "{\"message\":\"slow down\"}", "x-request-id: req_7", "RETRY-AFTER:  3 ",
        "Other: y")));
    Transport.Reply r = get(transport());
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.body()).isEqualTo("{\"message\":\"slow down\"}");
    assertThat(r.requestId()).isEqualTo("req_7");
    assertThat(r.retryAfter()).isEqualTo("3");
    assertThat(r.resent()).isFalse();
  }

  @Test
  void absentHeadersAreEmptyRequestIdAndNullRetryAfter() throws Exception {
    server.then(once(answer(201, "é")));
    Transport.Reply r = get(transport());
    assertThat(r.body()).isEqualTo("é");
    assertThat(r.requestId()).isEmpty();
    assertThat(r.retryAfter()).isNull();
  }

  @Test
  void keepsTheConnectionAliveBetweenRequests() throws Exception {
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    for (int i = 0; i < 5; i++) assertThat(get(t).body()).isEqualTo("ok");
    assertThat(t.connectionsOpened()).isEqualTo(1);
    assertThat(server.accepted()).isEqualTo(1);
    assertThat(t.idleConnections()).isEqualTo(1);
  }

  @Test
  void readsChunkedBodiesWithExtensionsAndTrailersAndKeepsTheConnection() throws Exception {
    String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nX-Request-ID: req_c\r\n\r\n"
        + "5;name=value;other\r\nhello\r\n6 ; ext\r\n world\r\n1a\r\n" + "-".repeat(26) + "\r\n0\r\nTrailer-A: 1\r\n\r\n";
    server.then(once(chunked));
    Http1Transport t = transport();
    Transport.Reply r = get(t);
    assertThat(r.body()).isEqualTo("hello world" + "-".repeat(26));
    assertThat(r.requestId()).isEqualTo("req_c");
    assertThat(get(t).body()).isEqualTo("ok");
    assertThat(t.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void aBodyWithoutLengthEndsAtCloseAndTheConnectionIsNotReused() throws Exception {
    server.then(c -> {
      c.readRequest();
      c.write("HTTP/1.1 200 OK\r\nX-Request-ID: r\r\n\r\nuntil the end");
    });
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    assertThat(get(t).body()).isEqualTo("until the end");
    assertThat(t.idleConnections()).isZero();
    assertThat(get(t).body()).isEqualTo("ok");
    assertThat(t.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void connectionCloseFromTheServerIsHonoured() throws Exception {
    CountDownLatch clientClosed = new CountDownLatch(1);
    server.then(c -> {
      c.readRequest();
      c.write(answer(200, "bye", "Connection: close"));
      if (c.awaitClientClose()) clientClosed.countDown();
    });
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    assertThat(get(t).body()).isEqualTo("bye");
    assertThat(t.idleConnections()).isZero();
    assertThat(clientClosed.await(10, TimeUnit.SECONDS)).as("the client closed the connection").isTrue();
    assertThat(get(t).body()).isEqualTo("ok");
    assertThat(t.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void anHttp10AnswerWithoutKeepAliveIsNotReused() throws Exception {
    server.then(once("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nv0"));
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    assertThat(get(t).body()).isEqualTo("v0");
    assertThat(t.idleConnections()).isZero();
  }

  @Test
  void aPooledConnectionTheServerClosedIsResentOnceOnAFreshOne() throws Exception {
    // Given a server that answers one request, then closes the connection while it sits in the pool
    CountDownLatch closed = new CountDownLatch(1);
    server.then(c -> {
      c.readRequest();
      c.write(answer(200, "first"));
      c.socket().close();
      closed.countDown();
    });
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    assertThat(get(t).body()).isEqualTo("first");
    assertThat(t.idleConnections()).isEqualTo(1);
    assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
    // When
    Transport.Reply r = get(t);
    // Then
    assertThat(r.body()).isEqualTo("ok");
    assertThat(r.resent()).isTrue();
    assertThat(t.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aFreshConnectionThatFailsIsNotResent() {
    server.then(c -> c.readRequest()); // reads the request and closes without an answer
    server.then(ScriptedServer.keepAlive());
    Http1Transport t = transport();
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class)
        .hasMessageContaining("closed the connection without an answer");
    assertThat(t.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void aServerThatNeverAnswersIsATimeoutAndItsConnectionIsClosed() throws Exception {
    CountDownLatch clientClosed = new CountDownLatch(1);
    server.then(c -> {
      c.readRequest();
      if (c.awaitClientClose()) clientClosed.countDown();
    });
    Http1Transport t = transport();
    assertThatThrownBy(() -> t.send("GET", "/x", NO_HEADERS, null, Duration.ofMillis(200)))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(t.idleConnections()).isZero();
    assertThat(clientClosed.await(10, TimeUnit.SECONDS)).as("the client closed the connection").isTrue();
  }

  @Test
  void aServerThatTricklesIsATimeoutByTheDeadline() {
    // Given a server that sends its body one byte at a time, and a clock that moves 100 ms at every reading
    server.then(c -> {
      c.readRequest();
      c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
      for (int i = 0; i < 1_000_000; i++) c.write(new byte[] {'x'});
    });
    AtomicLong now = new AtomicLong();
    Http1Transport t = transport(() -> now.addAndGet(100_000_000L), Http1Limits.DEFAULT, 16);
    // When / Then: 1 s is over after ten readings, long before the million bytes came
    assertThatThrownBy(() -> t.send("GET", "/x", NO_HEADERS, null, Duration.ofSeconds(1)))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void oversizedHeadersAreRefused() {
    server.then(once("HTTP/1.1 200 OK\r\n" + ("X-Filler: " + "f".repeat(1000) + "\r\n").repeat(70)
        + "Content-Length: 0\r\n\r\n"));
    Http1Transport t = transport();
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("headers longer than");
    assertThat(t.idleConnections()).isZero();
  }

  @Test
  void anOversizedHeaderLineIsRefused() {
    server.then(once("HTTP/1.1 200 OK\r\nX-Long: " + "f".repeat(100_000) + "\r\n\r\n"));
    assertThatThrownBy(() -> get(transport())).isInstanceOf(IOException.class).hasMessageContaining("longer than");
  }

  @Test
  void oversizedBodiesAreRefusedBeforeTheyAreRead() {
    Http1Limits small = new Http1Limits(1024, 100);
    server.then(once("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n"));
    server.then(once("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + "a".repeat(80)
        + "\r\n15\r\n"));
    server.then(once("HTTP/1.1 200 OK\r\n\r\n" + "b".repeat(101)));
    Http1Transport t = transport(Ticker.system(), small, 16);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("larger than 100 bytes");
    }
    assertThat(Http1Limits.DEFAULT).isEqualTo(new Http1Limits(64 * 1024, 16 * 1024 * 1024));
  }

  @Test
  void aGarbageStatusLineIsAnIOException() {
    server.then(once("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
    server.then(once("HTTP/1.1 2x0 OK\r\n\r\n"));
    server.then(once("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"));
    server.then(once("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
    server.then(once("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    Http1Transport t = transport();
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("malformed status line");
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("malformed status line");
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("malformed header");
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("conflicting");
    assertThatThrownBy(() -> get(t)).isInstanceOf(IOException.class).hasMessageContaining("chunk size");
    assertThat(t.idleConnections()).isZero();
  }

  @Test
  void informationalAnswersAreSkipped() throws Exception {
    server.then(once("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + answer(200, "done", "X-Request-ID: after-1xx")));
    Http1Transport t = transport();
    Transport.Reply r = get(t);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("done");
    assertThat(r.requestId()).isEqualTo("after-1xx");
    assertThat(get(t).body()).isEqualTo("ok");
    assertThat(t.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void headAnd204And304AnswersHaveNoBodyWhateverTheirLength() throws Exception {
    server.then(c -> {
      c.readRequest();
      c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
      c.readRequest();
      c.write("HTTP/1.1 204 No Content\r\n\r\n");
      c.readRequest();
      c.write("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n");
      while (c.readRequest() != null) c.write(answer(200, "ok"));
    });
    Http1Transport t = transport();
    assertThat(t.send("HEAD", "/x", NO_HEADERS, null, TIMEOUT).body()).isEmpty();
    assertThat(get(t).status()).isEqualTo(204);
    assertThat(get(t).status()).isEqualTo(304);
    assertThat(get(t).body()).isEqualTo("ok");
    assertThat(t.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void idleConnectionsExpireInVirtualTime() throws Exception {
    // Given one pooled connection
    CountDownLatch firstClosed = new CountDownLatch(1);
    server.then(c -> {
      while (c.readRequest() != null) c.write(answer(200, "ok"));
      firstClosed.countDown();
    });
    server.then(ScriptedServer.keepAlive());
    FakeTicker time = new FakeTicker();
    Http1Transport t = transport(time, Http1Limits.DEFAULT, 16);
    get(t);
    // When it sat idle for longer than the idle time
    time.advance(Duration.ofSeconds(21));
    get(t);
    // Then it was closed, and the request went on a fresh one
    assertThat(firstClosed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(t.connectionsOpened()).isEqualTo(2);
    assertThat(t.idleConnections()).isEqualTo(1);
  }

  @Test
  void keepsAtMostMaxIdleConnections() throws Exception {
    // Given a server that answers only once two requests are in, on two connections
    CountDownLatch bothIn = new CountDownLatch(2);
    ScriptedServer.Script held = c -> {
      c.readRequest();
      bothIn.countDown();
      bothIn.await();
      c.write(answer(200, "ok"));
      c.awaitClientClose();
    };
    server.then(held).then(held);
    Http1Transport t = transport(Ticker.system(), Http1Limits.DEFAULT, 1);
    // When both are answered
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread other = Thread.ofVirtual().start(() -> {
      try {
        get(t);
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    get(t);
    other.join();
    // Then one connection is kept and the other closed
    assertThat(failure.get()).isNull();
    assertThat(t.connectionsOpened()).isEqualTo(2);
    assertThat(t.idleConnections()).isEqualTo(1);
  }

  @Test
  void closingTheTransportClosesIdleConnections() throws Exception {
    CountDownLatch clientClosed = new CountDownLatch(1);
    server.then(c -> {
      c.readRequest();
      c.write(answer(200, "ok"));
      if (c.awaitClientClose()) clientClosed.countDown();
    });
    Http1Transport t = transport();
    get(t);
    t.close();
    assertThat(clientClosed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(t.idleConnections()).isZero();
  }

  @Test
  void aRefusedConnectionIsAConnectException() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (Http1Transport t = new Http1Transport(URI.create("http://127.0.0.1:" + port), TIMEOUT, Ticker.system(), null,
        Http1Limits.DEFAULT, 4, Duration.ofSeconds(20))) {
      assertThatThrownBy(() -> t.send("GET", "/", NO_HEADERS, null, TIMEOUT)).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void anInterruptWhileWaitingForTheAnswerIsAnInterruptedException() throws Exception {
    CountDownLatch requested = new CountDownLatch(1);
    server.then(c -> {
      c.readRequest();
      requested.countDown();
      testOver.await();
    });
    Http1Transport t = transport();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller = Thread.ofVirtual().start(() -> {
      try {
        get(t);
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
    caller.interrupt();
    caller.join();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(t.idleConnections()).isZero();
  }

  @Test
  void refusesOtherSchemes() {
    assertThatThrownBy(() -> Http1Transport.of(URI.create("ftp://h/"), TIMEOUT, Ticker.system()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
