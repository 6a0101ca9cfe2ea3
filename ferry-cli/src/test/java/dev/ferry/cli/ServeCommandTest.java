package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.store.JobStores;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.store.WorkQueue;
import dev.ferry.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry serve --list-failed / --redrive} and the usage errors of {@code ferry serve}. */
class ServeCommandTest {
  private static final String SPEC = Repo.path("examples/webhook-indexer/service.yaml").toAbsolutePath().toString();
  private static final Map<String, String> ENV = Map.of("WEBHOOK_SECRET", "whsec-123456", "EMBEDDINGS_URL",
      "http://127.0.0.1:1/v1", "EMBEDDINGS_API_KEY", "sk-123456", "QDRANT_URL", "http://127.0.0.1:1",
      "QDRANT_COLLECTION", "pages");

  @TempDir
  Path dir;

  @Test
  void failedItemsAreListedWithTheirReasonAndRedriven() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      q.offer("/webhooks/firecrawl w1", List.of("{\"markdown\":\"x\"}"), 0, 10);
      WorkQueue.QueueItem item = q.claim("p", 1, 0, 1000).get(0);
      q.fail(item.id(), "p", "embed: 400 invalid_request_error input too long", 5);
    }
    CliRun list = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed");
    assertThat(list.exit()).as(list.toString()).isZero();
    JsonNode line = new ObjectMapper().readTree(list.out().strip());
    assertThat(line.path("reason").asText()).isEqualTo("embed: 400 invalid_request_error input too long");
    assertThat(line.path("delivery_id").asText()).isEqualTo("/webhooks/firecrawl w1");
    assertThat(line.path("item").path("markdown").asText()).isEqualTo("x");

    CliRun redrive = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--redrive");
    assertThat(redrive.out()).contains("1 failed item(s) back in queue webhook-indexer");
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      assertThat(q.stats(10).pending()).isEqualTo(1);
      assertThat(q.failed(10)).isEmpty();
      WorkQueue.QueueItem again = q.claim("p", 1, Long.MAX_VALUE / 2, 1000).get(0); // redriven due now (wall clock)
      q.fail(again.id(), "p", "embed: 400 again", 20);
    }

    CliRun drop = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--drop-failed");
    assertThat(drop.exit()).as(drop.toString()).isZero();
    assertThat(drop.out()).contains("1 failed item(s) dropped from queue webhook-indexer");
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      assertThat(q.failed(10)).isEmpty();
      assertThat(q.stats(30)).isEqualTo(new WorkQueue.QueueStats(0, 0, 0, 0, 0));
    }

    CliRun empty = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed");
    assertThat(empty.exit()).as(empty.toString()).isZero();
    assertThat(empty.out()).isEmpty();
    assertThat(empty.err()).contains("no failed items in queue webhook-indexer");
  }

  @Test
  void theQueueActionsNeedNoTargetParameterAndStillMaskTheSecretsGiven() throws Exception {
    // Given a failed item holding the embeddings key, and an environment with only that key: none of the URLs,
    // collection or webhook secret the spec's targets and routes need (the queue actions send nothing)
    Path state = Files.createDirectories(dir.resolve("state"));
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      q.offer("/webhooks/firecrawl w1", List.of("{\"markdown\":\"x sk-123456\"}"), 0, 10);
      WorkQueue.QueueItem item = q.claim("p", 1, 0, 1000).get(0);
      q.fail(item.id(), "p", "embed: 400 invalid_request_error", 5);
    }
    Map<String, String> onlyKey = Map.of("EMBEDDINGS_API_KEY", "sk-123456");

    // When
    CliRun list = CliRun.run(onlyKey, "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed");
    CliRun none = CliRun.run(Map.of(), "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed");
    CliRun redrive = CliRun.run(Map.of(), "serve", SPEC, "--checkpoint-dir", state.toString(), "--redrive");

    // Then: listed with the key that is given masked; redriven with no parameter at all
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).contains("embed: 400 invalid_request_error", "x ***").doesNotContain("sk-123456");
    assertThat(none.exit()).as(none.toString()).isZero();
    assertThat(redrive.exit()).as(redrive.toString()).isZero();
    assertThat(redrive.out()).contains("1 failed item(s) back in queue webhook-indexer");
  }

  @Test
  void aLongFailedItemIsListedAsAPreviewThatSaysWhatWasCutAndFullPrintsItWhole() throws Exception {
    // Given: a failed item of 1 MB whose body holds the spec's secret across the preview's cut, and a small one
    Path state = Files.createDirectories(dir.resolve("state"));
    String head = "{\"markdown\":\"" + "a".repeat(ServeCommand.PREVIEW_CHARS - 16) + "sk-123456";
    String big = head + "b".repeat(1_000_000) + "\"}";
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      q.offer("/webhooks/firecrawl w1", List.of(big, "{\"markdown\":\"small sk-123456\"}"), 0, 10);
      for (WorkQueue.QueueItem item : q.claim("p", 2, 0, 1000)) q.fail(item.id(), "p", "embed: 400 too long", 5);
    }

    // When: listed, then listed with --full
    CliRun list = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed");
    CliRun full = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed", "--full");

    // Then: the long one is its first 500 characters, saying so and how to get it whole; the secret masked in each
    assertThat(list.exit()).as(list.toString()).isZero();
    List<String> lines = list.out().lines().toList();
    assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).hasSizeLessThan(2 * ServeCommand.PREVIEW_CHARS));
    JsonNode cut = new ObjectMapper().readTree(lines.get(0));
    assertThat(cut.has("item")).isFalse();
    assertThat(cut.path("item_chars").asLong()).isEqualTo(big.length());
    assertThat(cut.path("item_preview").asText()).hasSize(ServeCommand.PREVIEW_CHARS)
        .startsWith("{\"markdown\":\"aaa").endsWith("a***").doesNotContain("sk-1");
    assertThat(cut.path("item_cut").asText()).isEqualTo("first 500 of 1,000,508 characters; --list-failed --full"
        + " prints the item whole");
    assertThat(list.err()).contains("1 item(s) longer than 500 characters shown cut").contains("--full");
    JsonNode small = new ObjectMapper().readTree(lines.get(1));
    assertThat(small.path("item").path("markdown").asText()).isEqualTo("small ***");
    assertThat(small.has("item_preview")).isFalse();
    assertThat(full.exit()).as(full.err()).isZero();
    JsonNode whole = new ObjectMapper().readTree(full.out().lines().findFirst().orElseThrow());
    assertThat(whole.path("item").path("markdown").asText()).hasSize(1_000_000 + ServeCommand.PREVIEW_CHARS - 16 + 3)
        .doesNotContain("sk-1");
    assertThat(full.out()).doesNotContain("sk-123456");
    assertThat(full.err()).isEmpty();
    CliRun fullAlone = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--full");
    assertThat(fullAlone.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(fullAlone.err()).contains("--full goes with --list-failed");
  }

  @Test
  void anActionOnFailedItemsOfStateThatDoesNotExistIsAUsageErrorAndCreatesNothing() {
    // Given: a checkpoint directory that does not exist (a typo)
    Path missing = dir.resolve("missing").resolve("dir");

    for (String action : List.of("--list-failed", "--redrive", "--drop-failed")) {
      // When: a failed-item action on it, and 'ferry status' on it
      CliRun run = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", missing.toString(), action);

      // Then: exit 2 naming the database that is not there; no directory, no empty database made
      assertThat(run.exit()).as(action + ": " + run).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).contains("no ferry state in " + missing.toAbsolutePath().resolve("ferry.db"))
          .contains("--checkpoint-dir");
      assertThat(run.out()).isEmpty();
      assertThat(dir.resolve("missing")).doesNotExist();
    }
    CliRun status = CliRun.run(ENV, "status", "--checkpoint-dir", missing.toString());
    assertThat(status.exit()).as(status.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(status.err()).contains("no ferry state in " + missing.toAbsolutePath().resolve("ferry.db"));
    assertThat(dir.resolve("missing")).doesNotExist();
    CliRun storeFile = CliRun.run(ENV, "serve", SPEC, "--store", dir.resolve("none.db").toString(), "--list-failed");
    assertThat(storeFile.exit()).as(storeFile.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(dir.resolve("none.db")).doesNotExist();
  }

  @Test
  void anActionOnFailedItemsOfAStoreWithoutQueuesOrWithoutTheSpecsQueueIsAUsageErrorNamingTheQueuesAndChangesNothing()
      throws Exception {
    // Given: a store holding a job's state but no queue, and a store holding two other queues (one failed item)
    Path jobsOnly = Files.createDirectories(dir.resolve("jobs-only"));
    JobStores.open(jobsOnly.resolve("ferry.db").toString()).close();
    Path others = Files.createDirectories(dir.resolve("others"));
    try (SqlWorkQueue emails = SqlWorkQueue.open(others.resolve("ferry.db").toString(), "emails");
        SqlWorkQueue embeddings = SqlWorkQueue.open(others.resolve("ferry.db").toString(), "embeddings")) {
      emails.offer("d1", List.of("{\"to\":\"a\"}"), 0, 10);
      emails.fail(emails.claim("p", 1, 0, 1000).get(0).id(), "p", "send: 400", 5);
    }

    for (String action : List.of("--list-failed", "--redrive", "--drop-failed")) {
      // When: an action on the spec's queue (webhook-indexer) in each
      CliRun none = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", jobsOnly.toString(), action);
      CliRun other = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", others.toString(), action);

      // Then: exit 2 saying what the store holds; no queue tables made, the other queues' failed item untouched
      assertThat(none.exit()).as(action + ": " + none).isEqualTo(ExitCodes.USAGE);
      assertThat(none.err()).contains("no queue 'webhook-indexer' in " + jobsOnly.toAbsolutePath().resolve("ferry.db")
          + ": it holds no queue at all");
      assertThat(none.out()).isEmpty();
      assertThat(other.exit()).as(action + ": " + other).isEqualTo(ExitCodes.USAGE);
      assertThat(other.err()).contains("no queue 'webhook-indexer' in " + others.toAbsolutePath().resolve("ferry.db")
          + "; queues: emails, embeddings");
      assertThat(other.out()).isEmpty();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + jobsOnly.resolve("ferry.db"));
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT name FROM sqlite_master WHERE name LIKE 'ferry_queue%'")) {
      assertThat(rs.next()).as("queue tables made").isFalse();
    }
    try (SqlWorkQueue emails = SqlWorkQueue.open(others.resolve("ferry.db").toString(), "emails")) {
      assertThat(emails.failed(10)).hasSize(1);
    }
  }

  @Test
  void twoFailedItemActionsAtOnceAreAUsageErrorAndNeitherRuns() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      q.offer("/webhooks/firecrawl w1", List.of("{\"markdown\":\"x\"}"), 0, 10);
      WorkQueue.QueueItem item = q.claim("p", 1, 0, 1000).get(0);
      q.fail(item.id(), "p", "embed: 400 input too long", 5);
    }

    // When: list and redrive in one command (only the list ran, and the redrive was ignored silently)
    CliRun both = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--list-failed", "--redrive");
    CliRun redriveAndDrop = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", state.toString(), "--redrive",
        "--drop-failed");

    // Then: exit 2 with one line, and the failed item is where it was
    assertThat(both.exit()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--list-failed, --redrive and --drop-failed are separate actions");
    assertThat(both.out()).isEmpty();
    assertThat(redriveAndDrop.exit()).as(redriveAndDrop.toString()).isEqualTo(ExitCodes.USAGE);
    try (SqlWorkQueue q = SqlWorkQueue.open(state.resolve("ferry.db").toString(), "webhook-indexer")) {
      assertThat(q.failed(10)).hasSize(1);
    }
  }

  @Test
  void aMissingSecretOrABadPortIsAUsageError() {
    CliRun noSecret = CliRun.run(Map.of("EMBEDDINGS_URL", "http://x", "QDRANT_URL", "http://x"), "serve", SPEC,
        "--checkpoint-dir", dir.toString());
    assertThat(noSecret.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(noSecret.err()).contains("service.yaml:").contains("WEBHOOK_SECRET").doesNotContain("Exception");
    CliRun badPort = CliRun.run(ENV, "serve", SPEC, "--checkpoint-dir", dir.toString(), "--port", "70000");
    assertThat(badPort.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badPort.err()).contains("--port").doesNotContain("sk-123456");
  }
}
