package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line a spec job starts with names each target's limits by the target when there are several
 * ("limits embeddings auto, qdrant none", not "limits auto; none", which left the reader to guess whose was whose).
 */
class SpecLimitsLineCliTest {
  @TempDir
  Path dir;

  @Test
  void twoTargetsEachNameTheirLimits() throws IOException {
    // Given a spec with a target that learns its limit and one that has none
    Path jsonl = Files.writeString(dir.resolve("rows.jsonl"), "{\"id\": 1}\n");
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source:
          jsonl: { path: "%s" }
        targets:
          embeddings: { base_url: "http://127.0.0.1:1", limits: auto }
          qdrant: { base_url: "http://127.0.0.1:2" }
        steps:
          - { name: a, target: embeddings, request: { method: POST, path: /a, body: { id: "{{ row.id }}" } } }
          - { name: b, target: qdrant, request: { method: POST, path: /b, body: { id: "{{ row.id }}" } } }
        key: "{{ row.id }}"
        """.formatted(jsonl));

    // When
    CliRun run = dryRun(spec);

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).as(run.toString()).contains(", limits embeddings auto, qdrant none, dry run");
  }

  @Test
  void oneTargetsLimitsNeedNoName() throws IOException {
    Path jsonl = Files.writeString(dir.resolve("rows.jsonl"), "{\"id\": 1}\n");
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source:
          jsonl: { path: "%s" }
        targets:
          api: { base_url: "http://127.0.0.1:1", limits: [ { requests: 5, per: 1s } ] }
        steps:
          - { name: a, target: api, request: { method: POST, path: /a, body: { id: "{{ row.id }}" } } }
        key: "{{ row.id }}"
        """.formatted(jsonl));

    CliRun run = dryRun(spec);

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).as(run.toString()).contains(", limits 5 requests per 1s, dry run");
  }

  private CliRun dryRun(Path spec) {
    return CliRun.run(Map.of(), "run", spec.toString(), "--dry-run", "--progress", "never", "--job-id", "limits",
        "--checkpoint-dir", dir.resolve(".ferry").toString());
  }
}
