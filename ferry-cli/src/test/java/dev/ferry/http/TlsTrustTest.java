package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extra trusted certificates from a PEM file: read in full, refused with one line when unusable. */
class TlsTrustTest {
  @TempDir
  Path dir;

  @Test
  void readsEveryCertificateOfAPemFileWithTextAroundThem() throws Exception {
    // Given: two certificates, with the comments bundles carry between them
    String pem = Files.readString(TestCertificates.get().pem());
    Path bundle = Files.writeString(dir.resolve("bundle.pem"), "# company root\n" + pem + "\n# and again\n" + pem);

    // When / Then
    assertThat(TlsTrust.readPem(bundle, "--ca-cert")).hasSize(2);
    assertThat(TlsTrust.socketFactory(bundle, "--ca-cert")).isNotNull();
  }

  @Test
  void refusesAMissingFileADirectoryAndAFileWithoutCertificates() throws Exception {
    Path none = dir.resolve("none.pem");
    assertThatThrownBy(() -> TlsTrust.readPem(none, "--ca-cert")).hasMessage("--ca-cert " + none + ": no such file");
    assertThatThrownBy(() -> TlsTrust.readPem(dir, "SSL_CERT_FILE"))
        .hasMessage("SSL_CERT_FILE " + dir + " is a directory, not a PEM file");
    Path text = Files.writeString(dir.resolve("text.pem"), "hello\n");
    assertThatThrownBy(() -> TlsTrust.readPem(text, "--ca-cert")).hasMessage("--ca-cert " + text
        + ": no certificate found (expected PEM: one or more -----BEGIN CERTIFICATE----- blocks)");
  }

  @Test
  void checksAWellFormedFileWithoutParsingItsCertificates() throws Exception {
    // Given: a bundle of real certificates, and a block of base64 that decodes to a DER sequence but no certificate
    Path bundle = Files.writeString(dir.resolve("bundle.pem"), Files.readString(TestCertificates.get().pem()));
    Path notACertificate = Files.writeString(dir.resolve("other.pem"), "-----BEGIN CERTIFICATE-----\n"
        + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})
        + "\n-----END CERTIFICATE-----\n");

    // When / Then: both pass the check (only the form is read), and only the full parse tells the second apart
    TlsTrust.checkPem(bundle, "SSL_CERT_FILE");
    TlsTrust.checkPem(notACertificate, "SSL_CERT_FILE");
    assertThatThrownBy(() -> TlsTrust.readPem(notACertificate, "SSL_CERT_FILE"))
        .hasMessageContaining("no certificate found");
  }

  @Test
  void refusesWhatTheFullParseRefusesWithTheSameLine() throws Exception {
    Path none = dir.resolve("none.pem");
    assertThatThrownBy(() -> TlsTrust.checkPem(none, "--ca-cert")).hasMessage("--ca-cert " + none + ": no such file");
    assertThatThrownBy(() -> TlsTrust.checkPem(dir, "SSL_CERT_FILE"))
        .hasMessage("SSL_CERT_FILE " + dir + " is a directory, not a PEM file");
    Path text = Files.writeString(dir.resolve("text.pem"), "hello\n");
    assertThatThrownBy(() -> TlsTrust.checkPem(text, "--ca-cert")).hasMessage("--ca-cert " + text
        + ": no certificate found (expected PEM: one or more -----BEGIN CERTIFICATE----- blocks)");
    Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\n!!!\n");
    assertThatThrownBy(() -> TlsTrust.checkPem(broken, "--ca-cert")).hasMessageContaining("no certificate found");
  }
}
