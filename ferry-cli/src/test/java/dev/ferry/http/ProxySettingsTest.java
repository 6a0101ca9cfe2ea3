package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Which proxy a target gets, from the environment (either case) and the JVM's properties. */
class ProxySettingsTest {
  private static final URI HTTPS = URI.create("https://api.workos.com/");
  private static final URI HTTP = URI.create("http://api.internal:8080/");

  private static Properties props(String... pairs) {
    Properties p = new Properties();
    for (int i = 0; i < pairs.length; i += 2) p.setProperty(pairs[i], pairs[i + 1]);
    return p;
  }

  @Test
  void theEnvironmentGivesAProxyPerSchemeInEitherCaseLowerCaseFirst() {
    ProxySettings s = ProxySettings.from(Map.of("HTTPS_PROXY", "http://upper:3128", "https_proxy", "lower:3129",
        "HTTP_PROXY", "http://plain.proxy"), new Properties());
    assertThat(s.proxyFor(HTTPS)).extracting(ProxySettings.Endpoint::address).isEqualTo("lower:3129");
    assertThat(s.proxyFor(HTTP)).extracting(ProxySettings.Endpoint::address).isEqualTo("plain.proxy:80");
    assertThat(s.proxyFor(HTTPS).source()).isEqualTo("https_proxy");
  }

  @Test
  void credentialsBecomeBasicAuthorizationAndNeverShowInText() {
    ProxySettings s = ProxySettings.from(Map.of("HTTPS_PROXY", "http://me%40corp:s3cr%3At@proxy:3128/"),
        new Properties());
    ProxySettings.Endpoint p = s.proxyFor(HTTPS);
    assertThat(p.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
        "me@corp:s3cr:t".getBytes(StandardCharsets.UTF_8)));
    assertThat(p.toString()).isEqualTo("proxy proxy:3128 (with credentials) from HTTPS_PROXY")
        .doesNotContain("s3cr");
    assertThat(s.toString()).doesNotContain("s3cr");
  }

  @Test
  void noProxyExemptsHostsDomainsAndEverything() {
    Map<String, String> env = Map.of("HTTPS_PROXY", "proxy:3128", "NO_PROXY", "internal.corp, .example.org,10.0.0.7");
    ProxySettings s = ProxySettings.from(env, new Properties());
    assertThat(s.proxyFor(URI.create("https://internal.corp/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://api.internal.corp/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://example.org/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://www.example.org/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://10.0.0.7/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://notinternal.corp/"))).isNotNull();
    assertThat(s.proxyFor(HTTPS)).isNotNull();
    assertThat(ProxySettings.from(Map.of("HTTPS_PROXY", "proxy:3128", "no_proxy", "*"), new Properties())
        .proxyFor(HTTPS)).isNull();
  }

  @Test
  void loopbackTargetsNeverGoThroughAProxy() {
    ProxySettings s = ProxySettings.from(Map.of("HTTP_PROXY", "proxy:3128", "HTTPS_PROXY", "proxy:3128"),
        props("http.proxyHost", "jvm.proxy"));
    assertThat(s.proxyFor(URI.create("http://127.0.0.1:8080/"))).isNull();
    assertThat(s.proxyFor(URI.create("http://localhost:8080/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://[::1]:8443/"))).isNull();
  }

  @Test
  void theJvmPropertiesWinOverTheEnvironmentWithTheirOwnExceptions() {
    Properties p = props("https.proxyHost", "jvm.proxy", "https.proxyPort", "8443", "http.proxyHost", "jvm.plain",
        "http.nonProxyHosts", "*.internal|api.workos.*");
    ProxySettings s = ProxySettings.from(Map.of("HTTPS_PROXY", "env.proxy:3128"), p);
    assertThat(s.proxyFor(URI.create("https://other.com/")).address()).isEqualTo("jvm.proxy:8443");
    assertThat(s.proxyFor(HTTPS)).isNull();
    assertThat(s.proxyFor(HTTP)).isNull();
    assertThat(s.proxyFor(URI.create("http://other.com/")).address()).isEqualTo("jvm.plain:80");
    assertThat(ProxySettings.from(Map.of(), props("https.proxyHost", "jvm.proxy")).proxyFor(HTTPS).address())
        .isEqualTo("jvm.proxy:443");
  }

  @Test
  void nothingSetMeansDirect() {
    assertThat(ProxySettings.from(Map.of(), new Properties()).proxyFor(HTTPS)).isNull();
    assertThat(ProxySettings.DIRECT.proxyFor(HTTP)).isNull();
  }

  @Test
  void aBadSettingIsRefusedNamingTheVariableButNotItsValue() {
    assertThatThrownBy(() -> ProxySettings.from(Map.of("HTTPS_PROXY", "socks5://u:SECRETPW@proxy:1080"),
        new Properties())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HTTPS_PROXY: only http:// proxies are supported (the tunnel to an https target is still TLS from"
            + " end to end), not socks5://");
    assertThatThrownBy(() -> ProxySettings.from(Map.of("http_proxy", "http://u:SECRETPW@proxy:3128/path"),
        new Properties())).hasMessage("http_proxy is not a proxy address (expected http://[user:password@]host:port)")
        .hasMessageNotContaining("SECRETPW");
    assertThatThrownBy(() -> ProxySettings.from(Map.of(), props("https.proxyHost", "p", "https.proxyPort", "x")))
        .hasMessage("the JVM property https.proxyPort is not a port number");
  }
}
