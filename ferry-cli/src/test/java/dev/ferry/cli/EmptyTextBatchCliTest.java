package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch whose rows weigh nothing (documents with an empty or NULL text: {@code tokens(row.text)} is 0) under a
 * stated tokens limit is sent like any other. Before, charging 0 tokens to a budget that had never been paused
 * computed a wait of "no pause" minus now, which overflowed into a sleep of ~292 years: the run hung for good, with
 * no line on stderr (found by a kill -9 / resume of seed 002's pipeline on a table with NULL and empty documents).
 */
class EmptyTextBatchCliTest {
  @TempDir
  Path dir;

  @Test
  void aBatchOfEmptyTextsUnderATokensLimitIsSentAndFailsRowByRow() throws IOException {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).build())) {
      // Given rows whose text weighs 0 tokens, and an embeddings target with a stated tokens budget
      Path rows = Files.writeString(dir.resolve("docs.jsonl"), """
          {"id": "a", "text": ""}
          {"id": "b", "text": null}
          {"id": "c"}
          """);
      Path spec = Files.writeString(dir.resolve("job.yaml"), """
          source:
            jsonl: { path: "%s" }
          targets:
            openai:
              base_url: "%s/v1"
              headers: { Authorization: "Bearer ${OPENAI_API_KEY}" }
              limits: [ { requests: 500, per: 1m }, { tokens: 200000, per: 1m } ]
          steps:
            - name: embed
              target: openai
              batch: { max_items: 10, weight: "{{ tokens(row.text) }}", linger: 20ms }
              charge: { tokens: "{{ batch.weight }}" }
              request: { method: POST, path: /embeddings,
                         body: { model: m, input: "{{ batch.each(default(row.text, '')) }}" } }
              response: { items: "$.data", match: { index: "$.index" } }
              capture: { vector: "$.embedding" }
          key: "{{ row.id }}"
          """.formatted(rows, sim.baseUrl()));

      // When it runs with every row in flight at once (one batch of weight 0)
      CliRun run = CliRun.run(Map.of("OPENAI_API_KEY", "sk-empty-texts"), "run", spec.toString(), "--job-id", "e",
          "--concurrency", "10", "--progress", "never", "--checkpoint-dir", dir.resolve(".ferry").toString());

      // Then the batch went out (the API refuses empty inputs: each row fails alone with its message), and it ended
      assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
      assertThat(run.out()).as(run.toString()).contains("rows        3 = done 0 + failed 3 + invalid 0");
      assertThat(sim.stats().embeddings().requests()).isPositive();
    }
  }
}
