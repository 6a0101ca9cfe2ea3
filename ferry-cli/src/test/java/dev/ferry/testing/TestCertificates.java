package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import dev.ferry.sim.SimTls;

/**
 * A self-signed certificate made at test time with the JDK's {@code keytool} (EC P-256, valid 2 days), naming
 * {@code api.workos.test}, {@code localhost} and {@code 127.0.0.1}: a PKCS#12 key store for a server and the
 * certificate as PEM for a client's {@code --ca-cert}. Made once per JVM, in a temporary folder. Threadsafe.
 */
public final class TestCertificates {
  public static final String PASSWORD = "changeit";
  /** The DNS name the certificate holds that no resolver knows: only a test proxy maps it. */
  public static final String HOST = "api.workos.test";
  private static TestCertificates made;

  private final Path keyStore;
  private final Path pem;

  private TestCertificates(Path keyStore, Path pem) {
    this.keyStore = keyStore;
    this.pem = pem;
  }

  public static synchronized TestCertificates get() {
    if (made == null) made = make();
    return made;
  }

  /** The PKCS#12 key store (password {@link #PASSWORD}). */
  public Path keyStore() {
    return keyStore;
  }

  /** The certificate, PEM. */
  public Path pem() {
    return pem;
  }

  /** A server-side TLS context serving the certificate. */
  public SSLContext serverContext() {
    try {
      return SimTls.fromPkcs12(keyStore, PASSWORD.toCharArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TestCertificates make() {
    try {
      Path dir = Files.createTempDirectory("ferry-test-tls");
      dir.toFile().deleteOnExit();
      Path keyStore = dir.resolve("server.p12");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
          "-groupname", "secp256r1", "-dname", "CN=" + HOST, "-ext", "SAN=dns:" + HOST + ",dns:localhost,ip:127.0.0.1",
          "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD)
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        store.load(in, PASSWORD.toCharArray());
      }
      Certificate cert = store.getCertificate("server");
      Path pem = dir.resolve("server.pem");
      Files.writeString(pem, pemOf(cert));
      keyStore.toFile().deleteOnExit();
      pem.toFile().deleteOnExit();
      return new TestCertificates(keyStore, pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One certificate as a PEM block. */
  public static String pemOf(Certificate cert) throws GeneralSecurityException {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }
}
