package dev.ferry.http;

import dev.ferry.core.time.Ticker;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One HTTP/1.1 connection (plain or TLS): writes a request, reads its whole answer, and says whether the connection
 * can carry another request.
 *
 * <p>Reading: the status line (1xx answers are read and skipped), headers (names case-insensitive; only those ferry
 * needs are kept), then the body framed by {@code Transfer-Encoding: chunked} (extensions and trailers ignored), by
 * {@code Content-Length}, or by the end of the connection; answers to HEAD and 204/304 answers have no body. Limits
 * from {@link Http1Limits} bound every allocation. Every blocking read first sets the socket's timeout to what is
 * left before the request's deadline, so a server that stops sending (or trickles) ends in an
 * {@link HttpTimeoutException} by the deadline. Writes are not timed: a request (headers and a small JSON body)
 * fits in the kernel's send buffer.
 *
 * <p>Not threadsafe: one request at a time, by the one thread that holds the connection ({@link ConnectionPool}
 * hands each connection to one thread at a time). After any exception the connection must be closed.
 */
final class Http1Connection {
  private static final int BUFFER = 8 * 1024;
  private static final int WHOLE_REQUEST = 64 * 1024;
  /** Interim (1xx) answers accepted before a final one. */
  static final int MAX_INTERIM_ANSWERS = 16;
  /** Characters of a Location header kept for messages. */
  private static final int MAX_LOCATION = 200;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Ticker ticker;
  private final Http1Limits limits;

  /** Bytes read and not yet parsed: {@code buf[pos, lim)}. Grows for long header lines, shrinks back after. */
  private byte[] buf = new byte[BUFFER];
  private int pos;
  private int lim;
  /** Where the request is assembled before one write. */
  private byte[] req = new byte[1024];
  /** The body being read: {@code body[0, bodyLen)}. */
  private byte[] body;
  private int bodyLen;

  private long deadline;
  private boolean answerStarted;
  private boolean reusable;
  private long idleSince;

  // the answer's headers that ferry reads or that frame the body
  private boolean http10;
  private long contentLength;
  private boolean transferEncoding;
  private boolean chunked;
  private boolean closeToken;
  private boolean keepAliveToken;
  private String requestId;
  private String retryAfter;
  private String location;
  /** The status of the answer being read (an oversized body keeps it). */
  private int headStatus;
  /** Rate-limit headers ({@link RateLimitHeaders#wanted}): lower-case names and values alternating; null = none. */
  private java.util.List<String> rateHeaders;

  Http1Connection(Socket socket, Ticker ticker, Http1Limits limits) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.ticker = ticker;
    this.limits = limits;
  }

  /** True when a byte of the current request's answer arrived. */
  boolean answerStarted() {
    return answerStarted;
  }

  /** True after a complete answer that leaves the connection open and clean for the next request. */
  boolean reusable() {
    return reusable;
  }

  /** The last answer's {@code Location} header (clipped, control characters dropped), or null. */
  String location() {
    return location;
  }

  long idleSince() {
    return idleSince;
  }

  void idleSince(long nanos) {
    idleSince = nanos;
  }

  void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do: the connection is gone either way
    }
  }

  /**
   * Sends the request and reads its answer, all before {@code deadlineNanos} (a {@link Ticker} reading).
   *
   * @throws IllegalArgumentException when a method, target or header holds a character HTTP cannot carry
   */
  Transport.Reply exchange(String method, String hostHeader, String target, String[] headers, byte[] requestBody,
      long deadlineNanos) throws IOException {
    return exchange(method, hostHeader, "", target, null, headers, requestBody, deadlineNanos);
  }

  /**
   * The same through a forward proxy: {@code targetPrefix} ({@code http://host:port}) goes before the target (the
   * absolute form a proxy needs), and {@code proxyAuthorization}, when not null, in a {@code Proxy-Authorization}
   * header.
   */
  Transport.Reply exchange(String method, String hostHeader, String targetPrefix, String target,
      String proxyAuthorization, String[] headers, byte[] requestBody, long deadlineNanos) throws IOException {
    deadline = deadlineNanos;
    answerStarted = false;
    reusable = false;
    writeRequest(method, hostHeader, targetPrefix, target, proxyAuthorization, headers, requestBody);
    return readAnswer("HEAD".equals(method));
  }

  // ---- writing

  private void writeRequest(String method, String hostHeader, String targetPrefix, String target,
      String proxyAuthorization, String[] headers, byte[] requestBody) throws IOException {
    int n = 0;
    n = putToken(n, method, "method");
    n = put(n, ' ');
    n = putAscii(n, targetPrefix);
    n = putTarget(n, target);
    n = putAscii(n, " HTTP/1.1\r\nHost: ");
    n = putText(n, hostHeader, "Host");
    n = putAscii(n, "\r\n");
    if (proxyAuthorization != null) {
      n = putAscii(n, "Proxy-Authorization: ");
      n = putText(n, proxyAuthorization, "Proxy-Authorization");
      n = putAscii(n, "\r\n");
    }
    for (int i = 0; i < headers.length; i += 2) {
      String value = headers[i + 1];
      if (value == null) continue;
      n = putToken(n, headers[i], "header name");
      n = putAscii(n, ": ");
      n = putText(n, value, headers[i]);
      n = putAscii(n, "\r\n");
    }
    if (requestBody != null || "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method)) {
      n = putAscii(n, "Content-Length: ");
      n = putAscii(n, Integer.toString(requestBody == null ? 0 : requestBody.length));
      n = putAscii(n, "\r\n");
    }
    n = putAscii(n, "\r\n");
    if (requestBody != null && requestBody.length > 0) {
      if (n + requestBody.length <= WHOLE_REQUEST) {
        n = put(n, requestBody, requestBody.length);
      } else {
        out.write(req, 0, n);
        n = 0;
        out.write(requestBody);
      }
    }
    if (n > 0) out.write(req, 0, n);
    out.flush();
  }

  private int room(int n, int more) {
    if (n + more > req.length) req = Arrays.copyOf(req, Math.max(req.length * 2, n + more));
    return n;
  }

  private int put(int n, char c) {
    room(n, 1);
    req[n] = (byte) c;
    return n + 1;
  }

  private int put(int n, byte[] bytes, int len) {
    room(n, len);
    System.arraycopy(bytes, 0, req, n, len);
    return n + len;
  }

  private int putAscii(int n, String s) {
    room(n, s.length());
    for (int i = 0; i < s.length(); i++) req[n + i] = (byte) s.charAt(i);
    return n + s.length();
  }

  /** A method or header name: visible ASCII, no separators. */
  private int putToken(int n, String s, String what) {
    if (s.isEmpty()) throw new IllegalArgumentException("empty " + what);
    room(n, s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == ':' || c == '(' || c == ')' || c == ',' || c == '"' || c == '/'
          || c == ';' || c == '<' || c == '>' || c == '=' || c == '?' || c == '@' || c == '[' || c == ']'
          || c == '\\' || c == '{' || c == '}') {
        throw new IllegalArgumentException("the " + what + " holds a character HTTP does not allow");
      }
      req[n + i] = (byte) c;
    }
    return n + s.length();
  }

  /** The request target: visible ASCII (percent-encoded beyond). */
  private int putTarget(int n, String s) {
    if (s.isEmpty() || s.charAt(0) != '/') throw new IllegalArgumentException("the request target must start with /");
    room(n, s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f) throw new IllegalArgumentException("the request target holds a space, control or non-ASCII character");
      req[n + i] = (byte) c;
    }
    return n + s.length();
  }

  /** A header value: Latin-1 without control characters (tab allowed in values). */
  private int putText(int n, String s, String what) {
    room(n, s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < ' ' && c != '\t') || c == 0x7f || c > 0xff) {
        // never the value itself: it may be the API key
        throw new IllegalArgumentException("the value of " + what + " holds a control or non-Latin-1 character");
      }
      req[n + i] = (byte) c;
    }
    return n + s.length();
  }

  // ---- reading

  private Transport.Reply readAnswer(boolean head) throws IOException {
    int status;
    int interim = 0;
    do {
      status = readHead();
      if (status == 101) throw new IOException("unexpected 101 Switching Protocols");
      if (status < 200 && ++interim > MAX_INTERIM_ANSWERS) {
        throw new IOException("more than " + MAX_INTERIM_ANSWERS + " interim (1xx) answers");
      }
    } while (status < 200);
    boolean toClose = false;
    String text;
    if (head || status == 204 || status == 304) {
      text = "";
    } else if (transferEncoding) {
      if (chunked) {
        readChunked();
      } else {
        readToClose();
        toClose = true;
      }
      text = bodyText();
    } else if (contentLength >= 0) {
      text = readFixed(contentLength);
    } else {
      readToClose();
      toClose = true;
      text = bodyText();
    }
    boolean persistent = http10 ? keepAliveToken && !closeToken : !closeToken;
    // both framings at once is a smuggling hazard (RFC 9112 6.1); bytes after the answer were never asked for
    reusable = persistent && !toClose && !(transferEncoding && contentLength >= 0) && pos == lim;
    body = null;
    if (buf.length > BUFFER && pos == lim) {
      buf = new byte[BUFFER];
      pos = lim = 0;
    }
    return new Transport.Reply(status, text, requestId == null ? "" : requestId, retryAfter,
        rateHeaders == null ? java.util.List.of() : rateHeaders, false);
  }

  /** Reads a status line and its headers; returns the status. */
  private int readHead() throws IOException {
    http10 = false;
    contentLength = -1;
    transferEncoding = false;
    chunked = false;
    closeToken = false;
    keepAliveToken = false;
    requestId = null;
    retryAfter = null;
    location = null;
    rateHeaders = null;
    int budget = limits.maxHeaderBytes();
    int end = readLine(budget, "status line");
    budget -= next - pos;
    int status = parseStatusLine(end);
    headStatus = status;
    pos = next;
    while (true) {
      end = readLine(budget, "headers");
      budget -= next - pos;
      if (end == pos) {
        pos = next;
        return status;
      }
      header(pos, end);
      pos = next;
    }
  }

  private int parseStatusLine(int end) throws IOException {
    int p = pos;
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (end - p < 12 || buf[p] != 'H' || buf[p + 1] != 'T' || buf[p + 2] != 'T' || buf[p + 3] != 'P'
        || buf[p + 4] != '/' || buf[p + 5] != '1' || buf[p + 6] != '.' || !digit(buf[p + 7]) || buf[p + 8] != ' '
        || !digit(buf[p + 9]) || !digit(buf[p + 10]) || !digit(buf[p + 11]) || (end - p > 12 && buf[p + 12] != ' ')) {
      throw new IOException("malformed status line (not an HTTP/1.x answer)");
    }
    http10 = buf[p + 7] == '0';
    int status = (buf[p + 9] - '0') * 100 + (buf[p + 10] - '0') * 10 + (buf[p + 11] - '0');
    if (status < 100) throw new IOException("malformed status line (status below 100)");
    return status;
  }

  private void header(int start, int end) throws IOException {
    if (buf[start] == ' ' || buf[start] == '\t') return; // obsolete line folding: a continuation, ignored
    int colon = start;
    while (colon < end && buf[colon] != ':') colon++;
    if (colon == end || colon == start) throw new IOException("malformed header line");
    int v = colon + 1;
    int ve = end;
    while (v < ve && (buf[v] == ' ' || buf[v] == '\t')) v++;
    while (ve > v && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) ve--;
    if (named(start, colon, "content-length")) {
      long length = parseLength(v, ve);
      if (contentLength >= 0 && contentLength != length) throw new IOException("conflicting Content-Length headers");
      contentLength = length;
    } else if (named(start, colon, "transfer-encoding")) {
      transferEncoding = true;
      chunked = lastTokenIs(v, ve, "chunked");
    } else if (named(start, colon, "connection")) {
      closeToken |= hasToken(v, ve, "close");
      keepAliveToken |= hasToken(v, ve, "keep-alive");
    } else if (named(start, colon, "x-request-id")) {
      if (requestId == null) requestId = new String(buf, v, ve - v, StandardCharsets.ISO_8859_1);
    } else if (named(start, colon, "retry-after")) {
      if (retryAfter == null) retryAfter = new String(buf, v, ve - v, StandardCharsets.ISO_8859_1);
    } else if (named(start, colon, "location")) {
      if (location == null) location = printable(v, Math.min(ve, v + MAX_LOCATION));
    } else if (prefixed(start, colon, "ratelimit") || prefixed(start, colon, "x-ratelimit")) {
      if (rateHeaders == null) rateHeaders = new java.util.ArrayList<>(8);
      rateHeaders.add(new String(buf, start, colon - start, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT));
      rateHeaders.add(new String(buf, v, ve - v, StandardCharsets.ISO_8859_1));
    }
  }

  /** The answer's body is over the limit: its status stands, its body is dropped (the connection closes). */
  private AnswerTooLargeException tooLarge() {
    return new AnswerTooLargeException(headStatus, limits.maxBodyBytes());
  }

  /** Case-insensitive: does {@code buf[start, end)} start with the (lower-case) {@code prefix}? */
  private boolean prefixed(int start, int end, String prefix) {
    return end - start >= prefix.length() && named(start, start + prefix.length(), prefix);
  }

  /** {@code buf[v, ve)} as text, without control or non-ASCII characters (it goes into messages). */
  private String printable(int v, int ve) {
    StringBuilder b = new StringBuilder(ve - v);
    for (int i = v; i < ve; i++) {
      if (buf[i] >= ' ' && buf[i] < 0x7f) b.append((char) buf[i]);
    }
    return b.toString();
  }

  private long parseLength(int v, int ve) throws IOException {
    if (v == ve) throw new IOException("empty Content-Length");
    long n = 0;
    for (int i = v; i < ve; i++) {
      if (!digit(buf[i])) throw new IOException("malformed Content-Length");
      n = n * 10 + (buf[i] - '0');
      if (n > limits.maxBodyBytes()) throw tooLarge();
    }
    return n;
  }

  /** Case-insensitive: is {@code buf[start, end)} the (lower-case) {@code name}? */
  private boolean named(int start, int end, String name) {
    if (end - start != name.length()) return false;
    for (int i = 0; i < name.length(); i++) {
      if (lower(buf[start + i]) != name.charAt(i)) return false;
    }
    return true;
  }

  private boolean hasToken(int v, int ve, String token) {
    int s = v;
    while (s < ve) {
      int e = s;
      while (e < ve && buf[e] != ',') e++;
      int a = s;
      int b = e;
      while (a < b && (buf[a] == ' ' || buf[a] == '\t')) a++;
      while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t')) b--;
      if (named(a, b, token)) return true;
      s = e + 1;
    }
    return false;
  }

  private boolean lastTokenIs(int v, int ve, String token) {
    int a = ve;
    while (a > v && buf[a - 1] != ',') a--;
    while (a < ve && (buf[a] == ' ' || buf[a] == '\t')) a++;
    return named(a, ve, token);
  }

  private String readFixed(long length) throws IOException {
    int n = (int) length;
    if (lim - pos >= n) { // the usual case: the whole body came with the headers
      String text = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return text;
    }
    body = new byte[Math.min(n, 1 << 20)]; // grown as bytes come, so a false length cannot make us allocate
    bodyLen = 0;
    copyBody(n, "before the end of the body");
    return bodyText();
  }

  private void readChunked() throws IOException {
    body = new byte[1024];
    bodyLen = 0;
    while (true) {
      int end = readLine(limits.maxHeaderBytes(), "chunk size line");
      long size = parseChunkSize(end);
      pos = next;
      if (size == 0) break;
      copyBody(size, "inside a chunk");
      end = readLine(2, "chunk end");
      if (end != pos) throw new IOException("malformed chunk (no CRLF after its data)");
      pos = next;
    }
    int budget = limits.maxHeaderBytes();
    while (true) { // trailers, ignored
      int end = readLine(budget, "trailers");
      budget -= next - pos;
      boolean last = end == pos;
      pos = next;
      if (last) return;
    }
  }

  private long parseChunkSize(int end) throws IOException {
    int e = pos;
    while (e < end && buf[e] != ';' && buf[e] != ' ' && buf[e] != '\t') e++;
    if (e == pos) throw new IOException("malformed chunk size");
    long size = 0;
    for (int i = pos; i < e; i++) {
      int d = Character.digit(buf[i], 16);
      if (d < 0) throw new IOException("malformed chunk size");
      size = size * 16 + d;
      if (bodyLen + size > limits.maxBodyBytes()) {
        throw tooLarge();
      }
    }
    return size;
  }

  private void readToClose() throws IOException {
    body = new byte[Math.max(1024, lim - pos)];
    bodyLen = 0;
    while (true) {
      if (pos == lim && fill() < 0) return;
      int k = lim - pos;
      if (bodyLen + (long) k > limits.maxBodyBytes()) {
        throw tooLarge();
      }
      append(k);
    }
  }

  /** Moves {@code length} body bytes from the connection to {@link #body}. */
  private void copyBody(long length, String where) throws IOException {
    long left = length;
    while (left > 0) {
      if (pos == lim && fill() < 0) throw new EOFException("the server closed the connection " + where);
      int k = (int) Math.min(lim - pos, left);
      append(k);
      left -= k;
    }
  }

  private void append(int k) {
    if (bodyLen + k > body.length) {
      body = Arrays.copyOf(body, (int) Math.min(limits.maxBodyBytes(), Math.max(2L * body.length, bodyLen + (long) k)));
    }
    System.arraycopy(buf, pos, body, bodyLen, k);
    bodyLen += k;
    pos += k;
  }

  private String bodyText() {
    return new String(body, 0, bodyLen, StandardCharsets.UTF_8);
  }

  /** Where the line {@link #readLine} found continues: just after its LF. */
  private int next;

  /**
   * Makes sure a whole line starting at {@link #pos} is buffered; returns its end (before CRLF or LF) and sets
   * {@link #next}. The line, its line break included, may be at most {@code max} bytes.
   */
  private int readLine(int max, String what) throws IOException {
    int scan = pos;
    while (true) {
      while (scan < lim && buf[scan] != '\n') scan++;
      if (scan < lim) {
        if (scan + 1 - pos > max) throw new IOException("answer " + what + " longer than the limit");
        next = scan + 1;
        return scan > pos && buf[scan - 1] == '\r' ? scan - 1 : scan;
      }
      if (lim - pos >= max) throw new IOException("answer " + what + " longer than the limit");
      int shift = pos;
      if (fill() < 0) {
        throw new EOFException(answerStarted ? "the server closed the connection in the " + what
            : "the server closed the connection without an answer");
      }
      scan -= shift - pos; // fill may have moved the bytes to the front of the buffer
    }
  }

  /**
   * Reads more bytes into {@code buf[lim, ...)}, moving the unread ones to the front or growing the buffer (up to
   * the header limit) when it is full. Returns the count, or -1 at the end of the stream.
   */
  private int fill() throws IOException {
    if (lim == buf.length) {
      if (pos > 0) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
      } else { // only a line can fill the buffer, and readLine bounds it: at most twice the header limit
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
    }
    long left = deadline - ticker.read();
    if (left <= 0) throw new HttpTimeoutException("no complete answer within the request timeout");
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
    int n;
    try {
      n = in.read(buf, lim, buf.length - lim);
    } catch (SocketTimeoutException e) {
      throw new HttpTimeoutException("no complete answer within the request timeout");
    }
    if (n > 0) {
      lim += n;
      answerStarted = true;
    }
    return n;
  }

  private static boolean digit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static int lower(byte b) {
    return b >= 'A' && b <= 'Z' ? b + 32 : b & 0xff;
  }
}
