package dev.ferry.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificates https targets are checked against: the JDK's default trust store (the one
 * {@code javax.net.ssl.trustStore} names, else the JDK's {@code cacerts}), plus, when given, the certificates of a
 * PEM file ({@code --ca-cert} or {@code SSL_CERT_FILE}: a company's CA, a TLS-inspecting proxy's, a staging
 * server's self-signed one). The file's certificates are added; they never replace the defaults. Stateless and
 * threadsafe.
 */
public final class TlsTrust {
  private TlsTrust() {}

  /**
   * The JDK's default socket factory when {@code pemFile} is null; otherwise one trusting the defaults and every
   * certificate of the file.
   *
   * @param source what named the file, for messages ({@code --ca-cert}, {@code SSL_CERT_FILE})
   * @throws IllegalArgumentException one line naming the source and the file when it cannot be read or holds no
   *     PEM certificate
   */
  public static SSLSocketFactory socketFactory(Path pemFile, String source) {
    if (pemFile == null) return (SSLSocketFactory) SSLSocketFactory.getDefault();
    Collection<? extends Certificate> added = readPem(pemFile, source);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (X509Certificate c : defaultTrustManager().getAcceptedIssuers()) {
        store.setCertificateEntry("jdk-" + n++, c);
      }
      n = 0;
      for (Certificate c : added) store.setCertificateEntry("ca-cert-" + n++, c);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return tls.getSocketFactory();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS with the certificates of " + source + " " + pemFile + ": "
          + e.getClass().getSimpleName(), e);
    }
  }

  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";

  /**
   * Refuses a PEM file {@link #readPem} would refuse, with the same line, but reads a well-formed one cheaply: only
   * that it holds {@code BEGIN/END CERTIFICATE} blocks of base64 that each decode to a DER sequence. The certificates are
   * parsed when an https target needs them ({@link #socketFactory}). Parsing a CA bundle (the ~140 certificates a
   * system's {@code SSL_CERT_FILE} names) in a JVM just started took 0.75 s of CPU, before the first request of every
   * run, http targets included.
   *
   * @throws IllegalArgumentException as {@link #readPem}
   */
  public static void checkPem(Path pemFile, String source) {
    if (!looksLikeCertificates(pemFile)) readPem(pemFile, source); // the full parse says what is wrong, if anything
  }

  private static boolean looksLikeCertificates(Path pemFile) {
    String text;
    try {
      if (!Files.isRegularFile(pemFile)) return false;
      text = Files.readString(pemFile, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return false;
    }
    int blocks = 0;
    for (int at = text.indexOf(BEGIN); at >= 0; at = text.indexOf(BEGIN, at)) {
      int end = text.indexOf(END, at);
      if (end < 0) return false;
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(text.substring(at + BEGIN.length(), end));
      } catch (IllegalArgumentException e) {
        return false;
      }
      if (der.length < 2 || der[0] != 0x30) return false; // not a DER SEQUENCE, as every certificate is
      blocks++;
      at = end + END.length();
    }
    return blocks > 0;
  }

  /** The certificates of a PEM file (one or more {@code -----BEGIN CERTIFICATE-----} blocks). */
  static Collection<? extends Certificate> readPem(Path pemFile, String source) {
    String where = source + " " + pemFile;
    if (Files.isDirectory(pemFile)) throw new IllegalArgumentException(where + " is a directory, not a PEM file");
    try (InputStream in = Files.newInputStream(pemFile)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) throw new CertificateException("empty");
      return certs;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(where + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": cannot read the file (" + e.getClass().getSimpleName() + ")");
    } catch (CertificateException e) {
      throw new IllegalArgumentException(where + ": no certificate found (expected PEM: one or more"
          + " -----BEGIN CERTIFICATE----- blocks)");
    }
  }

  private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init((KeyStore) null);
    for (TrustManager m : trust.getTrustManagers()) {
      if (m instanceof X509TrustManager x) return x;
    }
    throw new GeneralSecurityException("the JDK has no X.509 trust manager");
  }
}
