package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.time.WallClock;
import dev.ferry.http.CallMetrics;
import dev.ferry.http.SecretMask;
import dev.ferry.metrics.PrometheusEndpoint;
import dev.ferry.service.Service;
import dev.ferry.spec.ServiceSpec;
import dev.ferry.spec.SpecLoader;
import dev.ferry.store.SqlWorkQueue;
import dev.ferry.store.WorkQueue;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry serve SPEC}: runs a service spec until SIGTERM/SIGINT, then drains within {@code --drain-timeout}
 * and exits 0; or lists/redrives its failed items. See docs/SERVE.md.
 */
@Command(mixinStandardHelpOptions = true, name = "serve",
    description = "Run a service spec: verified deliveries on HTTP routes, stored once in a durable queue in the job"
        + " store, drained through the spec's steps. SIGTERM stops ingest, drains what is in flight and exits 0.")
final class ServeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Characters of an item's body that --list-failed prints without --full. */
  static final int PREVIEW_CHARS = 500;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "The service spec (YAML; see docs/SERVE.md).")
  Path file;

  @Option(names = "--port", paramLabel = "N", description = "Port to listen on (default: $PORT, else 8080; 0: any"
      + " free port, printed).")
  Integer port;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
  String bind;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR", defaultValue = ".ferry",
      description = "Directory of the embedded store (ferry.db) holding the queue (default .ferry); a file is"
          + " refused.")
  Path checkpointDir;

  @Option(names = "--store", paramLabel = "URL|FILE", description = "Where the queue lives instead of"
      + " <checkpoint-dir>/ferry.db: a SQLite file, or a PostgreSQL URL shared by replicas. Default: $FERRY_STORE.")
  String store;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
      converter = DurationConverter.class,
      description = "On SIGTERM, how long items in flight may take to settle; the rest stay queued (default 30s).")
  Duration drainTimeout;

  @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "30s",
      converter = DurationConverter.class, description = "Per-request timeout of targets without their own.")
  Duration requestTimeout;

  @Option(names = "--list-failed", description = "Print the queue's failed items as JSON lines and exit.")
  boolean listFailed;

  @Option(names = "--full", description = "With --list-failed: print each item's body whole (as 'item'), however"
      + " long; without it an item above " + PREVIEW_CHARS + " characters shows its first " + PREVIEW_CHARS
      + " ('item_preview').")
  boolean full;

  @Option(names = "--redrive", description = "Put the queue's failed items back in the queue and exit.")
  boolean redrive;

  @Option(names = "--drop-failed", description = "Delete the queue's failed items for good and exit (their deliveries"
      + " are then forgotten after the dedupe window, as done ones).")
  boolean dropFailed;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((listFailed ? 1 : 0) + (redrive ? 1 : 0) + (dropFailed ? 1 : 0) > 1) {
      // each is its own action: one of them ran and the others were ignored without a word
      throw RunFlags.usage("--list-failed, --redrive and --drop-failed are separate actions: give one at a time"
          + " (list first, then redrive or drop)");
    }
    StateDir.directoryOrAbsent(checkpointDir, "--checkpoint-dir");
    if (full && !listFailed) throw RunFlags.usage("--full goes with --list-failed (it prints the failed items whole)");
    if (listFailed || redrive || dropFailed) {
      // they send nothing: the spec's target, route and step parameters need not be set (SpecLoader.loadServiceQueue)
      return failedItems(SpecLoader.loadServiceQueue(file, env), StateDir.of(checkpointDir, store, env), out, err);
    }
    ServiceSpec service = SpecLoader.loadService(file, env);
    StateDir state = StateDir.of(checkpointDir, store, env);
    try (JobStore jobStore = state.openStore();
        WorkQueue queue = SqlWorkQueue.open(state.location(), service.serve().queue())) {
      return serve(service, jobStore, queue, state, err);
    }
  }

  /**
   * {@code --list-failed}, {@code --redrive} or {@code --drop-failed}: an action on a queue that exists. An embedded
   * store that is not there is a usage error naming it, and nothing is created (a typo in {@code --checkpoint-dir}
   * made an empty database and listed nothing, exit 0, as if the queue had no failed items).
   */
  private int failedItems(SpecLoader.ServiceQueue service, StateDir state, PrintWriter out, PrintWriter err)
      throws Exception {
    if (!state.exists()) {
      throw RunFlags.usage("no ferry state in " + state.describe() + ": no queue to " + (listFailed ? "list"
          : redrive ? "redrive" : "drop") + " (give the --checkpoint-dir or --store that 'ferry serve' ran with)");
    }
    String name = service.queue();
    try (WorkQueue queue = openExisting(state, name)) {
      if (listFailed) return listFailed(service, queue, out, err);
      if (redrive) {
        out.println("ferry: " + queue.redrive(WallClock.system().millis()) + " failed item(s) back in queue " + name);
        out.flush();
        return ExitCodes.OK;
      }
      out.println("ferry: " + queue.dropFailed() + " failed item(s) dropped from queue " + name);
      out.flush();
      return ExitCodes.OK;
    }
  }

  /**
   * The spec's queue, only if the store holds it: a store where no queue ever ran, or a queue name it does not know
   * (a spec's name changed, another spec's store) is a usage error naming the queues there are, and nothing is created
   * (both listed nothing, exit 0, as if the queue had no failed items; and made the queue tables).
   */
  private WorkQueue openExisting(StateDir state, String name) {
    try {
      return SqlWorkQueue.openExisting(state.location(), name);
    } catch (SqlWorkQueue.NoSuchQueueException e) {
      String where = "no queue '" + name + "' in " + state.describe();
      throw RunFlags.usage(e.noTables()
          ? where + ": it holds no queue at all ('ferry serve' never ran with it; give the --checkpoint-dir or --store"
              + " that 'ferry serve' ran with)"
          : where + "; queues: " + (e.queues().isEmpty() ? "none" : String.join(", ", e.queues()))
              + " (the queue is the spec's 'serve.queue', else its 'name')");
    }
  }

  /**
   * The failed items as JSON lines: each with its body as {@code item} when it has at most {@link #PREVIEW_CHARS}
   * characters (or with {@code --full}), else its first characters as {@code item_preview} and {@code item_cut}
   * saying so (a 9 MB body printed whole made the list unreadable). The body is cut in the store, so a long one is
   * never read whole; the spec's secrets are masked in whatever is printed, before the cut.
   */
  private int listFailed(SpecLoader.ServiceQueue service, WorkQueue queue, PrintWriter out, PrintWriter err)
      throws Exception {
    SecretMask mask = service.mask();
    // read past the cut by the longest masked form, so that a secret straddling the cut is masked whole
    int read = full ? Integer.MAX_VALUE : PREVIEW_CHARS + 1 + mask.longestForm();
    int cut = 0;
    int listed = 0;
    for (WorkQueue.FailedItem f : queue.failed(Integer.MAX_VALUE, read)) {
      listed++;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", f.id());
      m.put("delivery_id", f.deliveryId());
      m.put("index", f.index());
      m.put("attempts", f.attempts());
      m.put("reason", f.reason());
      m.put("failed_at", f.settledAtMillis());
      m.put("item_chars", f.bodyLength());
      String body = mask.mask(f.body());
      if (full || f.bodyLength() <= PREVIEW_CHARS) {
        m.put("item", item(body));
      } else {
        cut++;
        m.put("item_preview", body.substring(0, body.offsetByCodePoints(0,
            Math.min(PREVIEW_CHARS, body.codePointCount(0, body.length())))));
        m.put("item_cut", String.format("first %d of %,d characters; --list-failed --full prints the item whole",
            PREVIEW_CHARS, f.bodyLength()));
      }
      out.println(JSON.writeValueAsString(m));
    }
    out.flush();
    if (listed == 0) { // said on stderr: the JSON lines on stdout stay empty for a script reading them
      err.println("ferry: no failed items in queue " + service.queue());
      err.flush();
    }
    if (cut > 0) {
      err.println("ferry: " + cut + " item(s) longer than " + PREVIEW_CHARS + " characters shown cut ('item_preview');"
          + " --list-failed --full prints them whole");
      err.flush();
    }
    return ExitCodes.OK;
  }

  /** A stored body as JSON; as a string if masking made it something else (a secret used as a key or a number). */
  private static JsonNode item(String body) {
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(body);
    }
  }

  private int serve(ServiceSpec service, JobStore jobStore, WorkQueue queue, StateDir state, PrintWriter err)
      throws Exception {
    InetSocketAddress address = new InetSocketAddress(address(), port());
    CountDownLatch stop = new CountDownLatch(1);
    try (PrometheusEndpoint metrics = PrometheusEndpoint.unbound();
        AutoCloseable signals = Signals.onInterrupt(Signals.SERVE, sig -> stop.countDown())) {
      Service running;
      try {
        running = Service.start(service, jobStore, queue, new Service.Options(address, ProcessIds.create(),
            metrics.recorder(), metrics::scrape, new CallMetrics(), requestTimeout));
      } catch (java.net.BindException e) {
        throw new ExitException(ExitCodes.USAGE, "--port " + address.getPort() + ": cannot listen on " + bind + ":"
            + address.getPort() + " (" + e.getMessage() + ")");
      }
      try (running) {
        InetSocketAddress a = running.address();
        err.println("ferry: serving " + service.serve().routes().size() + " route(s) on http://"
            + a.getAddress().getHostAddress() + ":" + a.getPort() + ", queue " + service.serve().queue() + " in "
            + state.describe() + ", " + service.serve().concurrency() + " items in flight at most");
        err.flush();
        stop.await();
        boolean settled = running.stop(drainTimeout);
        err.println("ferry: stopped: " + (settled ? "every item in flight settled"
            : "items still in flight after " + drainTimeout.toSeconds() + "s went back to the queue"));
        err.flush();
      }
    }
    return ExitCodes.OK;
  }

  private InetAddress address() {
    try {
      return InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new ExitException(ExitCodes.USAGE, "--bind: '" + bind + "' is not an address");
    }
  }

  private int port() {
    if (port != null) return checkPort(port, "--port");
    String p = env.get("PORT");
    if (p == null || p.isBlank()) return 8080;
    try {
      return checkPort(Integer.parseInt(p.strip()), "PORT");
    } catch (NumberFormatException e) {
      throw new ExitException(ExitCodes.USAGE, "PORT: '" + p + "' is not a port number");
    }
  }

  private static int checkPort(int p, String what) {
    if (p < 0 || p > 65535) throw new ExitException(ExitCodes.USAGE, what + ": " + p + " is not a port (0-65535)");
    return p;
  }
}
