package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.testing.FakeTicker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A randomized test of {@link Http1Connection}'s answer parsing: well-formed answers (fixed length, chunked with
 * extensions and trailers, to the end of the connection, 1xx first, HTTP/1.0, LF-only lines) must read back exactly;
 * the same answers mutated (truncated, bytes flipped or inserted, chunk sizes and lengths made huge or garbage,
 * oversize or endless headers, endless 1xx answers, a server that stops sending) must end in an {@link IOException}
 * (a timeout included) or an answer within the limits: never another exception, never a body beyond the limit,
 * never a hang. Seeded: a failure names the case's seed, and the same seed gives the same bytes.
 */
class Http1ConnectionFuzzTest {
  private static final int CASES = 4000;
  private static final Http1Limits LIMITS = new Http1Limits(1024, 64 * 1024);

  /** A socket whose input is a fixed byte string; at its end, the end of the stream or (stall) a read timeout. */
  private static final class ScriptedSocket extends Socket {
    private final InputStream in;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ScriptedSocket(byte[] answer, boolean stall) {
      InputStream bytes = new ByteArrayInputStream(answer);
      this.in = new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = bytes.read(b, off, Math.min(len, 1 + (answer.length % 977))); // arrives in pieces
          if (n < 0 && stall) throw new SocketTimeoutException("Read timed out");
          return n;
        }
      };
    }

    @Override
    public InputStream getInputStream() {
      return in;
    }

    @Override
    public OutputStream getOutputStream() {
      return out;
    }

    @Override
    public void setSoTimeout(int timeout) {
      // the script answers at once or stalls for good
    }

    @Override
    public synchronized void close() {
      // nothing to release
    }
  }

  /** One well-formed answer and the body it carries. */
  private record Answer(byte[] bytes, String body, boolean head) {}

  @Test
  void wellFormedAnswersReadBackExactly() throws Exception {
    for (int seed = 0; seed < CASES / 4; seed++) {
      Answer a = wellFormed(new Random(seed));
      Transport.Reply r = exchange(a.bytes, false, a.head, seed);
      assertThat(r.body()).as("seed %d: %s", seed, printable(a.bytes)).isEqualTo(a.body);
    }
  }

  @Test
  void malformedAnswersEndInAnIOExceptionOrAnAnswerWithinTheLimits() {
    int failures = 0;
    for (int seed = 0; seed < CASES; seed++) {
      Random random = new Random(seed);
      Answer a = wellFormed(random);
      byte[] bytes = mutate(a.bytes, random);
      boolean stall = random.nextInt(4) == 0;
      try {
        Transport.Reply r = exchange(bytes, stall, a.head, seed);
        assertThat(r.body().length()).as("seed %d", seed).isLessThanOrEqualTo(LIMITS.maxBodyBytes());
        assertThat(r.status()).as("seed %d", seed).isBetween(200, 999);
      } catch (IOException expected) {
        failures++;
        assertThat(expected.getMessage()).as("seed %d: a message says what went wrong", seed).isNotBlank();
      } catch (Throwable t) {
        fail("seed " + seed + (stall ? " (stalling)" : "") + ": " + t + " for " + printable(bytes), t);
      }
    }
    assertThat(failures).as("most mutations are refused").isGreaterThan(CASES / 4);
  }

  @Test
  void aServerThatStopsSendingEndsInATimeout() {
    byte[] partial = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1);
    try {
      exchange(partial, true, false, -1);
      fail("no timeout");
    } catch (IOException e) {
      assertThat(e).isInstanceOf(HttpTimeoutException.class);
    }
  }

  @Test
  void endlessInterimAnswersAreRefused() {
    String interim = "HTTP/1.1 100 Continue\r\n\r\n".repeat(Http1Connection.MAX_INTERIM_ANSWERS + 1);
    byte[] bytes = (interim + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    try {
      exchange(bytes, false, false, -1);
      fail("accepted");
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("interim");
    }
  }

  private static Transport.Reply exchange(byte[] answer, boolean stall, boolean head, int seed) throws IOException {
    FakeTicker time = new FakeTicker();
    Http1Connection c = new Http1Connection(new ScriptedSocket(answer, stall), time, LIMITS);
    return c.exchange(head ? "HEAD" : "GET", "api.test", "/x", new String[] {"Accept", "application/json"}, null,
        time.read() + 60_000_000_000L);
  }

  private static Answer wellFormed(Random r) {
    String eol = r.nextInt(8) == 0 ? "\n" : "\r\n";
    String body = randomText(r, r.nextInt(6) == 0 ? r.nextInt(20_000) : r.nextInt(200));
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(3) == 0 ? r.nextInt(3) : 0; i > 0; i--) b.append("HTTP/1.1 100 Continue").append(eol).append(eol);
    boolean http10 = r.nextInt(10) == 0;
    int status = new int[] {200, 201, 204, 400, 404, 409, 422, 429, 500, 503}[r.nextInt(10)];
    b.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(status).append(r.nextBoolean() ? " Reason Phrase" : "").append(eol);
    b.append("X-Request-ID: req_").append(r.nextInt(1000)).append(eol);
    if (r.nextBoolean()) b.append("Retry-After: ").append(r.nextInt(60)).append(eol);
    if (r.nextInt(4) == 0) b.append("x-other:\t value with tabs \t").append(eol);
    boolean head = r.nextInt(12) == 0;
    if (status == 204) body = "";
    int framing = r.nextInt(3);
    String expected = head ? "" : body;
    if (framing == 0 || head || status == 204) {
      b.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append(eol).append(eol);
      if (!head) b.append(body);
    } else if (framing == 1 && !http10) {
      b.append("Transfer-Encoding: chunked").append(eol).append(eol);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      int at = 0;
      StringBuilder chunks = new StringBuilder();
      while (at < bytes.length) {
        int n = Math.min(bytes.length - at, 1 + r.nextInt(300));
        chunks.append(Integer.toHexString(n)).append(r.nextInt(5) == 0 ? ";ext=1" : "").append(eol)
            .append(new String(bytes, at, n, StandardCharsets.ISO_8859_1)).append(eol);
        at += n;
      }
      chunks.append("0").append(eol);
      if (r.nextInt(4) == 0) chunks.append("Trailer-Field: x").append(eol);
      chunks.append(eol);
      return new Answer((b + chunks.toString()).getBytes(StandardCharsets.ISO_8859_1), expected, false);
    } else {
      b.append("Connection: close").append(eol).append(eol).append(body); // to the end of the connection
    }
    return new Answer(b.toString().getBytes(StandardCharsets.UTF_8), expected, head);
  }

  private static byte[] mutate(byte[] in, Random r) {
    byte[] b = in;
    for (int k = 1 + r.nextInt(3); k > 0; k--) {
      switch (r.nextInt(12)) {
        case 0 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncated
        case 1 -> { // a byte flipped
          if (b.length > 0) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        case 2 -> b = insert(b, r.nextInt(b.length + 1), randomBytes(r, 1 + r.nextInt(40)));
        case 3 -> b = replaceFirst(b, "Content-Length: ", "Content-Length: 9" + "9".repeat(r.nextInt(25)) + "0");
        case 4 -> b = replaceFirst(b, "Transfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n" + new String[] {"fffffffffffffffff", "-1", "zz", "7fffffff", "",
                "10000000000", "10001", "fffff"}[r.nextInt(8)] + "\r\n" + (r.nextBoolean() ? beyondTheLimit(r) : ""));
        case 5 -> b = insertHeader(b, "X-Big: " + "v".repeat(LIMITS.maxHeaderBytes() + r.nextInt(4000)));
        case 6 -> { // many headers
          StringBuilder h = new StringBuilder();
          for (int i = 0; i < 100; i++) h.append("X-H").append(i).append(": ").append(i).append("\r\n");
          b = insertHeader(b, h.substring(0, h.length() - 2));
        }
        case 7 -> b = insertHeader(b, "Content-Length: " + r.nextInt(5)); // a second, conflicting length
        case 8 -> b = insert(b, 0, new String[] {"HTTP/2 200\r\n", "HTTP/1.1 99 Low\r\n", "ICY 200 OK\r\n",
            "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 101 Switching\r\n\r\n", "\r\n", "HTTP/1.1 200\u0000\r\n"}[r.nextInt(7)]
            .getBytes(StandardCharsets.ISO_8859_1));
        case 9 -> b = insertHeader(b, ": no name");
        case 10 -> b = insert(b, b.length, beyondTheLimit(r).getBytes(StandardCharsets.ISO_8859_1)); // a long body
        default -> b = insert(b, b.length, randomBytes(r, r.nextInt(200))); // bytes after the answer
      }
    }
    return b;
  }

  /** More body bytes than the limit allows. */
  private static String beyondTheLimit(Random r) {
    return "x".repeat(LIMITS.maxBodyBytes() + 1 + r.nextInt(1000));
  }

  private static byte[] insertHeader(byte[] b, String line) {
    String text = new String(b, StandardCharsets.ISO_8859_1);
    int eol = text.indexOf('\n');
    if (eol < 0) return b;
    return (text.substring(0, eol + 1) + line + "\r\n" + text.substring(eol + 1)).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] replaceFirst(byte[] b, String what, String with) {
    String text = new String(b, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(what);
    if (at < 0) return b;
    return (text.substring(0, at) + with + text.substring(at + what.length())).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] insert(byte[] b, int at, byte[] more) {
    byte[] out = new byte[b.length + more.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(more, 0, out, at, more.length);
    System.arraycopy(b, at, out, at + more.length, b.length - at);
    return out;
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = r.nextInt(4) == 0 ? (byte) "\r\n:; 0".charAt(r.nextInt(6)) : (byte) r.nextInt(256);
    }
    return b;
  }

  private static String randomText(Random r, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) s.append(r.nextInt(40) == 0 ? 'é' : (char) ('a' + r.nextInt(26)));
    return s.toString();
  }

  private static String printable(byte[] b) {
    String text = new String(b, 0, Math.min(b.length, 600), StandardCharsets.ISO_8859_1);
    return text.replace("\r", "\\r").replace("\n", "\\n") + (b.length > 600 ? "... (" + b.length + " bytes)" : "");
  }
}
