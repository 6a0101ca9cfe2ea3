package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.ferry.core.time.Ticker;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Http1Transport} over TLS, against a JDK HTTPS server whose self-signed certificate names only
 * {@code localhost} ({@code localhost.p12}, made with {@code keytool -genkeypair -alias localhost -keyalg EC
 * -groupname secp256r1 -dname CN=localhost -ext SAN=dns:localhost -validity 36500 -storetype PKCS12
 * -storepass ferrytest}). The server answers with the SNI names it was sent.
 */
class Http1TransportTlsTest {
  private static final char[] PASSWORD = "ferrytest".toCharArray();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private HttpsServer server;
  private SSLSocketFactory trusting;

  @BeforeEach
  void start() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = getClass().getResourceAsStream("localhost.p12")) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keys.getKeyManagers(), null, null);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, trust.getTrustManagers(), null);
    trusting = clientTls.getSocketFactory();

    server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      String sni = ((ExtendedSSLSession) ((HttpsExchange) ex).getSSLSession()).getRequestedServerNames().stream()
          .map(n -> ((SNIHostName) n).getAsciiName()).collect(Collectors.joining(","));
      byte[] body = ("sni=" + sni).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("X-Request-ID", "req_tls");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI uri(String host) {
    return URI.create("https://" + host + ":" + server.getAddress().getPort());
  }

  private Http1Transport transport(String host, SSLSocketFactory tls) {
    return new Http1Transport(uri(host), TIMEOUT, Ticker.system(), tls, Http1Limits.DEFAULT, 4, Duration.ofSeconds(20));
  }

  @Test
  void speaksHttpsWithSniAndKeepsTheConnection() throws Exception {
    try (Http1Transport t = transport("localhost", trusting)) {
      Transport.Reply first = t.send("GET", "/a", new String[0], null, TIMEOUT);
      Transport.Reply second = t.send("POST", "/b", new String[0], "{}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("sni=localhost");
      assertThat(first.requestId()).isEqualTo("req_tls");
      assertThat(second.status()).isEqualTo(200);
      assertThat(t.connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void refusesACertificateThatDoesNotNameTheHost() {
    // the certificate is trusted, but it names localhost, not 127.0.0.1
    try (Http1Transport t = transport("127.0.0.1", trusting)) {
      assertThatThrownBy(() -> t.send("GET", "/", new String[0], null, TIMEOUT))
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(t.idleConnections()).isZero();
    }
  }

  @Test
  void theDefaultFactoryUsesTheJdkTrustStore() {
    // a self-signed certificate is not in the JDK's trust store
    try (Http1Transport t = Http1Transport.of(uri("localhost"), TIMEOUT, Ticker.system())) {
      assertThatThrownBy(() -> t.send("GET", "/", new String[0], null, TIMEOUT))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }
}
