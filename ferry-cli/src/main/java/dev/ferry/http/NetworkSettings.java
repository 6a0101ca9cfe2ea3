package dev.ferry.http;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * How ferry reaches its targets: the proxies ({@link ProxySettings}) and the extra trusted certificates
 * ({@link TlsTrust}) of a run. Immutable and threadsafe.
 *
 * @param proxies      which proxy carries the requests to a target
 * @param caCert       a PEM file whose certificates are trusted besides the JDK's, or null
 * @param caCertSource what named {@code caCert}, for messages ({@code --ca-cert}, {@code SSL_CERT_FILE}), or null
 */
public record NetworkSettings(ProxySettings proxies, Path caCert, String caCertSource) {
  /** Straight to every target, trusting the JDK's default certificates only. */
  public static final NetworkSettings DIRECT = new NetworkSettings(ProxySettings.DIRECT, null, null);

  /** The environment variable naming a PEM file of extra trusted certificates (as OpenSSL and curl read it). */
  public static final String SSL_CERT_FILE = "SSL_CERT_FILE";

  /**
   * Proxies from the environment and the JVM's properties; extra certificates from {@code caCertFlag}, else from
   * {@code SSL_CERT_FILE}. The certificate file is checked now, so a bad one is refused before anything is sent; a
   * well-formed one is parsed only when an https target needs it ({@link TlsTrust#checkPem}, {@link
   * #verifyCertificates}).
   *
   * @throws IllegalArgumentException one line naming the bad setting (never a proxy password)
   */
  public static NetworkSettings from(Map<String, String> env, Properties properties, Path caCertFlag) {
    ProxySettings proxies = ProxySettings.from(env, properties);
    Path caCert = caCertFlag;
    String source = "--ca-cert";
    if (caCert == null && env.get(SSL_CERT_FILE) != null && !env.get(SSL_CERT_FILE).isBlank()) {
      caCert = Path.of(env.get(SSL_CERT_FILE).strip());
      source = SSL_CERT_FILE;
    }
    if (caCert == null) return new NetworkSettings(proxies, null, null);
    TlsTrust.checkPem(caCert, source); // parsed when an https target needs it
    return new NetworkSettings(proxies, caCert, source);
  }

  /**
   * Parses the extra certificates in full now (an https target will need them), so that a file whose blocks hold no
   * certificate is refused before a job is planned; nothing when there are none.
   *
   * @throws IllegalArgumentException one line naming the setting and the file
   */
  public void verifyCertificates() {
    if (caCert != null) TlsTrust.readPem(caCert, caCertSource);
  }

  /** This process's environment and properties, no {@code --ca-cert}. */
  public static NetworkSettings fromSystem() {
    return from(System.getenv(), System.getProperties(), null);
  }
}
