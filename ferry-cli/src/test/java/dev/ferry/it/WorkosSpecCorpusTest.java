package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of {@code import-users} ({@code src/test/resources/bad-input}) through the built-in spec
 * {@code workos-import} in a dry run: the same exit code and the same done, failed and invalid counts as
 * {@code import-users --dry-run} (role-mapping cases with their mapping file as {@code ROLE_MAPPING}).
 */
class WorkosSpecCorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  static Path corpus() throws URISyntaxException {
    return Path.of(WorkosSpecCorpusTest.class.getResource("/bad-input/expected.json").toURI()).getParent();
  }

  static List<String> cases() throws IOException, URISyntaxException {
    List<String> names = new ArrayList<>();
    JSON.readTree(corpus().resolve("expected.json").toFile()).path("cases")
        .forEach(c -> names.add(c.path("case").asText()));
    return names;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theSpecDryRunCountsAsImportUsersDryRun(String name) throws Exception {
    Path csv = corpus().resolve(name + ".csv");
    Path roles = corpus().resolve(name + ".roles.csv");
    boolean mapped = Files.exists(roles);
    // import-users' role mapping file may lack the header the spec's table needs: give it one
    Path table = dir.resolve("roles.csv");
    if (mapped) {
      List<String> lines = new ArrayList<>(List.of("external_id,role_slug"));
      for (String l : Files.readAllLines(roles, java.nio.charset.StandardCharsets.ISO_8859_1)) {
        if (!l.strip().replace(" ", "").equalsIgnoreCase("external_id,role_slug") && !l.strip().startsWith("#")) {
          lines.add(l);
        }
      }
      Files.write(table, lines, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    List<Object> importArgs = new ArrayList<>(List.of("import-users", "--csv", csv, "--dry-run", "--job-id", "i",
        "--checkpoint-dir", dir.resolve("a"), "--quiet", "--json"));
    if (mapped) importArgs.addAll(List.of("--role-mapping", roles));
    Ferry.Run imported = Ferry.run(Map.of(), Ferry.args(importArgs.toArray()));
    Path spec = dir.resolve("w.yaml");
    Files.writeString(spec, Ferry.run(Map.of(), "spec", "show", "workos-import").out());
    Map<String, String> env = new HashMap<>(Map.of("INPUT", csv.toString()));
    if (mapped) env.put("ROLE_MAPPING", table.toString());
    Ferry.Run ran = Ferry.run(env, Ferry.args("run", spec, "--dry-run", "--job-id", "s", "--checkpoint-dir",
        dir.resolve("b"), "--quiet", "--json"));

    String both = "\n--- import-users\n" + imported + "\n--- spec\n" + ran;
    assertThat(ran.exit()).as("exit" + both).isEqualTo(imported.exit());
    if (imported.exit() == 2) return;
    JsonNode want = imported.outJson();
    JsonNode got = ran.outJson();
    for (String field : List.of("rows", "done", "failed", "invalid")) {
      assertThat(got.path(field)).as(field + both).isEqualTo(want.path(field));
    }
  }
}
