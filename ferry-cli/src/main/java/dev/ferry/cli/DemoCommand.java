package dev.ferry.cli;

import dev.ferry.core.limit.RateLimitSpec;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.WallClock;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.recipes.workos.WorkosImport;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry demo}: the 60-second tour. Generates a users CSV, starts the WorkOS simulator in this process on
 * an ephemeral loopback port, and imports the users into it over real HTTP, with progress and the final
 * report. Needs no key and no services.
 */
@Command(mixinStandardHelpOptions = true, name = "demo", sortOptions = false,
    description = "Generate users and import them into the in-process WorkOS simulator (no key, no services).")
final class DemoCommand implements Callable<Integer> {
  static final String DEMO_KEY = "sk_test_ferry_demo";

  @Spec
  CommandSpec spec;

  @Option(names = "--users", paramLabel = "N", defaultValue = "20000",
      description = "Users to generate (default: ${DEFAULT-VALUE}).")
  long users;

  @Option(names = "--orgs", paramLabel = "N", defaultValue = "50",
      description = "Organizations, one membership per user (default: ${DEFAULT-VALUE}).")
  int orgs;

  @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
      description = "Simulated API latency (default: ${DEFAULT-VALUE}; the seeds' figure is 200ms).")
  Duration latency;

  @Option(names = "--sim-rate-limit", paramLabel = "REQ/S|none", defaultValue = "1000",
      converter = RunFlags.RateConverter.class,
      description = "The simulator's write limit in req/s, 'none' for none (default: ${DEFAULT-VALUE}; WorkOS: 50)."
          + " The client is told the same limit unless --rate-limit says otherwise.")
  double simRateLimit;

  @Option(names = "--also-spec", hidden = true, description = "Then import the same users again through the built-in"
      + " spec workos-import, and dry-run it (the launcher's class-data archive training run: both paths' classes).")
  boolean alsoSpec;

  @Mixin
  RunFlags flags;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    flags.validate();
    if (users < 1) throw RunFlags.usage("--users must be >= 1");
    if (orgs < 0) throw RunFlags.usage("--orgs must be >= 0");
    StateDir state = new StateDir(flags.checkpointDir);
    Path csv = flags.checkpointDir.resolve("demo").resolve("users-" + users + "-" + orgs + ".csv");
    if (!csv.toFile().isFile()) {
      UserCsvGenerator.write(csv, users, orgs);
      if (!flags.quiet) err.printf("ferry: generated %,d users in %d organizations: %s%n", users, orgs, csv);
    }
    SimConfig config = SimConfig.builder().port(0).latency(latency).jitter(latency.dividedBy(4))
        .writeRateLimit(simRateLimit).readRateLimit(simRateLimit * 2).requiredKey(DEMO_KEY).build();
    try (SimServer sim = SimServer.start(config)) {
      if (!flags.quiet) {
        err.printf("ferry: WorkOS simulator on %s (latency %d ms, write limit %s)%n", sim.baseUrl(),
            latency.toMillis(), simRateLimit > 0 ? JobSession.fmt(simRateLimit) + " req/s" : "none");
      }
      if (flags.rateLimit == null) flags.rateLimit = RateLimitSpec.rate(simRateLimit);
      String jobId = "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      ImportSettings settings = new ImportSettings(sim.baseUrl().toString(), false, null, null, true, null, false,
          Map.of(), true, new ImportSettings.RunDefaults(flags.workersOr(4), flags.concurrencyOr(RunFlags.DEFAULT_CONCURRENCY), flags.rateLimit,
              30_000));
      Map<String, String> env = Map.of(ApiKeys.ENV, DEMO_KEY);
      try (JobStore store = state.openStore()) {
        JobRecord job;
        try (AutoCloseable lock = state.lockJob(jobId)) {
          job = WorkosImport.plan(store, jobId, csv, 1000, settings, WallClock.system(),
              w -> err.println("ferry: warning: " + w));
        }
        int code = new JobSession(state, store, flags, out, err, env).run(job, JobSession.Start.NEW);
        SimStats s = sim.stats();
        out.printf("simulator   users %,d, organizations %,d, memberships %,d; duplicates refused %,d,"
                + " duplicate creations %,d, 429s served %,d%n", s.users(), s.organizations(), s.memberships(),
            s.duplicatesRefused(), s.duplicateCreations(), s.rateLimited());
        if (alsoSpec && code == ExitCodes.OK) {
          // only ever a training run for the class-data archive: the import's result stands, whatever the spec's
          int spec = runSpec(csv, sim.baseUrl().toString(), jobId, out, err);
          if (spec != ExitCodes.OK) err.println("ferry: the run through the built-in spec ended with exit " + spec);
        }
        return code;
      }
    }
  }

  /** The same users through {@code ferry run} of the built-in spec, into the same simulator, then its dry run. */
  private int runSpec(Path csv, String url, String jobId, PrintWriter out, PrintWriter err) throws Exception {
    Path file = flags.checkpointDir.resolve("demo").resolve("workos-import.yaml");
    java.nio.file.Files.writeString(file, dev.ferry.spec.BuiltinSpecs.text("workos-import"));
    Map<String, String> env = Map.of(ApiKeys.ENV, DEMO_KEY, "INPUT", csv.toString(), "WORKOS_API_URL", url,
        "CREATE_ORG_IF_MISSING", "true");
    for (String mode : new String[] {"spec", "spec-dry"}) {
      List<String> args = new java.util.ArrayList<>(List.of("run", file.toString(), "--job-id", jobId + "-" + mode,
          "--checkpoint-dir", flags.checkpointDir.toString(), "--progress", "never", "--quiet", "--rate-limit", "none"));
      if (mode.endsWith("dry")) args.add("--dry-run");
      int code = Main.commandLine(out, err, env).execute(args.toArray(String[]::new));
      if (code != ExitCodes.OK) return code;
    }
    return ExitCodes.OK;
  }
}
