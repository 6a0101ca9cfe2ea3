package dev.ferry.sources.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.store.PostgresJobStore;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.TestDatabase;
import dev.ferry.testing.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQL source through the real engine and store: planned into the store, stopped mid-way, resumed by a new store
 * and source (as a new process would), with a planned row deleted in between. Positions go through the store.
 */
class SqlSourceJobTest {
  private static final String QUERY = "SELECT id, title FROM documents";

  @TempDir
  Path dir;

  @Test
  void aJobFromSqliteStoppedAndResumedSendsEveryPlannedRowOnce() throws Exception {
    try (TestDatabase source = TestDatabase.sqlite(dir)) {
      Path store = dir.resolve("ferry.db");
      stopAndResume(source, () -> SqliteJobStore.open(store));
    }
  }

  @Test
  void aJobFromPostgresWithItsStateInPostgresStoppedAndResumedSendsEveryPlannedRowOnce() throws Exception {
    try (TestDatabase source = TestDatabase.postgres()) {
      TestPostgres.Schema schema = TestPostgres.freshSchema("ferry_job");
      try {
        stopAndResume(source, () -> PostgresJobStore.open(schema.url()));
      } finally {
        schema.drop();
      }
    }
  }

  private void stopAndResume(TestDatabase db, Supplier<JobStore> stores) throws Exception {
    // Given 250 documents with even ids, planned in chunks of 20
    db.exec("CREATE TABLE documents (id BIGINT PRIMARY KEY, title VARCHAR(50))");
    StringBuilder insert = new StringBuilder("INSERT INTO documents VALUES ");
    for (int i = 1; i <= 250; i++) insert.append(i == 1 ? "" : ", ").append("(").append(2 * i).append(", 't')");
    db.exec(insert.toString());
    List<Object> sent = Collections.synchronizedList(new ArrayList<>());
    ChunkPlan plan;
    try (JobStore store = stores.get()) {
      SqlSource source = new SqlSource(new SqlSourceConfig(db.url(), QUERY, "id"));
      store.createJob(new JobRecord("docs", "spec", source.describe(), 0, "", 0, 20, "{}", JobStatus.PLANNING, "",
          1, 1));
      plan = source.plan(20, r -> {});
      store.completePlan("docs", plan.chunks(), plan.totalRows(), plan.fileSize(), plan.sha256Hex(), 2);

      // When the first run stops after about 60 rows
      AtomicReference<BulkJobRunner> runner = new AtomicReference<>();
      AtomicInteger seen = new AtomicInteger();
      RowProcessor stopping = row -> {
        if (seen.incrementAndGet() == 60) runner.get().requestStop("test stop");
        return outcome(row, sent);
      };
      runner.set(new BulkJobRunner(store, "docs", source.chunks(), stopping, RunOptions.of(1, 4, "p1"),
          WallClock.system()));
      assertThat(runner.get().run().stopped()).isTrue();
    }
    int firstRun = sent.size();

    // and a new process resumes it: the check passes, then a planned, unsent row is deleted
    try (JobStore store = stores.get()) {
      JobRecord job = store.findJob("docs").orElseThrow();
      SqlSource source = new SqlSource(new SqlSourceConfig(db.url(), QUERY, "id"));
      source.checkUnchanged(job.inputSize(), job.inputSha256());
      db.exec("DELETE FROM documents WHERE id = 400");
      store.releaseAllLeases("docs");
      BulkJobRunner.RunResult result = new BulkJobRunner(store, "docs", source.chunks(), row -> outcome(row, sent),
          RunOptions.of(3, 4, "p2"), WallClock.system()).run();

      // Then every planned row was sent exactly once, the deleted one is invalid, and the equation holds
      assertThat(result.stopped()).isFalse();
      assertThat(firstRun).isBetween(60, 249);
      assertThat(sent).doesNotHaveDuplicates().hasSize(249).doesNotContain(400L);
      assertThat(store.counts("docs")).isEqualTo(new OutcomeCounts(249, 0, 1, 0));
      List<RowOutcome> problems = new ArrayList<>();
      store.forEachProblem("docs", problems::add);
      assertThat(problems).singleElement().satisfies(p -> {
        assertThat(p.row()).isEqualTo(200);
        assertThat(p.message()).isEqualTo(SqlSource.GONE);
      });
    }
  }

  private static RowOutcome outcome(RowInput row, List<Object> sent) {
    Object id = row.record().get("id");
    if (row.error() != null) {
      return RowOutcome.invalid(row.row(), row.chunk(), row.line(), String.valueOf(id), "source", row.error());
    }
    sent.add(id);
    return RowOutcome.done(row.row(), row.chunk(), row.line(), String.valueOf(id), "sent");
  }
}
