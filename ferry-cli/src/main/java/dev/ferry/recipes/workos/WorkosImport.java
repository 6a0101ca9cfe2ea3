package dev.ferry.recipes.workos;

import dev.ferry.core.engine.BulkJobRunner;
import dev.ferry.core.engine.RunOptions;
import dev.ferry.core.exec.TaskExecutor;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.ChunkPlanner;
import dev.ferry.core.source.CsvChunkSource;
import dev.ferry.core.source.CsvHeader;
import dev.ferry.core.source.CsvLimits;
import dev.ferry.core.source.CsvReader;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.AuthFailureException;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.TargetUnusableException;
import dev.ferry.sources.KeyIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WorkOS user import as a bulk job: planning (chunks, duplicate emails, referenced organizations), the
 * optional pre-warm of organizations, and the run. One instance per run; not threadsafe itself (the runner it
 * builds is).
 */
public final class WorkosImport {
  private static final Logger LOG = LoggerFactory.getLogger(WorkosImport.class);
  static final String ORG_REFS = "org-ref";
  static final String ORGS = "org";
  /** Lookup namespace of facts about the input recorded at planning; {@link #MTIME}: its modification time. */
  static final String INPUT = dev.ferry.sources.PlannedFile.NAMESPACE;
  static final String MTIME = dev.ferry.sources.PlannedFile.MTIME;
  private static final int MAX_PREWARM_ORGS = 100_000;
  /** Input columns whose values ferry never writes anywhere (lower case): not even into the errors file. */
  public static final java.util.Set<String> SECRET_COLUMNS = java.util.Set.of("password", "password_hash");

  private final JobStore store;
  private final JobRecord job;
  private final ImportSettings settings;
  private final HttpTarget target;
  private final ImportStats stats = new ImportStats();
  private final OrgResolver orgs;
  private final BulkJobRunner runner;
  private final RunOptions options;

  /**
   * @param target the API, or null for a dry run
   */
  public WorkosImport(JobStore store, JobRecord job, HttpTarget target, RunOptions options, WallClock clock)
      throws IOException {
    this.store = store;
    this.job = job;
    this.settings = ImportSettings.fromJson(job.config());
    this.target = target;
    this.options = options;
    if (!settings.dryRun() && target == null) throw new IllegalArgumentException("target is required");
    Path input = Path.of(job.inputPath());
    CsvHeader header = readHeader(input);
    Columns columns = new Columns(header.columns());
    this.orgs = target == null ? null : new OrgResolver(target, job.id(), settings.createOrgIfMissing(), stats,
        store.lookups(job.id(), ORGS), (k, v) -> store.putLookup(job.id(), ORGS, k, v));
    ImportProcessor processor = new ImportProcessor(job.id(), columns, settings, target, orgs, stats);
    this.runner = new BulkJobRunner(store, job.id(), new CsvChunkSource(input, header, CsvLimits.defaults()),
        processor, options, clock);
  }

  public ImportStats stats() {
    return stats;
  }

  public BulkJobRunner runner() {
    return runner;
  }

  public ImportSettings settings() {
    return settings;
  }

  /**
   * Plans a new job: reads the input once, cuts chunks, records duplicate emails as invalid, remembers the
   * referenced organizations, and leaves the job RUNNING.
   *
   * @throws InputException when the file is missing, empty, or has no email column
   */
  public static JobRecord plan(JobStore store, String jobId, Path csv, int chunkSize, ImportSettings settings,
      WallClock clock, Consumer<String> warnings) throws IOException {
    Path input = csv.toAbsolutePath().normalize();
    CsvHeader header = readHeader(input);
    Columns columns = new Columns(header.columns());
    if (columns.email < 0) {
      throw new InputException(input + ":1: " + missingEmailColumn(header));
    }
    for (String unknown : columns.unknown) {
      if (!unknown.isEmpty()) warnings.accept(input.getFileName() + ":1: unknown column '" + unknown + "' is ignored");
    }
    long now = clock.millis();
    store.createJob(new JobRecord(jobId, ImportSettings.KIND, input.toString(), 0, "", 0, chunkSize,
        settings.toJson(), JobStatus.PLANNING, "", now, now));
    // Read before the planning pass: a file changed during it has another time at resume, and is refused there.
    store.putLookup(jobId, INPUT, MTIME, mtime(input));
    List<RowOutcome> duplicates = new ArrayList<>();
    KeyIndex.Sink duplicate = (row, line, email, firstLine) -> {
      int chunk = (int) ((row - 1) / chunkSize);
      duplicates.add(RowOutcome.invalid(row, chunk, line, RowValidator.clip(email), "duplicate_email",
          "email " + RowValidator.clip(email) + " already appears on line " + firstLine));
      if (duplicates.size() >= 1000) {
        store.recordOutcomes(jobId, duplicates);
        duplicates.clear();
      }
    };
    // Organizations referenced by the rows, by id and by external id (each the first name seen for it).
    Map<String, String> orgIds = new java.util.HashMap<>();
    Map<String, String> orgExternalIds = new java.util.HashMap<>();
    ChunkPlan plan;
    try (KeyIndex emails = new KeyIndex()) {
      plan = ChunkPlanner.plan(input, header, chunkSize, CsvLimits.defaults(), r -> {
        if (r.error() != null || columns.email < 0) return;
        String email = r.field(columns.email).strip();
        if (email.isEmpty()) return;
        emails.add(email, r.row(), r.line(), duplicate);
        if (orgIds.size() + orgExternalIds.size() < MAX_PREWARM_ORGS) {
          String id = columns.orgId >= 0 ? r.field(columns.orgId).strip() : "";
          if (!id.isEmpty()) {
            orgIds.putIfAbsent(id, "");
          } else {
            String ext = columns.orgExternalId >= 0 ? r.field(columns.orgExternalId).strip() : "";
            if (!ext.isEmpty() && !orgExternalIds.containsKey(ext)) {
              orgExternalIds.put(ext, columns.orgName >= 0 ? r.field(columns.orgName).strip() : "");
            }
          }
        }
      });
      emails.finish(duplicate);
    }
    store.recordOutcomes(jobId, duplicates);
    Map<String, String> orgRefs = new java.util.HashMap<>();
    orgIds.forEach((id, name) -> orgRefs.put("id:" + id, name));
    orgExternalIds.forEach((ext, name) -> orgRefs.put("ext:" + ext, name));
    if (!settings.orgId().isEmpty()) orgRefs.putIfAbsent("id:" + settings.orgId(), "");
    else if (!settings.orgExternalId().isEmpty()) orgRefs.putIfAbsent("ext:" + settings.orgExternalId(), settings.orgName());
    orgRefs.forEach((k, v) -> store.putLookup(jobId, ORG_REFS, k, v));
    store.completePlan(jobId, plan.chunks(), plan.totalRows(), plan.fileSize(), plan.sha256Hex(), clock.millis());
    if (plan.totalRows() == 0) warnings.accept(input.getFileName() + ": the file has a header but no rows");
    return store.findJob(jobId).orElseThrow();
  }

  /**
   * Starts the check that a resumed job's input is the planned file. At once: the file exists, and has the planned
   * size and modification time. The SHA-256 of the whole file follows on a thread of its own ({@link InputCheck}),
   * so the run can start meanwhile. A job planned before the modification time was recorded is hashed here, before
   * anything is sent.
   *
   * @throws InputException when the file is gone, or its size or modification time changed
   */
  public static InputCheck checkInput(JobRecord job, JobStore store) throws IOException {
    return checkInput(job, store, false);
  }

  /**
   * As {@link #checkInput(JobRecord, JobStore)}; a {@code relocated} input (the job's file copied to another path
   * or machine) has no modification time to compare, so its SHA-256 is checked in full before anything is sent.
   */
  public static InputCheck checkInput(JobRecord job, JobStore store, boolean relocated) throws IOException {
    Path input = Path.of(job.inputPath());
    if (!Files.isRegularFile(input)) {
      throw new InputException(input + ": the job's input file is gone; put it back at this path to resume");
    }
    long size = Files.size(input);
    String plannedMtime = relocated ? null : store.lookups(job.id(), INPUT).get(MTIME);
    if (size != job.inputSize()) throw new InputException(changed(input, job, "size " + job.inputSize() + " -> " + size
        + " bytes"));
    if (plannedMtime != null && !plannedMtime.equals(mtime(input))) {
      throw new InputException(changed(input, job, "the same size, but modified since: edited, copied over or touched;"
          + " ferry cannot tell which without reading it all, and resumes only the planned file"));
    }
    String refusal = changed(input, job, "the same size, other content: its SHA-256 differs");
    if (plannedMtime == null) {
      try (InputCheck now = InputCheck.hashInBackground(input, job.inputSha256(), refusal)) {
        now.await();
        return InputCheck.decided(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InputException(input + ": interrupted while checking the file");
      }
    }
    return InputCheck.hashInBackground(input, job.inputSha256(), refusal);
  }

  private static String changed(Path input, JobRecord job, String what) {
    return input + ": the file changed since job '" + job.id() + "' was planned (" + what + "); resuming would mix two"
        + " inputs. Restore the original file, or start a new job with another --job-id";
  }

  /** The file's modification time as an exact instant (nanoseconds where the file system keeps them). */
  static String mtime(Path file) throws IOException {
    return dev.ferry.sources.PlannedFile.modifiedAt(file);
  }

  private static CsvHeader readHeader(Path input) throws IOException {
    if (Files.isDirectory(input)) throw new InputException(input + ": is a directory, not a CSV file");
    try {
      return CsvReader.readHeader(input, CsvLimits.defaults());
    } catch (NoSuchFileException e) {
      throw new InputException(input + ": no such file");
    } catch (IOException e) {
      throw new InputException(input + ": cannot read the file (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** Why a header without 'email' is refused; says so when the first line looks like data, not a header. */
  static String missingEmailColumn(CsvHeader header) {
    String found = String.join(", ", header.columns().stream().map(RowValidator::clip).toList());
    boolean looksLikeData = header.columns().stream().anyMatch(c -> c.indexOf('@') > 0)
        && dev.ferry.sources.CsvDelimiters.guess(header) == 0;
    if (looksLikeData) {
      return "no header row: the first line looks like data (" + RowValidator.clip(found) + "); add a header line"
          + " naming the columns, e.g. 'email,first_name,last_name'";
    }
    return "no 'email' column in the header (found: " + RowValidator.clip(found) + ")"
        + dev.ferry.sources.CsvDelimiters.hint(header);
  }

  /**
   * Resolves every organization the input references before the rows start, with the run's parallelism, so
   * rows never race to create one. Failures are left for the rows to report, except a refused key (401/403) or a
   * target that cannot be used ({@link TargetUnusableException}):
   * that stops the run the same way it does during the rows (the job becomes STOPPED, exit 3), instead of
   * escaping as an internal error. A stop requested meanwhile (signal) ends the pre-warm early.
   */
  public void prewarm(Consumer<String> status) throws InterruptedException {
    if (settings.dryRun() || !settings.prewarm() || orgs == null || runner.stopping()) return;
    Map<String, String> refs = store.lookups(job.id(), ORG_REFS);
    Map<String, String> known = store.lookups(job.id(), ORGS);
    List<Map.Entry<String, String>> todo = refs.entrySet().stream().filter(e -> !known.containsKey(e.getKey())).toList();
    if (todo.isEmpty()) return;
    status.accept("pre-warming " + todo.size() + " organization" + (todo.size() == 1 ? "" : "s"));
    // The pre-warm runs on the engine's executor with the run's admission: under adaptive concurrency the same
    // limiter as the rows (its calls feed it), else workers x concurrency at once.
    TaskExecutor executor = TaskExecutor.virtual("ferry-prewarm-", options.admission())
        .reporting("prewarm", options.metrics());
    List<Thread> threads = new ArrayList<>();
    for (Map.Entry<String, String> ref : todo) {
      if (runner.stopping()) break;
      threads.add(executor.execute(() -> {
        if (runner.stopping()) return; // stopped while it waited for admission
        try {
          orgs.resolve(ref.getKey(), ref.getValue());
        } catch (AuthFailureException | TargetUnusableException e) {
          runner.requestStop(e.getMessage());
        } catch (RuntimeException e) {
          // e.g. an unreadable answer: the rows that need this organization resolve it again and record it
          LOG.warn("pre-warm of organization {} failed: {}", ref.getKey(), e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    for (Thread t : threads) t.join();
  }

  public BulkJobRunner.RunResult run() throws InterruptedException {
    return runner.run();
  }
}
