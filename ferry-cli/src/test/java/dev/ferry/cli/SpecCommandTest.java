package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spec.BuiltinSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry spec check / show}: exit 0 with a summary, or 2 with every error as file:line:col, never a trace. */
class SpecCommandTest {
  @TempDir
  Path dir;

  @Test
  void checkPrintsEveryErrorOfEveryBrokenSpecWithExit2() throws IOException {
    try (var corpus = Files.list(Path.of("src/test/resources/specs/broken"))) {
      for (Path spec : corpus.sorted().toList()) {
        List<String> expected = Files.readAllLines(spec).stream().filter(l -> l.startsWith("# expect: "))
            .map(l -> l.substring("# expect: ".length())).toList();
        CliRun run = CliRun.run(Map.of(), "spec", "check", spec.toString());
        assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
        for (String want : expected) {
          assertThat(run.errLines()).as(run.toString()).anyMatch(l -> l.startsWith(spec.getParent() + "/" + want));
        }
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("sk-live");
      }
    }
  }

  @Test
  void checkOfAGoodSpecSaysWhatItHas() throws IOException {
    Path spec = dir.resolve("crm.yaml");
    Files.writeString(spec, BuiltinSpecs.text("jsonl-to-crm"));
    CliRun run = CliRun.run(Map.of("INPUT", "c.jsonl", "CRM_API_KEY", "k-123456"), "spec", "check", spec.toString());
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith(spec + ": ok: jsonl ").contains("1 target(s) (crm), 3 step(s) (find, create, update)")
        .doesNotContain("k-123456");
    CliRun missing = CliRun.run(Map.of(), "spec", "check", spec.toString());
    assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.errLines()).anyMatch(l -> l.startsWith(spec + ":7:19: source.jsonl.path: parameter ${INPUT}"));
    assertThat(CliRun.run(Map.of(), "spec", "check", dir.resolve("nope.yaml").toString()).exit())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void aServiceSpecIsCheckedAsServeLoadsItAndEachKindGivenToTheOtherCommandNamesTheRightOne() throws IOException {
    Path service = dir.resolve("service.yaml");
    Files.copy(Path.of("../examples/webhook-indexer/service.yaml"), service);
    Map<String, String> env = Map.of("WEBHOOK_SECRET", "whsec-123456", "EMBEDDINGS_URL", "http://127.0.0.1:1/v1",
        "EMBEDDINGS_API_KEY", "k-123456", "QDRANT_URL", "http://127.0.0.1:1", "QDRANT_COLLECTION", "pages");
    CliRun check = CliRun.run(env, "spec", "check", service.toString());
    assertThat(check.exit()).as(check.toString()).isZero();
    assertThat(check.out()).startsWith(service + ": ok: service, 1 route(s), 2 target(s) (embeddings, qdrant)")
        .doesNotContain("k-123456");

    CliRun run = CliRun.run(env, "run", service.toString(), "--dry-run");
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.errLines()).first().asString().isEqualTo(service + ":5:1: serve: this is a service spec (serve:, no "
        + "source:): run it with 'ferry serve " + service + "'");

    Path job = dir.resolve("crm.yaml");
    Files.writeString(job, BuiltinSpecs.text("jsonl-to-crm"));
    CliRun serve = CliRun.run(Map.of("INPUT", "c.jsonl", "CRM_API_KEY", "k-123456"), "serve", job.toString());
    assertThat(serve.exit()).as(serve.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(serve.errLines()).anyMatch(l -> l.startsWith(job + ":6:1: source: this is a job spec (source:, no "
        + "serve:): run it with 'ferry run " + job + "'"));
    assertThat(serve.errLines()).noneMatch(l -> l.contains("unknown key"));
  }

  @Test
  void showPrintsABuiltInSpecAndListsThem() {
    CliRun run = CliRun.run(Map.of(), "spec", "show", "jsonl-to-crm");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(BuiltinSpecs.text("jsonl-to-crm"));
    assertThat(CliRun.run(Map.of(), "spec", "show").out()).contains("jsonl-users");
    CliRun unknown = CliRun.run(Map.of(), "spec", "show", "nope");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("no built-in spec 'nope'");
  }
}
