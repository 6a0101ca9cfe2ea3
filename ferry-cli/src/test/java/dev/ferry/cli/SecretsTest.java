package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.http.Secret;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.testing.ApiProxy;
import dev.ferry.testing.ForwardProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs imports with a recognisable API key and recognisable passwords and password hashes through success,
 * invalid rows, API failures (one API even quotes the request, key and body, in its errors), a refused key, a
 * crash (kill -9) and its resume, {@code --verbose} and {@code --api-key-file}; then scans every byte ferry
 * wrote or printed (stdout, stderr with the debug log, the SQLite files with their -wal and -shm, errors files,
 * JSON reports, status output): no canary appears anywhere. Proxy credentials (in the proxy URL) likewise, through
 * an import via a proxy and a proxy that refuses them.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class SecretsTest {
  static final String KEY = "sk_test_SECRETCANARY_9f8e7d";
  static final String[] CANARIES = {"SECRETCANARY", "HASHCANARY", "PWCANARY", "TOKENCANARY"};
  /** A spec's secret parameter: a quote, a backslash, a slash, non-ASCII, '&' and a space, so each form differs. */
  static final String TOKEN = "tok\"TOKENCANARY\\/\u00e9&a b";
  static final int VALID_ROWS = 40;
  static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @TempDir
  Path dir;
  Path work;
  Path inputs;
  SimServer sim;
  ApiProxy proxy;
  Path csv;

  @BeforeEach
  void start() throws IOException {
    work = Files.createDirectory(dir.resolve("work")); // everything ferry writes or prints lands here
    inputs = Files.createDirectory(dir.resolve("inputs")); // the input and the key file: they hold canaries
    sim = SimServer.start(SimConfig.builder().latency(Duration.ofMillis(50)).requiredKey(KEY).build());
    proxy = ApiProxy.start(sim.baseUrl());
    csv = inputs.resolve("users.csv");
    Files.writeString(csv, input());
  }

  @AfterEach
  void stop() {
    proxy.close();
    sim.close();
  }

  /** 40 valid rows with a hash or a password, then rows that are invalid or that the API refuses. */
  static String input() {
    StringBuilder b = new StringBuilder("email,password,password_hash,password_hash_type,metadata\n");
    for (int i = 1; i <= VALID_ROWS; i++) {
      if (i % 2 == 0) b.append("u").append(i).append("@example.com,,").append(hash(i)).append(",bcrypt,\n");
      else b.append("u").append(i).append("@example.com,PWCANARY-pass-").append(i).append(",,,\n");
    }
    b.append("both@example.com,PWCANARY-both,").append(hash(100)).append(",bcrypt,\n"); // invalid: both
    b.append("md5@example.com,,").append(hash(101)).append(",md5,\n"); // invalid: hash type
    b.append("meta@example.com,,").append(hash(102)).append(",bcrypt,not-json\n"); // invalid: metadata
    b.append("short-tld@example.c,,").append(hash(103)).append(",bcrypt,\n"); // the API answers 422
    b.append("\"open@example.com,,").append(hash(104)).append(",bcrypt,\n"); // an unterminated quote in the email...
    b.append("next@example.com,PWCANARY-next,").append(hash(105)).append(",bcrypt,\n"); // ...swallows this row
    return b.toString();
  }

  static String hash(int i) {
    String body = "HASHCANARY" + String.format("%04d", i) + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO";
    return "$2b$12$" + body.substring(0, 53);
  }

  @Test
  void noKeyPasswordOrHashInAnythingFerryWritesOrPrints() throws Exception {
    assertThat(Files.readString(csv)).contains("HASHCANARY", "PWCANARY");

    // 1. success, invalid rows and an API failure, with --verbose and JSON logs, in a child process (all its output
    // captured; the crash of step 4 logs as text)
    ChildFerry run = ChildFerry.start(work, "import", Map.of(ApiKeys.ENV, KEY),
        args("mixed", sim.baseUrl().toString(), "--verbose", "--log-format", "json"));
    assertThat(run.exitCode(Duration.ofSeconds(120))).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(sim.stats().usersCreated()).as("the rows with hashes were sent").isEqualTo(VALID_ROWS);
    List<String> logLines = run.stderr().lines().filter(l -> l.startsWith("{")).toList();
    for (String line : logLines) assertThat(JSON.readTree(line).get("formattedMessage")).as(line).isNotNull();
    assertThat(logLines).anyMatch(l -> l.contains("\"level\":\"DEBUG\"")); // the debug log was on, as JSON
    assertThat(Files.readString(work.resolve("mixed-errors.csv"))).contains("short-tld@example.c", "both@example.com");

    // 2. an API that quotes the request (key and body) in its 422 answers, in this process with --verbose
    proxy.refuseWith(422).echoRequest(true).echoEncoded(true);
    List<String> echo = args("echo", proxy.baseUrl().toString(), "--verbose");
    echo.addAll(List.of("--max-consecutive-failures", "0"));
    Captured echoed = inProcess(() -> CliRun.run(Map.of(ApiKeys.ENV, KEY), echo));
    assertThat(echoed.run.exit()).as(echoed.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(Files.readString(work.resolve("echo-errors.csv"))).as("the echo happened and was scrubbed")
        .contains("refused by the test proxy [key ***] (request: Authorization Bearer ***; body {")
        .contains("\"\"password\"\":\"\"***\"\"").contains("\"\"password_hash\"\":\"\"***\"\"");
    proxy.forward().echoRequest(false).echoEncoded(false);

    // 3. a refused key (401): the message names the key's variable, never its value
    try (SimServer other = SimServer.start(SimConfig.builder().requiredKey("sk_test_other").build())) {
      ChildFerry refused = ChildFerry.start(work, "refused", Map.of(ApiKeys.ENV, KEY),
          args("refused", other.baseUrl().toString(), "--verbose"));
      assertThat(refused.exitCode(Duration.ofSeconds(120))).as(refused.toString()).isEqualTo(ExitCodes.STOPPED);
      assertThat(refused.stdout()).contains("the target refused the API key (HTTP 401)");
    }

    // 4. a crash (kill -9) in the middle, with the key from an owner-only key file, and the resume after it
    Path keyFile = inputs.resolve("key");
    Files.writeString(keyFile, KEY + "\n");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    sim.reset();
    List<String> crashArgs = args("crash", proxy.baseUrl().toString(), "--verbose");
    crashArgs.addAll(List.of("--api-key-file", keyFile.toString(), "--workers", "1", "--concurrency", "1"));
    ChildFerry crash = ChildFerry.start(work, "crash", Map.of(), crashArgs);
    crash.await("some users", Duration.ofSeconds(60), () -> sim.stats().usersCreated() >= 5);
    assertThat(crash.process.info().commandLine().orElse("")).doesNotContain(KEY);
    crash.process.destroyForcibly();
    crash.exitCode(Duration.ofSeconds(30));
    assertThat(Files.list(work.resolve(".ferry")).map(p -> p.getFileName().toString()))
        .as("the crash left the WAL behind for the scan").contains("ferry.db-wal");
    scan("ferry.db-wal", "crash.err"); // the store as the crash left it
    Captured resumed = inProcess(() -> CliRun.run(Map.of(), "resume", "crash", "--api-key-file", keyFile.toString(),
        "--verbose", "--progress", "never", "--checkpoint-dir", work.resolve(".ferry").toString(), "--errors-out",
        work.resolve("crash-errors.csv").toString(), "--report-json", work.resolve("crash-report.json").toString()));
    assertThat(resumed.run.exit()).as(resumed.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(sim.stats().users()).isEqualTo(VALID_ROWS);

    // 5. what status shows
    Captured status = inProcess(() -> CliRun.run(Map.of(), "status", "--checkpoint-dir", work.resolve(".ferry").toString()));
    Captured statusJson = inProcess(() -> CliRun.run(Map.of(), "status", "crash", "--json", "--checkpoint-dir",
        work.resolve(".ferry").toString()));

    // Then: no canary anywhere
    for (Captured c : List.of(echoed, resumed, status, statusJson)) {
      for (String canary : CANARIES) {
        assertThat(c.all()).as("output of an in-process run").doesNotContain(forms(canary));
      }
    }
    Files.writeString(work.resolve("in-process-output.txt"), echoed.all() + resumed.all() + status.all() + statusJson.all());
    scan("import.err", "import.out", "mixed-errors.csv", "mixed-report.json", "echo-errors.csv", "refused.err",
        "crash-errors.csv", "crash-report.json", "in-process-output.txt");
  }

  @Test
  void aSpecsSecretsInBodyQueryAndColumnsNeverShowInAnythingFerryWritesOrPrints() throws Exception {
    // Given: a spec that puts a secret parameter and a secret column in the body and the query (and captures the
    // parameter back from the answer into the results file); an API that refuses some rows quoting the request
    Path users = inputs.resolve("spec-users.csv");
    StringBuilder in = new StringBuilder("email,first,password\n");
    for (int i = 1; i <= 12; i++) {
      in.append(i % 4 == 0 ? "refuse" : "u").append(i).append("@example.com,F").append(i)
          .append(",\"PWCANARY\"\"q\\/").append(i).append("\"\n");
    }
    Files.writeString(users, in);
    Path spec = inputs.resolve("secret-spec.yaml");
    Files.writeString(spec, """
        version: 1
        name: secret-spec
        source:
          csv: { path: "${INPUT}", secret_columns: [password] }
        targets:
          api:
            base_url: "${API_URL}"
            headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" }
        steps:
          - name: user
            target: api
            request:
              method: POST
              path: /user_management/users
              query: { api_token: "${API_TOKEN}", pw: "{{ row.password }}" }
              body:
                email: "{{ row.email }}"
                first_name: "${API_TOKEN}"
                last_name: "{{ row.first }}"
                note: "{{ row.password }}"
            capture: { id: "$.id", name: "$.first_name" }
        key: "{{ row.email }}"
        sink:
          jsonl: { path: "${RESULTS}" }
        """);
    Path broken = inputs.resolve("broken-spec.yaml");
    Files.writeString(broken, Files.readString(spec).replace("key: \"{{ row.email }}\"",
        "key: \"{{ row.email }}${API_TOKEN}{{\""));
    proxy.refuseWith(422, "refuse").echoRequest(true);
    Map<String, String> env = Map.of("INPUT", users.toString(), "API_URL", proxy.baseUrl().toString(),
        ApiKeys.ENV, KEY, "API_TOKEN", TOKEN, "RESULTS", work.resolve("spec-results.jsonl").toString());
    String state = work.resolve(".ferry").toString();

    // When: the spec is checked, a broken copy of it (its error quotes the template) too, and it is dry-run
    Captured check = inProcess(() -> CliRun.run(env, "spec", "check", spec.toString()));
    assertThat(check.run.exit()).as(check.toString()).isZero();
    Captured checkBroken = inProcess(() -> CliRun.run(env, "spec", "check", broken.toString()));
    assertThat(checkBroken.run.exit()).as(checkBroken.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(checkBroken.run.err()).contains("broken-spec.yaml:").contains("***{{");
    Captured dry = inProcess(() -> CliRun.run(env, "run", spec.toString(), "--job-id", "spec-dry", "--dry-run",
        "--progress", "never", "--checkpoint-dir", state));
    assertThat(dry.run.exit()).as(dry.toString()).isZero();
    assertThat(dry.run.out()).as("the dry run showed the requests").contains("POST " + proxy.baseUrl()
        + "/user_management/users?api_token=***&pw=***").contains("\"first_name\":\"***\"", "\"note\":\"***\"");
    assertThat(sim.stats().requests()).isZero();

    // When: it runs for real (a child process, debug log as JSON), then is resumed and its status shown
    ChildFerry run = ChildFerry.start(work, "spec-run", env, List.of("run", spec.toString(), "--job-id", "spec-run",
        "--progress", "never", "--verbose", "--log-format", "json", "--checkpoint-dir", state, "--errors-out",
        work.resolve("spec-errors.csv").toString(), "--report-json", work.resolve("spec-report.json").toString()));
    assertThat(run.exitCode(Duration.ofSeconds(120))).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(sim.stats().usersCreated()).isEqualTo(9);
    assertThat(Files.readString(work.resolve("spec-errors.csv"))).as("the API echoed the request, masked")
        .contains("refused by the test proxy (request: Authorization Bearer ***; body {")
        .contains("\"\"first_name\"\":\"\"***\"\"").contains("\"\"note\"\":\"\"***\"\"")
        .contains("target /user_management/users?api_token=***&pw=***");
    assertThat(Files.readString(work.resolve("spec-results.jsonl"))).contains("\"name\":\"***\"");
    Captured resumed = inProcess(() -> CliRun.run(env, "resume", "spec-run", "--verbose", "--progress", "never",
        "--checkpoint-dir", state, "--report-json", work.resolve("spec-resume-report.json").toString()));
    assertThat(resumed.run.exit()).as(resumed.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    Captured status = inProcess(() -> CliRun.run(Map.of(), "status", "spec-run", "--json", "--checkpoint-dir", state));

    // When: another job of the spec meets an API that echoes the token encoded (every byte %XX, %xx, \\uXXXX)
    proxy.echoRequest(false).echoEncoded(true);
    Captured encoded = inProcess(() -> CliRun.run(env, "run", spec.toString(), "--job-id", "spec-encoded",
        "--verbose", "--progress", "never", "--checkpoint-dir", state, "--errors-out",
        work.resolve("spec-encoded-errors.csv").toString(), "--report-json",
        work.resolve("spec-encoded-report.json").toString()));
    assertThat(encoded.run.exit()).as(encoded.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(Files.readString(work.resolve("spec-encoded-errors.csv"))).as("the echo happened, masked")
        .contains("refused by the test proxy [token ***]");

    // Then: no secret, in any form, anywhere ferry wrote or printed
    Files.writeString(work.resolve("spec-in-process-output.txt"), check.all() + checkBroken.all() + dry.all()
        + resumed.all() + status.all() + encoded.all());
    scan("spec-run.out", "spec-run.err", "spec-errors.csv", "spec-report.json", "spec-resume-report.json",
        "spec-results.jsonl", "spec-in-process-output.txt", "spec-encoded-errors.csv", "spec-encoded-report.json");
  }

  @Test
  void theSecretColumnsOfAJsonlAndASqlSourceNeverShowInAnythingFerryWritesOrPrints() throws Exception {
    // Given: a JSONL file whose rows hold a nested password and a hash, and a SQL table holding the same; specs naming
    // them in secret_columns (a dotted path for the nested field) and sending them in the body and the query to an
    // API that refuses some rows quoting the request
    Path jsonl = inputs.resolve("users.jsonl");
    Path db = inputs.resolve("users.db");
    StringBuilder lines = new StringBuilder();
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
      st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT, hash TEXT)");
      for (int i = 1; i <= 8; i++) {
        String email = (i % 4 == 0 ? "refuse" : "u") + i + "@example.com";
        String pw = "PWCANARY\"q\\/" + i;
        String hash = "HASHCANARY-" + i;
        lines.append(JSON.writeValueAsString(Map.of("email", email, "hash", hash,
            "user", Map.of("first", "F" + i, "password", pw)))).append('\n');
        try (var ps = c.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?)")) {
          ps.setInt(1, i);
          ps.setString(2, email);
          ps.setString(3, pw);
          ps.setString(4, hash);
          ps.executeUpdate();
        }
      }
    }
    Files.writeString(jsonl, lines);
    String steps = """
        targets:
          api:
            base_url: "${API_URL}"
            headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" }
        steps:
          - name: user
            target: api
            request:
              method: POST
              path: /user_management/users
              query: { h: "{{ row.hash }}" }
              body: { email: "{{ row.email }}", password: "PASSWORD", note: "{{ row.hash }}" }
        key: "{{ row.email }}"
        sink:
          jsonl: { path: "${RESULTS}" }
        """;
    Path jsonlSpec = inputs.resolve("jsonl-secret.yaml");
    Files.writeString(jsonlSpec, "version: 1\nname: jsonl-secret\nsource:\n"
        + "  jsonl: { path: \"${INPUT}\", secret_columns: [user.password, hash] }\n"
        + steps.replace("PASSWORD", "{{ row.user.password }}"));
    Path sqlSpec = inputs.resolve("sql-secret.yaml");
    Files.writeString(sqlSpec, "version: 1\nname: sql-secret\nsource:\n"
        + "  sql: { url: \"jdbc:sqlite:${DB}\", query: \"SELECT * FROM users\", key: id,"
        + " secret_columns: [Password, hash] }\n" + steps.replace("PASSWORD", "{{ row.password }}")
        .replace("email: \"{{ row.email }}\"", "email: \"sql-{{ row.email }}\""));
    proxy.refuseWith(422, "refuse").echoRequest(true);
    String state = work.resolve(".ferry").toString();
    StringBuilder printed = new StringBuilder();
    for (Path spec : List.of(jsonlSpec, sqlSpec)) {
      String name = spec.getFileName().toString().replace(".yaml", "");
      Map<String, String> env = Map.of("INPUT", jsonl.toString(), "DB", db.toString(), "API_URL",
          proxy.baseUrl().toString(), ApiKeys.ENV, KEY, "RESULTS", work.resolve(name + "-results.jsonl").toString());

      // When: it is dry-run, then run for real (debug log as JSON), and its status shown
      Captured dry = inProcess(() -> CliRun.run(env, "run", spec.toString(), "--job-id", name + "-dry", "--dry-run",
          "--progress", "never", "--checkpoint-dir", state));
      assertThat(dry.run.exit()).as(dry.toString()).isZero();
      assertThat(dry.run.out()).as("the dry run showed the requests").contains("?h=***")
          .contains("\"password\":\"***\"", "\"note\":\"***\"");
      Captured run = inProcess(() -> CliRun.run(env, "run", spec.toString(), "--job-id", name, "--progress", "never",
          "--verbose", "--log-format", "json", "--checkpoint-dir", state, "--errors-out",
          work.resolve(name + "-errors.csv").toString()));
      assertThat(run.run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
      String errors = Files.readString(work.resolve(name + "-errors.csv"));
      assertThat(errors).as("the refused rows' records, their secrets masked").contains("refuse4@example.com")
          .contains("refuse8@example.com").contains("\"\"***\"\"").contains("body {");
      assertThat(errors.lines().filter(l -> l.contains("refuse4@example.com")))
          .as("ferry_secret_omitted names the secret fields the row held (before the record's column)")
          .singleElement().asString().contains(name.startsWith("jsonl") ? ",hash user.password,\"{" : ",hash password,\"{");
      Captured status = inProcess(() -> CliRun.run(Map.of(), "status", name, "--json", "--checkpoint-dir", state));
      printed.append(dry.all()).append(run.all()).append(status.all());
    }
    assertThat(sim.stats().usersCreated()).isEqualTo(12);

    // Then: no secret value anywhere ferry wrote or printed
    Files.writeString(work.resolve("source-secrets-output.txt"), printed);
    scan("jsonl-secret-errors.csv", "sql-secret-errors.csv", "jsonl-secret-results.jsonl",
        "sql-secret-results.jsonl", "source-secrets-output.txt");
  }

  @Test
  void aServicesSecretsNeverShowInItsFailedItemsLogsOrQueue() throws Exception {
    // Given: a service spec whose step puts a secret parameter in the body and the query, and an API that refuses
    // some items quoting the request
    Path spec = inputs.resolve("secret-serve.yaml");
    Files.writeString(spec, """
        version: 1
        name: secret-serve
        targets:
          api:
            base_url: "${API_URL}"
            headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" }
        steps:
          - name: user
            target: api
            request:
              method: POST
              path: /user_management/users
              query: { api_token: "${API_TOKEN}" }
              body: { email: "{{ row.email }}", first_name: "${API_TOKEN}" }
        key: "{{ row.email }}"
        serve:
          routes: [ { path: /in, delivery_id: "$.id", items: "$.users" } ]
          max_attempts: 1
        """);
    proxy.refuseWith(422, "refuse").echoRequest(true);
    Map<String, String> env = Map.of("API_URL", proxy.baseUrl().toString(), ApiKeys.ENV, KEY, "API_TOKEN", TOKEN);
    Path state = Files.createDirectories(work.resolve(".ferry"));
    String db = state.resolve("ferry.db").toString();
    dev.ferry.spec.ServiceSpec service = dev.ferry.spec.SpecLoader.loadService(spec, env);
    String failedList;
    Captured served;
    try (dev.ferry.core.spi.JobStore store = dev.ferry.store.JobStores.open(db);
        dev.ferry.store.SqlWorkQueue queue = dev.ferry.store.SqlWorkQueue.open(db, "secret-serve")) {
      served = inProcess(() -> {
        try {
          dev.ferry.service.Service s = dev.ferry.service.Service.start(service, store, queue,
              new dev.ferry.service.Service.Options(new java.net.InetSocketAddress(
                  java.net.InetAddress.getLoopbackAddress(), 0), "p1", dev.ferry.core.metrics.MetricsRecorder.none(),
                  () -> "", new dev.ferry.http.CallMetrics(), Duration.ofSeconds(10)));
          try (s) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + s.address().getPort();
            // When: a delivery of two items, one refused with the request quoted
            java.net.http.HttpResponse<String> posted = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(base + "/in")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"id\":\"d1\",\"users\":[{\"email\":\"refuse1@example.com\"},{\"email\":\"ok1@example.com\"}]}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).isEqualTo(202);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (queue.stats(0).done() + queue.stats(0).failed() < 2 && System.nanoTime() < deadline) {
              Thread.sleep(20); // waiting for the drain, not timing it
            }
            java.net.http.HttpResponse<String> failed = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(base + "/failed")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            s.stop(Duration.ofSeconds(10));
            return new CliRun(0, failed.body(), "");
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      failedList = served.run.out();
      assertThat(queue.stats(0)).as(failedList).isEqualTo(new dev.ferry.store.WorkQueue.QueueStats(0, 0, 1, 1, 0));
    }
    CliRun listed = CliRun.run(env, "serve", spec.toString(), "--checkpoint-dir", state.toString(), "--list-failed");

    // Then: the failed item's reason is the API's echo, masked, in /failed and --list-failed; nothing anywhere holds
    // the secret
    assertThat(sim.stats().usersCreated()).isEqualTo(1);
    assertThat(failedList).contains("refused by the test proxy (request: Authorization Bearer ***; body {")
        .contains("first_name\\\":\\\"***\\\"").contains("target /user_management/users?api_token=***");
    assertThat(listed.exit()).as(listed.toString()).isZero();
    assertThat(listed.out()).contains("api_token=***");
    Files.writeString(work.resolve("serve-output.txt"), served.all() + listed.out() + listed.err());
    scan("serve-output.txt");
  }

  @Test
  void proxyCredentialsNeverShowInOutputLogsOrState() throws Exception {
    // Given: the API reachable only through a proxy that wants Basic credentials, given in the proxy URL
    String password = "PROXYCANARY-pw";
    String basic = java.util.Base64.getEncoder().encodeToString(("ferry:" + password).getBytes(StandardCharsets.UTF_8));
    try (ForwardProxy forward = ForwardProxy.start(Map.of("api.workos.test", new java.net.InetSocketAddress(
        java.net.InetAddress.getLoopbackAddress(), sim.port())), "Basic " + basic)) {
      String apiUrl = "http://api.workos.test:" + sim.port();

      // When: an import with the debug log, in a child process (every byte it prints captured)
      ChildFerry run = ChildFerry.start(work, "proxied", Map.of(ApiKeys.ENV, KEY, "HTTP_PROXY",
          forward.url("ferry:" + password)), args("proxied", apiUrl, "--verbose"));
      assertThat(run.exitCode(Duration.ofSeconds(120))).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
      assertThat(sim.stats().usersCreated()).as("through the proxy").isEqualTo(VALID_ROWS);
      assertThat(forward.authorizations()).isNotEmpty().containsOnly("Basic " + basic);

      // When: the proxy refuses the credentials, in this process with the debug log
      forward.requireAuthorization("Basic c29tZW9uZTplbHNl");
      Captured refused = inProcess(() -> CliRun.run(Map.of(ApiKeys.ENV, KEY, "HTTP_PROXY",
          forward.url("ferry:" + password)), args("proxy-refused", apiUrl, "--verbose")));
      assertThat(refused.run.exit()).as(refused.toString()).isEqualTo(ExitCodes.STOPPED);
      assertThat(refused.all()).contains("refused the request: HTTP 407");
      Files.writeString(work.resolve("proxy-in-process-output.txt"), refused.all());

      // Then: neither the password nor its Basic encoding anywhere ferry wrote or printed
      List<Path> files;
      try (Stream<Path> all = Files.walk(work)) {
        files = all.filter(Files::isRegularFile).toList();
      }
      assertThat(files.stream().map(p -> p.getFileName().toString())).contains("ferry.db", "proxied.err",
          "proxied-errors.csv", "proxy-in-process-output.txt");
      for (Path f : files) {
        String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(raw).as(work.relativize(f).toString()).doesNotContain("PROXYCANARY").doesNotContain(basic);
      }
    }
  }

  @Test
  void aKeyFileOthersCanReadIsRefusedAndAnOwnerOnlyOneWorks() throws Exception {
    Path keyFile = inputs.resolve("key");
    Files.writeString(keyFile, KEY + "\n");
    for (String mode : List.of("rw-r--r--", "rw-r-----")) {
      // Given: a key file others (or the group) can read
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(mode));

      // When
      List<String> a = args("keyfile-" + mode.replace("-", ""), sim.baseUrl().toString());
      a.addAll(List.of("--api-key-file", keyFile.toString()));
      CliRun run = CliRun.run(Map.of(), a);

      // Then: exit 2, one line saying what to do, nothing sent
      assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(run.errLines()).containsExactly("ferry: " + keyFile + ": the key file is readable by other users;"
          + " run 'chmod 600 " + keyFile + "' first");
      assertThat(sim.stats().requests()).isZero();
    }

    // When: owner-only
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    List<String> a = args("keyfile-ok", sim.baseUrl().toString());
    a.addAll(List.of("--api-key-file", keyFile.toString()));
    CliRun run = CliRun.run(Map.of(), a);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(sim.stats().usersCreated()).isEqualTo(VALID_ROWS);
    for (String canary : CANARIES) assertThat(run.out() + run.err()).doesNotContain(canary);
    scan("keyfile-ok-errors.csv", "keyfile-ok-report.json");
  }

  @Test
  void aStorePasswordNeverShowsWhenTheStoreFails() throws Exception {
    // Given a PostgreSQL store URL with a password, on a port where nothing listens, by flag and by environment
    String url = "jdbc:postgresql://127.0.0.1:1/ferry?user=ferry&password=STOREPWCANARY";
    ChildFerry byFlag = ChildFerry.start(work, "store-flag", Map.of(), List.of("status", "--store", url));
    ChildFerry byEnv = ChildFerry.start(work, "store-env", Map.of(StateDir.STORE_ENV, url, ApiKeys.ENV, KEY),
        List.of("worker", "j", "--verbose"));
    // Then both stop with the store's failure, and nothing they print holds the password
    for (ChildFerry run : List.of(byFlag, byEnv)) {
      assertThat(run.exitCode(Duration.ofSeconds(60))).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
      assertThat(run.stderr()).contains("cannot connect to PostgreSQL").doesNotContain("STOREPWCANARY");
      assertThat(run.stdout()).doesNotContain("STOREPWCANARY");
    }
  }

  @Test
  void noFlagTakesTheKey() {
    // every option of every command: nothing named like a key, a secret or a token, but the key file
    List<String> names = new ArrayList<>();
    collect(Main.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()),
        new java.io.PrintWriter(java.io.Writer.nullWriter())), names);
    assertThat(names).contains("--api-key-file", "--csv", "--workers");
    // A flag named like a secret may only say where the secret is (a file, or the name of an environment
    // variable), or count tokens; it never takes the secret itself.
    assertThat(names.stream().filter(n -> n.matches("(?i).*(key|secret|token|bearer|auth|passw).*")))
        .allMatch(n -> n.endsWith("-file") || n.endsWith("-env") || n.endsWith("-tokens"), "names a file, an"
            + " environment variable or a token count")
        .contains("--api-key-file", "--require-key-env");
  }

  @Test
  void aSecretNeverShowsInToStringOrExceptionMessages() {
    Secret s = Secret.of(KEY);
    assertThat(s.toString()).doesNotContain("SECRETCANARY");
    assertThat(s.scrub("Bearer " + KEY + " and " + KEY)).isEqualTo("Bearer *** and ***");
    // a key that is not usable is refused without quoting it
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, "sk_test_SECRETCANARY with space"),
        args("badkey", sim.baseUrl().toString()));
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("WORKOS_SECRET_KEY: the API key contains spaces").doesNotContain("SECRETCANARY");
    // a connection error names host and port only
    CliRun refused = CliRun.run(Map.of(ApiKeys.ENV, KEY), args("noserver", "http://127.0.0.1:9", "--max-attempts", "1",
        "--max-consecutive-failures", "3"));
    assertThat(refused.exit()).isEqualTo(ExitCodes.STOPPED);
    assertThat(refused.out()).contains("cannot connect to 127.0.0.1:9");
    assertThat(refused.out() + refused.err()).doesNotContain("SECRETCANARY");
  }

  private List<String> args(String job, String apiUrl, String... more) {
    List<String> a = new ArrayList<>(List.of("import-users", "--csv", csv.toString(), "--job-id", job, "--api-url",
        apiUrl, "--rate-limit", "none", "--progress", "never", "--checkpoint-dir", work.resolve(".ferry").toString(),
        "--errors-out", work.resolve(job + "-errors.csv").toString(), "--report-json",
        work.resolve(job + "-report.json").toString()));
    a.addAll(List.of(more));
    return a;
  }

  /** Every file under the work folder, raw bytes: the SQLite db and its -wal/-shm, errors files, reports, logs. */
  private void scan(String... expectedFiles) throws IOException {
    List<Path> files;
    try (Stream<Path> all = Files.walk(work)) {
      files = all.filter(Files::isRegularFile).toList();
    }
    assertThat(files.stream().map(p -> p.getFileName().toString())).contains("ferry.db").contains(expectedFiles);
    for (Path f : files) {
      String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String canary : CANARIES) {
        assertThat(raw).as(work.relativize(f) + " holds " + canary).doesNotContain(forms(canary));
      }
    }
  }

  /** A canary as it is and as {@link ApiProxy#echoEncoded} echoes it (a \\uXXXX escape in upper case too). */
  static String[] forms(String canary) {
    List<String> forms = new ArrayList<>(List.of(canary));
    for (int turn = 0; turn < 4; turn++) forms.add(ApiProxy.encode(canary, turn));
    forms.add(ApiProxy.encode(canary, 2).toUpperCase(java.util.Locale.ROOT).replace("\\U", "\\u"));
    return forms.toArray(String[]::new);
  }

  private static void collect(CommandLine cl, List<String> names) {
    for (OptionSpec o : cl.getCommandSpec().options()) names.addAll(List.of(o.names()));
    for (CommandLine sub : cl.getSubcommands().values()) collect(sub, names);
  }

  /** An in-process run with System.out/err captured too (the log goes there). */
  record Captured(CliRun run, String systemOut, String systemErr) {
    String all() {
      return run.out() + run.err() + systemOut + systemErr;
    }
  }

  private static Captured inProcess(Supplier<CliRun> body) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      CliRun run = body.get();
      return new Captured(run, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
      Verbosity.set(false);
    }
  }
}
