package dev.ferry.http;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.Timeout;

/** MEASUREMENT ONLY: {@link Transport} over Apache HttpClient 5 classic ({@code -Dferry.http=apache}). */
final class ApacheTransport implements Transport {
  private final String origin;
  private final CloseableHttpClient client;

  ApacheTransport(URI base, Duration connectTimeout, Duration requestTimeout) {
    this.origin = base.getScheme() + "://" + base.getRawAuthority();
    PoolingHttpClientConnectionManager cm = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(Http1Transport.DEFAULT_MAX_IDLE).setMaxConnPerRoute(Http1Transport.DEFAULT_MAX_IDLE)
        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(connectTimeout))
            .setSocketTimeout(Timeout.of(requestTimeout)).build())
        .setTlsSocketStrategy(DefaultClientTlsStrategy.createSystemDefault())
        .build();
    this.client = org.apache.hc.client5.http.impl.classic.HttpClients.custom().setConnectionManager(cm)
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(requestTimeout)).build())
        .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableContentCompression()
        .disableAuthCaching().build();
  }

  @Override
  public Reply send(String method, String pathAndQuery, String[] headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    BasicClassicHttpRequest req = new BasicClassicHttpRequest(method, URI.create(origin + pathAndQuery));
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i + 1] != null) req.addHeader(headers[i], headers[i + 1]);
    }
    if (body != null) req.setEntity(new ByteArrayEntity(body, null));
    try {
      return client.execute(req, r -> {
        Header id = r.getFirstHeader("X-Request-ID");
        Header ra = r.getFirstHeader("Retry-After");
        String text = r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8);
        return new Reply(r.getCode(), text, id == null ? "" : id.getValue(), ra == null ? null : ra.getValue(), false);
      });
    } catch (ConnectTimeoutException e) {
      throw new HttpConnectTimeoutException("connect timed out");
    } catch (SocketTimeoutException e) {
      throw new HttpTimeoutException("timed out");
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException ignored) {
      // measurement only
    }
  }
}
