package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.ForwardProxy;
import dev.ferry.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reaching the target through the CLI, in this process: through a forward proxy (plain http, absolute-form requests,
 * Basic credentials from the proxy URL) and through a {@code CONNECT} tunnel to the simulator serving https, where
 * the target's host name ({@code api.workos.test}) resolves only inside the test proxy; a target that cannot be
 * used (nothing listens, an untrusted or misnamed certificate, a proxy refusing its credentials) stops the job
 * before any row is marked, with exit 3 and one line, and the same job then imports exactly once reached right.
 */
class NetworkCliTest {
  static final String KEY = "sk_test_network_key";
  static final int ROWS = 40;
  static final String PROXY_USER = "ferry";
  static final String PROXY_PASSWORD = "PROXYCANARY-p@ss";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  SimServer sim;
  ForwardProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) proxy.close();
    if (sim != null) sim.close();
  }

  @Test
  void importsExactlyThroughAForwardProxyThatAloneResolvesTheHostAndSeesEveryRequest() throws Exception {
    // Given: the simulator over http, reachable by name only through a proxy that wants credentials
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build());
    proxy = ForwardProxy.start(Map.of("api.workos.test", loopback(sim.port())), basic(PROXY_USER, PROXY_PASSWORD));
    Map<String, String> env = Map.of(ApiKeys.ENV, KEY, "HTTP_PROXY", proxy.url("ferry:PROXYCANARY-p%40ss"));

    // When
    CliRun run = CliRun.run(env, importArgs("proxied", "http://api.workos.test:" + sim.port()));

    // Then: every user exactly once, every request through the proxy, with the credentials
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
    assertThat(run.err()).contains("-> http://api.workos.test:" + sim.port() + " via proxy 127.0.0.1:" + proxy.port()
        + " (with credentials) from HTTP_PROXY");
    assertThat(proxy.forwarded()).as("the proxy saw every request").isEqualTo(sim.stats().requests());
    assertThat(proxy.refused()).isZero();
    assertThat(proxy.authorizations()).hasSize(proxy.forwarded()).containsOnly(basic(PROXY_USER, PROXY_PASSWORD));
    assertNoProxyPassword(run);
  }

  @Test
  void importsExactlyThroughAConnectTunnelToTheSimulatorOverHttps() throws Exception {
    // Given: the simulator over https with a self-signed certificate for api.workos.test, behind a proxy
    TestCertificates certs = TestCertificates.get();
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build(), certs.serverContext());
    proxy = ForwardProxy.start(Map.of(TestCertificates.HOST, loopback(sim.port())), basic(PROXY_USER, PROXY_PASSWORD));
    Map<String, String> env = Map.of(ApiKeys.ENV, KEY, "https_proxy", proxy.url("ferry:PROXYCANARY-p%40ss"));
    List<String> args = importArgs("tunneled", "https://" + TestCertificates.HOST + ":" + sim.port());
    args.addAll(List.of("--ca-cert", certs.pem().toString()));

    // When
    CliRun run = CliRun.run(env, args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
    assertThat(proxy.tunnels()).as("connections tunneled").isPositive();
    assertThat(proxy.forwarded()).as("nothing went through in clear").isZero();
    assertThat(proxy.authorizations()).hasSize(proxy.tunnels()).containsOnly(basic(PROXY_USER, PROXY_PASSWORD));
    assertNoProxyPassword(run);
  }

  @Test
  void anUnreachableTargetStopsTheJobBeforeAnyRowIsMarked() throws Exception {
    // Given: a port where nothing listens
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), importArgs("unreachable", "http://127.0.0.1:" + port));

    // Then: exit 3 with one line saying what to check, and no row has an outcome
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines().getLast()).isEqualTo("ferry: job unreachable stopped: cannot connect to 127.0.0.1:" + port
        + " (connection refused): check --api-url, and that the API is up");
    assertNothingMarked("unreachable", run);
  }

  @Test
  void anUnknownHostStopsTheJobBeforeAnyRowIsMarked() throws Exception {
    // When: a name no resolver knows (.invalid is reserved for that)
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), importArgs("unknown", "http://no-such-host.invalid:8080"));

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines().getLast())
        .startsWith("ferry: job unknown stopped: cannot resolve the host name of no-such-host.invalid:8080: check --api-url");
    assertNothingMarked("unknown", run);
  }

  @Test
  void anUntrustedCertificateStopsTheJobAndTheResumeWithCaCertImportsExactly() throws Exception {
    // Given: the simulator over https with a self-signed certificate the JDK does not trust
    TestCertificates certs = TestCertificates.get();
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build(), certs.serverContext());

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), importArgs("untrusted", sim.baseUrl().toString()));

    // Then: exit 3, one line naming --ca-cert, nothing marked, nothing created
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines().getLast())
        .startsWith("ferry: job untrusted stopped: the TLS certificate of 127.0.0.1:" + sim.port() + " is not trusted")
        .contains("--ca-cert FILE or SSL_CERT_FILE");
    assertNothingMarked("untrusted", run);
    assertThat(sim.stats().usersCreated()).isZero();

    // When: resumed trusting the certificate
    List<String> resume = resumeArgs("untrusted");
    resume.addAll(List.of("--ca-cert", certs.pem().toString()));
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), resume);

    // Then
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
  }

  @Test
  void sslCertFileIsReadWhenNoCaCertIsGiven() throws Exception {
    // Given
    TestCertificates certs = TestCertificates.get();
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build(), certs.serverContext());

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY, "SSL_CERT_FILE", certs.pem().toString()),
        importArgs("env-ca", sim.baseUrl().toString()));

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
  }

  @Test
  void aCertificateForAnotherHostStopsTheJobNamingTheHost() throws Exception {
    // Given: the certificate is trusted, but the proxy maps a name the certificate does not hold to the server
    TestCertificates certs = TestCertificates.get();
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build(), certs.serverContext());
    proxy = ForwardProxy.start(Map.of("other.workos.test", loopback(sim.port())), null);
    List<String> args = importArgs("misnamed", "https://other.workos.test:" + sim.port());
    args.addAll(List.of("--ca-cert", certs.pem().toString()));

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY, "HTTPS_PROXY", proxy.url(null)), args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines().getLast())
        .startsWith("ferry: job misnamed stopped: the TLS certificate of other.workos.test:" + sim.port()
            + " does not name that host")
        .endsWith("check the host name in --api-url");
    assertNothingMarked("misnamed", run);
  }

  @Test
  void aProxyRefusingItsCredentialsStopsTheJobWithoutShowingThem() throws Exception {
    // Given: the proxy wants other credentials than the URL gives
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build());
    proxy = ForwardProxy.start(Map.of("api.workos.test", loopback(sim.port())), basic("someone", "else"));
    Map<String, String> env = Map.of(ApiKeys.ENV, KEY, "http_proxy", proxy.url("ferry:PROXYCANARY-p%40ss"));

    // When
    CliRun run = CliRun.run(env, importArgs("refused", "http://api.workos.test:" + sim.port()));

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines().getLast()).isEqualTo("ferry: job refused stopped: the proxy 127.0.0.1:" + proxy.port()
        + " (with credentials) from http_proxy refused the request: HTTP 407 (check the user and password in"
        + " http_proxy); check the proxy setting");
    assertNothingMarked("refused", run);
    assertNoProxyPassword(run);
  }

  @Test
  void aCaCertFileWithoutCertificatesIsAUsageError() throws Exception {
    // Given
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");

    // When
    List<String> args = importArgs("badca", "https://127.0.0.1:1");
    args.addAll(List.of("--ca-cert", notPem.toString()));
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--ca-cert " + notPem + ": no certificate found (expected PEM");
  }

  @Test
  void anSslCertFileIsParsedOnlyForAnHttpsTarget() throws Exception {
    // Given: SSL_CERT_FILE names a file whose block is well-formed PEM (base64 of a DER sequence) but no certificate,
    // which only a full parse tells, and the simulator over http
    Path notACertificate = Files.writeString(dir.resolve("bundle.pem"), TlsBlocks.NOT_A_CERTIFICATE);
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build());
    Map<String, String> env = Map.of(ApiKeys.ENV, KEY, "SSL_CERT_FILE", notACertificate.toString());

    // When: an import to the http target, then one to an https target
    CliRun http = CliRun.run(env, importArgs("plain", "http://127.0.0.1:" + sim.port()));
    CliRun https = CliRun.run(env, importArgs("tls", "https://127.0.0.1:1"));

    // Then: the http import never needed the certificates (they were not parsed: before, every run parsed the whole
    // bundle up front); the https one is refused before it is planned, as before
    assertThat(http.exit()).as(http.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
    assertThat(https.exit()).as(https.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(https.err()).contains("SSL_CERT_FILE " + notACertificate + ": no certificate found (expected PEM")
        .doesNotContain("planning");
  }

  @Test
  void aSpecWithAnHttpsTargetHasItsCertificatesParsedBeforeAnythingIsSent() throws Exception {
    // Given: the same SSL_CERT_FILE, and a spec whose target is https
    Path notACertificate = Files.writeString(dir.resolve("bundle.pem"), TlsBlocks.NOT_A_CERTIFICATE);
    Path csv = Files.writeString(dir.resolve("users.csv"), "email\na@example.com\n");
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        source: { csv: { path: "%s" } }
        targets:
          api: { base_url: "https://127.0.0.1:1" }
        steps:
          - name: post
            target: api
            request: { method: POST, path: /x, body: { email: "{{ row.email }}" } }
        """.formatted(csv));

    // When
    CliRun run = CliRun.run(Map.of("SSL_CERT_FILE", notACertificate.toString()), List.of("run", spec.toString(),
        "--job-id", "tls-spec", "--progress", "never", "--checkpoint-dir", dir.resolve(".ferry").toString()));

    // Then: a usage error naming the file, before anything is sent (a send would stop the job: exit 3)
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("SSL_CERT_FILE " + notACertificate + ": no certificate found (expected PEM");
  }

  /** PEM text for the tests of the certificates' checks. */
  static final class TlsBlocks {
    /** One block of base64 that decodes to a DER sequence holding an integer: PEM in form, no certificate. */
    static final String NOT_A_CERTIFICATE = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})
        + "\n-----END CERTIFICATE-----\n";

    private TlsBlocks() {}
  }

  static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private List<String> importArgs(String job, String apiUrl) throws IOException {
    Path csv = dir.resolve("users.csv");
    if (!Files.exists(csv)) StopConditionsTest.users(csv, ROWS);
    return new ArrayList<>(List.of("import-users", "--csv", csv.toString(), "--job-id", job, "--api-url", apiUrl,
        "--rate-limit", "none", "--json", "--progress", "never", "--checkpoint-dir", dir.resolve(".ferry").toString()));
  }

  private List<String> resumeArgs(String job) {
    return new ArrayList<>(List.of("resume", job, "--json", "--progress", "never", "--checkpoint-dir",
        dir.resolve(".ferry").toString()));
  }

  /** The job is STOPPED (resumable), its ledger holds no outcome, and its report says so. */
  private void assertNothingMarked(String job, CliRun run) throws IOException {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve(".ferry/ferry.db"))) {
      JobRecord record = store.findJob(job).orElseThrow();
      assertThat(record.status()).isEqualTo(JobStatus.STOPPED);
      OutcomeCounts counts = store.counts(job);
      assertThat(counts.total()).as("rows with an outcome").isZero();
    }
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.path("done").asLong()).isZero();
    assertThat(report.path("failed").asLong()).isZero();
    assertThat(report.path("pending").asLong()).isEqualTo(ROWS);
  }

  /** Neither the proxy password nor its Basic encoding in anything the run printed or stored. */
  private void assertNoProxyPassword(CliRun run) throws IOException {
    String encoded = basic(PROXY_USER, PROXY_PASSWORD).substring("Basic ".length());
    assertThat(run.out() + run.err()).doesNotContain("PROXYCANARY").doesNotContain(encoded);
    try (var files = Files.walk(dir.resolve(".ferry"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(text).as(f.toString()).doesNotContain("PROXYCANARY").doesNotContain(encoded);
      }
    }
  }

  private void assertExactlyOnce(int users) {
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(users);
    assertThat(s.usersCreated()).isEqualTo(users);
    assertThat(s.duplicateCreations()).isZero();
  }
}
