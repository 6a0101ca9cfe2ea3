package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ferry status JOB} says when the job last made progress (a row settled), and how long ago: "updated" is the
 * last status change, which a long run (a distributed one above all) leaves hours behind while rows keep settling.
 */
class StatusProgressTest {
  @TempDir
  Path dir;

  @Test
  void statusShowsWhenARowLastSettledAndHowLongAgo() throws Exception {
    // Given a job that started running at epoch 2 ms and settled a row now
    long settledAt;
    try (JobStore store = StateDir.of(dir, null, Map.of()).openStore()) {
      store.createJob(new JobRecord("j", "spec", "rows.jsonl", 0, "", 2, 100, "{}", JobStatus.PLANNING, "", 1, 1));
      store.updateStatus("j", JobStatus.RUNNING, "", 2);
      store.recordOutcomes("j", List.of(new RowOutcome(1, 0, 1, Outcome.DONE, false, "a", "", 0, "", "", "", "")));
      settledAt = store.progressAtMillis("j");
    }
    assertThat(settledAt).isPositive();

    // When asked 90 s later, as text and as JSON
    String text = status(settledAt + 90_500, "status", "j", "--checkpoint-dir", dir.toString());
    JsonNode json = new ObjectMapper().readTree(status(settledAt + 90_500, "status", "j", "--json",
        "--checkpoint-dir", dir.toString()));

    // Then
    assertThat(text).contains("progress    last row settled " + Instant.ofEpochMilli(settledAt) + " (1 min 30 s ago)")
        .contains("updated     " + Instant.ofEpochMilli(2) + " (the last status change)");
    assertThat(json.path("progress_at").asText()).isEqualTo(Instant.ofEpochMilli(settledAt).toString());
    assertThat(json.path("progress_age_seconds").asLong()).isEqualTo(90);
  }

  @Test
  void aJobWithNoRowSettledSaysSo() throws Exception {
    try (JobStore store = StateDir.of(dir, null, Map.of()).openStore()) {
      store.createJob(new JobRecord("k", "spec", "rows.jsonl", 0, "", 2, 100, "{}", JobStatus.PLANNING, "", 1, 1));
    }
    assertThat(status(5_000, "status", "k", "--checkpoint-dir", dir.toString()))
        .contains("progress    no row settled yet");
    JsonNode json = new ObjectMapper().readTree(status(5_000, "status", "k", "--json", "--checkpoint-dir",
        dir.toString()));
    assertThat(json.path("progress_at").isNull()).isTrue();
  }

  @Test
  void agesReadAsAUserCountsThem() {
    assertThat(StatusCommand.ago(0)).isEqualTo("just now");
    assertThat(StatusCommand.ago(14)).isEqualTo("14 s ago");
    assertThat(StatusCommand.ago(185)).isEqualTo("3 min 5 s ago");
    assertThat(StatusCommand.ago(7_620)).isEqualTo("2 h 7 min ago");
    assertThat(StatusCommand.ago(90_000)).isEqualTo("1 d 1 h ago");
  }

  /** Runs {@code ferry status ...} with its clock at {@code nowMillis}; returns stdout. */
  private static String status(long nowMillis, String... args) {
    StatusCommand cmd = new StatusCommand();
    cmd.env = Map.of();
    cmd.clock = () -> nowMillis;
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int exit = cl.execute(java.util.Arrays.copyOfRange(args, 1, args.length));
    assertThat(exit).as(out.toString()).isZero();
    return out.toString();
  }
}
