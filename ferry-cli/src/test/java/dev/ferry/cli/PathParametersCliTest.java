package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.LoopbackTarget;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec's {@code ${PARAM}} in a step's request path is percent-encoded as one segment, as a {@code {{ }}} value
 * there is: a space, '/', '?', '#', '%' and non-ASCII stay inside the segment (or the query value) they were written
 * in, and the literal text of the path is sent as written. Through {@code ferry run} (a dry run, then real HTTP to a
 * server that records each request target as it came).
 */
class PathParametersCliTest {
  static final String VALUE = "a b/c?d#e%f+é";
  static final String ENCODED = "a%20b%2Fc%3Fd%23e%25f%2B%C3%A9";

  @TempDir
  Path dir;
  @RegisterExtension final LoopbackTarget server = new LoopbackTarget();
  final List<String> targets = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server.on("/", ex -> {
      targets.add(ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery());
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
  }

  @Test
  void aParameterInARequestPathIsEncodedAsItsSegmentAndTheLiteralTextIsKept() throws Exception {
    // Given a path with a parameter as a segment, a {{ }} value as a segment, a parameter in the path's own query,
    // and a parameter in the query map
    Files.writeString(dir.resolve("in.csv"), "id,name\n1," + VALUE.replace("#", "") + "\n");
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(spec, """
        version: 1
        name: path-params
        source:
          csv: { path: "${INPUT}" }
        targets:
          api:
            base_url: "${API_URL}"
        steps:
          - name: put
            target: api
            request:
              method: PUT
              path: "/things/${THING}/names/{{ row.name }}?wait=true&tag=${THING}"
              query: { q: "${THING}" }
        key: "{{ row.id }}"
        """);
    Map<String, String> env = Map.of("API_URL", server.url() + "/v1",
        "THING", VALUE, "INPUT", dir.resolve("in.csv").toString());
    String rowEncoded = ENCODED.replace("%23", "");
    String expected = "/v1/things/" + ENCODED + "/names/" + rowEncoded + "?wait=true&tag=" + ENCODED + "&q=" + ENCODED;

    // When it is dry-run
    CliRun dry = CliRun.run(env, "run", spec.toString(), "--job-id", "dry", "--dry-run", "--progress", "never",
        "--checkpoint-dir", dir.resolve("state").toString());

    // Then the request shown is encoded like the one sent below
    assertThat(dry.exit()).as(dry.toString()).isZero();
    assertThat(dry.out()).contains("PUT " + server.url() + expected);

    // When it runs
    CliRun run = CliRun.run(env, "run", spec.toString(), "--job-id", "real", "--progress", "never",
        "--checkpoint-dir", dir.resolve("state").toString());

    // Then the request went out (no "request target holds a space"), each value inside its own segment
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(targets).containsExactly(expected);
    String thing = expected.split("/")[3];
    assertThat(URLDecoder.decode(thing.replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(VALUE);
  }
}
