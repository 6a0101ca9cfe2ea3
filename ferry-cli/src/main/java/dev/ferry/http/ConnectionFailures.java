package dev.ferry.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Tells a connection failure that no retry can mend (connection refused, unknown host, an untrusted or misnamed
 * TLS certificate, a proxy that refuses) from one worth retrying, and says what to do about it. Stateless and
 * threadsafe.
 */
final class ConnectionFailures {
  private ConnectionFailures() {}

  /**
   * Why the target cannot be used, with what to do; null when {@code e} may be transient (a reset, a closed
   * connection, a handshake cut short).
   *
   * @param address the target's {@code host:port}
   * @param setting where the user gave the address, named in the advice: {@code --api-url}, or a spec target's
   *                {@code targets.NAME.base_url}
   */
  static String unusable(IOException e, String address, String setting) {
    if (e instanceof ProxyException p) return p.getMessage() + "; check the proxy setting";
    if (e instanceof UnknownHostException) {
      return "cannot resolve the host name of " + address + ": check " + setting + " (and, on a network that reaches the"
          + " internet only through a proxy, set HTTPS_PROXY)";
    }
    if (e instanceof NoRouteToHostException) return "no route to " + address + ": check " + setting + " and the network";
    if (e instanceof ConnectException) {
      return "cannot connect to " + address + " (connection refused): check " + setting + ", and that the API is up";
    }
    if (e instanceof SSLHandshakeException || e instanceof SSLPeerUnverifiedException) {
      if (hasCause(e, CertPathBuilderException.class) || hasCause(e, CertPathValidatorException.class)
          || messageOf(e).contains("PKIX")) {
        return "the TLS certificate of " + address + " is not trusted (PKIX path building failed): if a company"
            + " CA or a TLS-inspecting proxy signs it, or the server is self-signed, give that certificate with"
            + " --ca-cert FILE or SSL_CERT_FILE (PEM; added to the JDK's trusted certificates, not replacing them)";
      }
      String certificate = certificateProblem(e);
      if (certificate != null && (certificate.contains("No subject alternative") || certificate.contains("No name matching"))) {
        return "the TLS certificate of " + address + " does not name that host (" + clip(certificate) + "): check"
            + " the host name in " + setting;
      }
      if (certificate != null) {
        return "the TLS certificate of " + address + " was refused (" + clip(certificate) + ")";
      }
    }
    return null;
  }

  /** True when retrying can never help, even after the target answered: the proxy refused the credentials. */
  static boolean alwaysFatal(IOException e) {
    return e instanceof ProxyException p && p.credentialsRefused();
  }

  private static String certificateProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) return messageOf(t);
    }
    return null;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }

  private static String messageOf(Throwable t) {
    return t.getMessage() == null ? "" : t.getMessage();
  }

  private static String clip(String s) {
    return s.length() <= 160 ? s : s.substring(0, 157) + "...";
  }
}
