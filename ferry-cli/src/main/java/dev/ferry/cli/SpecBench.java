package dev.ferry.cli;

import static dev.ferry.cli.BenchCommand.f;

import dev.ferry.bench.BenchContext;
import dev.ferry.bench.BenchDefaults;
import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchResult;
import dev.ferry.bench.BenchRunner;
import dev.ferry.bench.BenchSamples;
import dev.ferry.bench.BenchSetup;
import dev.ferry.bench.BenchSpec;
import dev.ferry.bench.Rung;
import dev.ferry.bench.SpecRungJob;
import dev.ferry.bench.SpecSlices;
import dev.ferry.core.source.InputException;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.NetworkSettings;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecJobs;
import dev.ferry.spec.SpecLoader;
import dev.ferry.steps.JobSteps;
import dev.ferry.steps.RequestStepConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ferry bench --spec FILE}: the scaling study of any job spec. The spec is loaded as {@code ferry run} loads
 * it (parameters from the environment; a broken spec or a missing parameter is exit 2 before anything is sent);
 * each run of a rung is a fresh job of its own slice of the source ({@link SpecSlices}), wired by {@link
 * SpecRungJob} through the library wiring {@code ferry run} uses. Its targets are whatever the spec names (a real
 * API, {@code ferry sim}): nothing is reset between rungs, so there is no JVM warm-up unless asked for (it then
 * takes a slice of its own). Not threadsafe: one call.
 */
final class SpecBench {
  private final BenchCommand c;
  private final PrintWriter out;
  private final PrintWriter err;

  SpecBench(BenchCommand command, PrintWriter out, PrintWriter err) {
    this.c = command;
    this.out = out;
    this.err = err;
  }

  int run(List<Integer> ladder) throws Exception {
    JobSpec loaded = SpecLoader.load(c.specFile, c.env);
    NetworkSettings network = null;
    if (!c.dryRun) {
      try { // as 'ferry run': a bad proxy or SSL_CERT_FILE setting is refused here, once
        network = NetworkSettings.from(c.env, System.getProperties(), null);
      } catch (IllegalArgumentException e) {
        throw RunFlags.usage(e.getMessage());
      }
    }
    long rows = c.records != null ? c.records : BenchDefaults.EXTERNAL_RECORDS;
    int maxWorkers = ladder.getLast();
    int concurrency = c.concurrency != null ? c.concurrency : 1;
    int chunk = c.chunkSize != null ? c.chunkSize : BenchDefaults.chunkSize(rows, maxWorkers);
    Duration jvm = c.jvmWarmup != null ? c.jvmWarmup : Duration.ZERO;
    int runs = ladder.size() * c.rounds;
    int slices = runs + (jvm.isPositive() ? 1 : 0);

    Path work = Files.createTempDirectory("ferry-bench-");
    Thread cleanup = new Thread(() -> BenchSamples.deleteTree(work), "ferry-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19);
    long t0 = Ticker.system().read();
    try {
      List<JobSpec> cut = new ArrayList<>();
      for (JobSpec s : slices(loaded, rows, slices, work)) cut.add(s.withChunkSize(chunk));
      String source = SpecJobs.source(loaded).describe();
      List<String> notes = notes(loaded, ladder, concurrency, rows, chunk, source);
      if (!c.quiet) notes.forEach(n -> err.println("ferry bench: " + n));
      double requestLimit = c.dryRun ? 0 : SpecRungJob.requestLimit(loaded);
      BenchSpec benchSpec = new BenchSpec(ladder, concurrency, chunk, c.warmup, c.rungTime, jvm, c.rounds, List.of(),
          c.dryRun, null, null, null, requestLimit, JobSteps.DEFAULT_HEADROOM, c.requestTimeout, c.maxAttempts, 50,
          false);
      SpecRungJob job = new SpecRungJob(cut.subList(0, runs), jvm.isPositive() ? cut.getLast() : null,
          new SpecRungJob.Settings(c.dryRun, c.requestTimeout, c.maxAttempts, 50, network,
              Path.of("").toAbsolutePath()));
      BenchCommand.Progress progress = new BenchCommand.Progress(err, c.quiet, ProgressBar.isTerminal(), "rows");
      List<Rung> rungs = new BenchRunner(benchSpec, job, progress).run(work);
      double total = (Ticker.system().read() - t0) / 1e9;
      BenchSetup setup = new BenchSetup(c.dryRun ? "dry-run" : "spec", c.dryRun ? "" : targets(loaded), Double.NaN,
          Double.NaN, Double.NaN, Double.NaN, ladder, concurrency, rows, chunk, c.warmup.toNanos() / 1e9,
          c.rungTime.toNanos() / 1e9, c.rounds, notes);
      BenchContext ctx = new BenchContext(Runtime.getRuntime().availableProcessors(), requestLimit,
          JobSteps.DEFAULT_HEADROOM, 0, c.dryRun, false, "row", c.dryRun ? "" : SpecRungJob.describeLimits(loaded));
      c.report(BenchResult.of(setup, ctx, rungs, started, total), out, err);
      return ExitCodes.OK;
    } catch (BenchException e) {
      throw new ExitException(ExitCodes.STOPPED, e.getMessage());
    } finally {
      BenchSamples.deleteTree(work);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException ignored) {
        // shutting down already
      }
    }
  }

  private List<JobSpec> slices(JobSpec spec, long rows, int count, Path work) throws IOException {
    try {
      return SpecSlices.slices(spec, rows, count, work);
    } catch (NoSuchFileException e) {
      throw new InputException(e.getFile() + ": no such file");
    } catch (IllegalArgumentException e) {
      throw RunFlags.usage(e.getMessage() + " (one slice a run of a rung, so no rung re-sends what another sent):"
          + " lower --max-records, shorten --workers or use fewer --rounds");
    }
  }

  private static String targets(JobSpec spec) {
    return String.join(", ", spec.targets().stream().map(t -> t.name() + " " + spec.mask(t.baseUrl().toString()))
        .toList());
  }

  private List<String> notes(JobSpec spec, List<Integer> ladder, int concurrency, long rows, int chunk,
      String source) {
    List<String> n = new ArrayList<>();
    String name = spec.name().isEmpty() ? c.specFile.toString() : spec.name() + " (" + c.specFile + ")";
    if (c.dryRun) {
      n.add("target: none (dry run of " + name + ": rows are read, checked and turned into requests; nothing is sent)");
    } else {
      n.add("spec: " + name + " -> " + targets(spec) + " (real calls: each slice's records are sent)");
      n.add(f("limits: %s (a spec's stated limits are kept at %.0f%% of what they allow, where import-users paces at"
              + " %.1f%%; auto: learned from the target's answers)", SpecRungJob.describeLimits(spec),
          JobSteps.DEFAULT_HEADROOM * 100, JobSession.HEADROOM * 100));
    }
    n.add(f("ladder: %s workers × concurrency %d (%s); at most workers × concurrency rows in flight",
        String.join(", ", ladder.stream().map(String::valueOf).toList()), concurrency,
        c.concurrency != null ? "given" : "auto: workers = rows in flight, as in seed 002"));
    n.add(f("each rung: a fresh job of its own slice of %,d records of %s (run k takes records k × %,d onwards,"
            + " so no run re-sends what another sent) in chunks of %d; warm-up until %s or 20%% of the slice,"
            + " then at most %s measured in steady state (rows/s and latency in that window only)", rows, source,
        rows, chunk, BenchCommand.human(c.warmup), BenchCommand.human(c.rungTime)));
    if (c.rounds > 1) {
      n.add(f("%d rounds, alternately up and down the ladder; each rung shows its best round", c.rounds));
    }
    int inFlight = ladder.getLast() * concurrency;
    for (var step : spec.steps()) {
      if (step instanceof RequestStepConfig r && r.batched() && r.batch().maxItems() > inFlight) {
        n.add(f("step %s batches up to %d rows, but at most %d rows are in flight (workers × concurrency): its"
                + " batches leave by their linger before they fill; give --concurrency to study fuller batches",
            r.name(), r.batch().maxItems(), inFlight));
      }
    }
    return n;
  }
}
