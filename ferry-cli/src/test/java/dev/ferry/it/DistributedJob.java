package dev.ferry.it;

import dev.ferry.cli.ChildFerry;
import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.store.JobStores;
import dev.ferry.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One distributed job of a test: a fresh PostgreSQL schema, the child processes that run it (each started as
 * `ferry …` with its logs under {@code dir/logs}) and a view of the store as `ferry status` from a third machine
 * would have. {@link #close()} kills what is left, closes the view and drops the schema. Not threadsafe.
 */
final class DistributedJob implements AutoCloseable {
  private final Path dir;
  private final TestPostgres.Schema pg;
  private final List<Process> children = new ArrayList<>();
  private JobStore view;

  DistributedJob(Path dir, String schemaPrefix) {
    this.dir = dir;
    this.pg = TestPostgres.freshSchema(schemaPrefix);
  }

  /** The store's URL, for {@code --store}. */
  String url() {
    return pg.url();
  }

  /** The job's status in the store, or null before it exists. */
  JobStatus status(String jobId) {
    if (view == null) view = JobStores.open(pg.url());
    return view.findJob(jobId).map(j -> j.status()).orElse(null);
  }

  /** The job's chunks in the store (empty before it is planned). */
  List<ChunkRecord> chunks(String jobId) {
    if (view == null) view = JobStores.open(pg.url());
    return view.chunks(jobId);
  }

  /** The chunks of {@code jobId} leased now by a worker of process {@code child} (owners are host:pid:random/wN). */
  List<Integer> leasedBy(ChildFerry child, String jobId) {
    String pid = ":" + child.process.pid() + ":";
    return chunks(jobId).stream().filter(c -> c.state() == ChunkState.LEASED && c.leaseOwner().contains(pid))
        .map(c -> c.spec().index()).toList();
  }

  /** Starts `ferry args…` as a child process named {@code name}, with {@code env}. */
  ChildFerry start(String name, Map<String, String> env, String... args) throws Exception {
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    ChildFerry child = ChildFerry.start(logs, name, env, List.of(), List.of(), List.of(args));
    children.add(child.process);
    return child;
  }

  @Override
  public void close() {
    children.forEach(Process::destroyForcibly);
    if (view != null) view.close();
    pg.drop();
  }
}
