package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class HttpClientsTest {
  @Test
  void aPlainHttpTargetGetsAContextThatIsNeverSetUp() {
    // When
    HttpClient client = HttpClients.forTarget(URI.create("http://127.0.0.1:1/"), Duration.ofSeconds(1));
    // Then the client was built without the JDK's default TLS context, and TLS use is refused
    assertThat(client.sslContext().getProtocol()).isEqualTo("none");
    assertThatThrownBy(() -> client.sslContext().createSSLEngine()).isInstanceOf(IllegalStateException.class);
    assertThat(client.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
    assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void anHttpsTargetKeepsTheDefaultContext() throws Exception {
    HttpClient client = HttpClients.forTarget(URI.create("https://api.example.com/"), Duration.ofSeconds(1));
    assertThat(client.sslContext()).isSameAs(SSLContext.getDefault());
  }
}
