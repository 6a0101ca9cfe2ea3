package dev.ferry.bench;

import static dev.ferry.bench.Fmt.f;
import static dev.ferry.bench.Fmt.ms;
import static dev.ferry.bench.Fmt.num;
import static dev.ferry.bench.Fmt.pct;
import static dev.ferry.bench.Fmt.times;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The judgement over a measured ladder: speedup and efficiency per rung, the bottleneck, the Universal
 * Scalability Law fit and the recommended setting. Pure: a function of the rungs and the context, reading no
 * clock and no state. Immutable.
 *
 * <p>Only rungs whose window means something are judged ({@link Rung#judged}: at least 10 rows over at least
 * 1 s, 0.1 s in a dry run); the others show their counts but no rate or share, and none of the rules, the fit or the recommendation
 * reads them. When no rung is judged the verdict is {@link Bottleneck#NOT_JUDGED}.
 *
 * <p>The bottleneck rules, first match wins (seed 002's decision matrix made automatic):
 * <ol>
 *   <li><b>memory</b>: at some rung the heap still holds ≥ 85% of its limit after collections, or the
 *       collectors took ≥ 15% of the window;</li>
 *   <li><b>rate limit</b>: some rung got 429 answers; or, with a configured limit, some rung sent ≥ 95% of it;
 *       or (when waits are measured, as in a job spec's study) some rung's calls spent ≥ 50% of their time waiting
 *       for the target's pace rather than on the wire: a limit of requests or of a weight such as tokens, stated
 *       in the spec or learned from the target's headers, holds the workers;</li>
 *   <li><b>serialised section</b>, when its time per call is known (the simulator's): some rung sent ≥ 85% of
 *       the requests per second it allows;</li>
 *   <li><b>none</b>: the largest rung still scales at ≥ 80% efficiency (near-linear);</li>
 *   <li><b>CPU</b>: some rung kept ≥ 85% of the cores busy; or the host's CPUs were ≥ 90% busy (other
 *       processes included) during the largest rung;</li>
 *   <li><b>serialised section</b>: the last step of the ladder is flat (it adds less than half of what linear
 *       scaling would) while p50 latency grew ≥ 20% from the smallest rung, or the request rate is within 15%
 *       of the known serialised section's capacity, or, in a dry run (no latency), while the CPU is not
 *       saturated;</li>
 *   <li><b>downstream latency</b>: p95 grew ≥ 20% from the smallest rung, with no 429s;</li>
 *   <li>otherwise <b>unexplained</b>.</li>
 * </ol>
 *
 * @param scaling        one entry per rung, in worker order
 * @param verdict        the named bottleneck
 * @param usl            the fit, or null with fewer than two rungs that settled rows
 * @param recommendation what to run, or null when no rung settled a row
 * @param caveats        reasons to distrust the numbers (a busy host, a baseline slower than it should be)
 */
public record BenchAnalysis(List<Scaling> scaling, Verdict verdict, UslFit usl, Recommendation recommendation,
    List<String> caveats) {
  static final double LIMIT_SHARE = 0.95;
  static final double PACED_SHARE = 0.50;
  static final double LINEAR_EFFICIENCY = 0.80;
  static final double FLAT_STEP = 0.50;
  static final double LATENCY_GROWTH = 1.20;
  static final double CPU_SHARE = 0.85;
  static final double GC_SHARE = 0.15;
  static final double LIVE_HEAP_SHARE = 0.85;
  static final double SERIAL_SHARE = 0.85;
  static final double KNEE_SHARE = 0.95;
  static final double LITTLE_MARGIN = 1.10;
  static final double BUSY_HOST = 0.90;
  static final double OTHERS_CORES = 0.5;
  static final double SUPERLINEAR = 1.15;

  public BenchAnalysis {
    scaling = List.copyOf(scaling);
    Objects.requireNonNull(verdict, "verdict cannot be null");
    caveats = List.copyOf(caveats);
  }

  /**
   * One rung relative to the smallest: {@code speedup = X/X₀}, {@code efficiency = speedup / (W/W₀)}.
   *
   * @param rung the measurements
   */
  public record Scaling(Rung rung, double speedup, double efficiency) {}

  /**
   * Judges a ladder.
   *
   * @param rungs the measured rungs (any order; sorted by workers here)
   * @throws IllegalArgumentException when {@code rungs} is empty
   */
  public static BenchAnalysis of(List<Rung> rungs, BenchContext ctx) {
    Objects.requireNonNull(ctx, "ctx cannot be null");
    if (rungs.isEmpty()) throw new IllegalArgumentException("no rungs to analyse");
    List<Rung> sorted = rungs.stream().sorted(Comparator.comparingInt(Rung::workers)).toList();
    // Only rungs whose window means something are compared, judged, fitted and recommended (Rung.judged)
    List<Rung> usable = sorted.stream().filter(r -> r.judged() && r.rowsPerSecond() > 0).toList();
    Rung base = usable.isEmpty() ? null : usable.getFirst();
    List<Scaling> scaling = new ArrayList<>();
    for (Rung r : sorted) {
      double speedup = base != null && usable.contains(r) ? r.rowsPerSecond() / base.rowsPerSecond() : Double.NaN;
      scaling.add(new Scaling(r, speedup, speedup / ((double) r.workers() / (base == null ? 1 : base.workers()))));
    }
    if (usable.isEmpty()) {
      Rung most = sorted.stream().max(Comparator.comparingLong(Rung::rows)).orElseThrow();
      Verdict none = most.rows() == 0
          ? new Verdict(Bottleneck.UNEXPLAINED, 0, "unexplained: no rung settled a single " + ctx.unit()
              + " in its window; see the failed rows and errors")
          : new Verdict(Bottleneck.NOT_JUDGED, 0, f("not judged: every rung's window was too short (at most %,d %s in"
              + " %.1f s; a rung is judged from %d %s over %s s): raise --max-records.", most.rows(),
              most.rows() == 1 ? ctx.unit() : ctx.units(), most.seconds(), Rung.MIN_JUDGED_ROWS, ctx.units(),
              java.math.BigDecimal.valueOf(ctx.dryRun() ? Rung.MIN_JUDGED_DRY_SECONDS : Rung.MIN_JUDGED_SECONDS)
                  .stripTrailingZeros().toPlainString()));
      return new BenchAnalysis(scaling, none, null, null, caveats(scaling, ctx));
    }
    UslFit usl = usable.size() >= 2 ? UslFit.fit(usable.stream()
        .map(r -> new UslFit.Point(r.workers(), r.rowsPerSecond())).toList()) : null;
    Verdict verdict = judge(usable, ctx);
    return new BenchAnalysis(scaling, verdict, usl, recommend(usable, ctx, verdict, usl), caveats(scaling, ctx));
  }

  /** A host busy with other processes; a rung that beat linear scaling (its baseline was slowed down). */
  static List<String> caveats(List<Scaling> scaling, BenchContext ctx) {
    List<String> out = new ArrayList<>();
    List<Rung> tooShort = scaling.stream().map(Scaling::rung).filter(r -> !r.judged() && r.rows() > 0).toList();
    if (!tooShort.isEmpty() && tooShort.size() < scaling.size()) {
      for (Rung r : tooShort) {
        out.add(f("the %d-worker rung is left out of the verdict, the fit and the recommendation: %s.", r.workers(),
            r.notJudgedReason()));
      }
    }
    List<Rung> busy = new ArrayList<>();
    for (Scaling s : scaling) {
      Rung r = s.rung();
      if (!r.judged()) continue;
      if (r.hostCpu() >= BUSY_HOST && r.hostCpu() * ctx.cores() - r.cpuCores() >= OTHERS_CORES) busy.add(r);
    }
    if (!busy.isEmpty()) {
      String which = busy.size() == scaling.size() ? (busy.size() == 1 ? "the rung" : "all " + busy.size() + " rungs")
          : busy.size() == 1 ? f("the %d-worker rung", busy.getFirst().workers())
          : "the " + String.join(", ", busy.stream().map(r -> String.valueOf(r.workers())).toList()) + "-worker rungs";
      double load = busy.stream().mapToDouble(Rung::loadAverage).filter(Double::isFinite).max().orElse(Double.NaN);
      double least = busy.stream().mapToDouble(Rung::cpuCores).min().orElse(0);
      out.add(f("the host's CPUs were ≥ %s busy during %s (load average up to %s on %d cores), mostly with other"
              + " processes, which left this process as little as %s cores: rates and latencies are noisy; re-run"
              + " on a quiet machine.", pct(BUSY_HOST), which, Double.isNaN(load) ? "n/a" : f("%.1f", load),
          ctx.cores(), f("%.2f", least)));
    }
    List<String> failing = new ArrayList<>();
    for (Scaling s : scaling) {
      Rung r = s.rung();
      if (r.failedRows() > 0) failing.add(f("%d at %d workers", r.failedRows(), r.workers()));
    }
    if (!failing.isEmpty()) {
      out.add(f("rows failed (%s): the rates count failed rows as settled, so they do not measure successful"
          + " imports; fix what the errors say first.", String.join(", ", failing)));
    }
    for (Scaling s : scaling) {
      if (s.efficiency() >= SUPERLINEAR) {
        out.add(f("the %d-worker rung scaled better than linearly (%s efficiency): the %d-worker baseline was"
                + " probably slowed down, so the speedups are inflated.", s.rung().workers(), pct(s.efficiency()),
            scaling.getFirst().rung().workers()));
        break;
      }
    }
    return out;
  }

  /** The bottleneck rules of the class comment, over rungs that settled rows, sorted by workers. */
  static Verdict judge(List<Rung> rungs, BenchContext ctx) {
    Rung base = rungs.getFirst();
    Rung top = rungs.getLast();
    String u = ctx.units();
    boolean http = !ctx.dryRun() && !base.allCalls().isEmpty() && !top.allCalls().isEmpty();

    for (Rung r : rungs) {
      if (r.liveHeapShare() >= LIVE_HEAP_SHARE || r.gcShare() >= GC_SHARE) {
        List<String> why = new ArrayList<>();
        if (r.liveHeapShare() >= LIVE_HEAP_SHARE) {
          why.add(f("the heap still holds %s MB of its %s MB after collections (%s)", Fmt.mb(r.liveHeapBytes()),
              Fmt.mb(r.maxHeapBytes()), pct(r.liveHeapShare())));
        }
        if (r.gcShare() >= GC_SHARE) why.add(f("garbage collection took %s of the time", pct(r.gcShare())));
        return new Verdict(Bottleneck.MEMORY, r.workers(), f("memory: at %d workers %s; give the JVM more heap"
            + " (FERRY_JAVA_OPTS=-Xmx...) or run fewer workers.", r.workers(), String.join(" and ", why)));
      }
    }

    for (Rung r : rungs) {
      if (r.rateLimited() > 0) {
        Rung plateau = best(rungs.subList(rungs.indexOf(r), rungs.size()));
        return new Verdict(Bottleneck.RATE_LIMIT, r.workers(), f("rate limit: from %d workers the target answered"
                + " 429 (%d time%s at %d workers) and throughput stays near %s %s/s (%s req/s); every 429 pauses"
                + " all workers, so more workers only wait.", r.workers(), r.rateLimited(),
            r.rateLimited() == 1 ? "" : "s", r.workers(),
            num(plateau.rowsPerSecond()), u, num(plateau.requestsPerSecond())));
      }
    }
    if (ctx.rateLimit() > 0) {
      for (Rung r : rungs) {
        if (r.requestsPerSecond() >= LIMIT_SHARE * ctx.rateLimit()) {
          return new Verdict(Bottleneck.RATE_LIMIT, r.workers(), f("rate limit: from %d workers ferry sends %s req/s,"
                  + " %s of the %s req/s limit (%s %s/s at %s calls a %s), with no 429s; more workers cannot go"
                  + " faster.", r.workers(), num(r.requestsPerSecond()), pct(r.requestsPerSecond() / ctx.rateLimit()),
              num(ctx.rateLimit()), num(r.rowsPerSecond()), u, num(r.callsPerRow()), ctx.unit()));
        }
      }
    }

    for (Rung r : rungs) {
      if (r.waitShare() >= PACED_SHARE) {
        Rung plateau = best(rungs.subList(rungs.indexOf(r), rungs.size()));
        return new Verdict(Bottleneck.RATE_LIMIT, r.workers(), f("rate limit: from %d worker%s the calls spend %s of"
                + " their time waiting for the target's pace%s rather than on the wire%s, and throughput stays near"
                + " %s %s/s (%s req/s); more workers only wait.", r.workers(), r.workers() == 1 ? "" : "s",
            pct(r.waitShare()),
            ctx.limits().isEmpty() ? "" : " (" + ctx.limits() + ")",
            r.retries() > 0 ? f(" (retry back-offs included: %d retries)", r.retries()) : ", with no 429s",
            num(plateau.rowsPerSecond()), u, num(plateau.requestsPerSecond())));
      }
    }

    if (ctx.serialMillis() > 0 && http) {
      double capacity = 1000 / ctx.serialMillis();
      for (Rung r : rungs) {
        if (r.requestsPerSecond() >= SERIAL_SHARE * capacity) {
          Rung plateau = best(rungs.subList(rungs.indexOf(r), rungs.size()));
          return new Verdict(Bottleneck.SERIAL_SECTION, r.workers(), f("serialised section: from %d workers ferry"
                  + " gets %s %s/s (%s req/s), %s of the %s req/s that a %s ms section per call allows, while p50"
                  + " latency grows %s → %s ms: requests queue for the lock.", r.workers(),
              num(plateau.rowsPerSecond()), u, num(plateau.requestsPerSecond()),
              pct(plateau.requestsPerSecond() / capacity), num(capacity), num(ctx.serialMillis()),
              ms(base.allCalls().p50()), ms(plateau.allCalls().p50())));
        }
      }
    }

    double speedup = top.rowsPerSecond() / base.rowsPerSecond();
    double workerRatio = (double) top.workers() / base.workers();
    double efficiency = speedup / workerRatio;
    String p95 = http ? f(", p95 latency %s → %s ms", ms(base.allCalls().p95()), ms(top.allCalls().p95())) : "";
    if (rungs.size() >= 2 && efficiency >= LINEAR_EFFICIENCY) {
      return new Verdict(Bottleneck.NONE, 0, f("none: scaling is near-linear up to %d workers: %s the %d-worker"
              + " throughput (%s efficiency)%s%s; more workers should still help.", top.workers(), times(speedup),
          base.workers(), pct(efficiency), p95, http ? ", no 429s" : ""));
    }
    if (rungs.size() < 2) {
      return new Verdict(Bottleneck.UNEXPLAINED, 0, f("unexplained: one rung (%d workers, %s %s/s) has nothing to"
          + " compare with; give --workers two or more counts.", base.workers(), num(base.rowsPerSecond()), u));
    }

    Rung busiest = rungs.stream().max(Comparator.comparingDouble(Rung::cpuCores)).orElseThrow();
    if (busiest.cpuCores() >= CPU_SHARE * ctx.cores()) {
      Rung first = rungs.stream().filter(r -> r.cpuCores() >= CPU_SHARE * ctx.cores()).findFirst().orElseThrow();
      return new Verdict(Bottleneck.CPU, first.workers(), f("CPU: from %d workers the process keeps %s of its %d cores"
              + " busy (%s%s), and %d workers give only %s the %d-worker throughput (%s efficiency).", first.workers(),
          f("%.2f", first.cpuCores()), ctx.cores(), pct(first.cpuCores() / ctx.cores()),
          ctx.simulatorInProcess() ? ", the in-process simulator included" : "", top.workers(), times(speedup),
          base.workers(), pct(efficiency)));
    }
    if (top.hostCpu() >= BUSY_HOST) {
      return new Verdict(Bottleneck.CPU, top.workers(), f("CPU: the host's %d cores were %s busy at %d workers, this"
              + " process using %s of them and other processes the rest, and %d workers give only %s the %d-worker"
              + " throughput (%s efficiency): more workers only queue for the CPU.", ctx.cores(), pct(top.hostCpu()),
          top.workers(), f("%.2f", top.cpuCores()), top.workers(), times(speedup), base.workers(), pct(efficiency)));
    }

    Rung prev = rungs.get(rungs.size() - 2);
    double stepGain = (top.rowsPerSecond() / prev.rowsPerSecond() - 1) / ((double) top.workers() / prev.workers() - 1);
    boolean flat = stepGain < FLAT_STEP;
    Rung plateau = best(List.of(prev, top));
    Rung reached = rungs.stream().filter(r -> r.rowsPerSecond() >= 0.9 * plateau.rowsPerSecond()).findFirst()
        .orElse(plateau);
    double latencyGrowth = http ? top.allCalls().p50() / base.allCalls().p50() : Double.NaN;
    double serialCapacity = ctx.serialMillis() > 0 ? 1000 / ctx.serialMillis() : Double.NaN;
    boolean nearSerialCapacity = ctx.serialMillis() > 0 && plateau.requestsPerSecond() >= SERIAL_SHARE * serialCapacity;
    if (flat && http && (latencyGrowth >= LATENCY_GROWTH || nearSerialCapacity)) {
      String latency = f("p50 latency grows %s → %s ms", ms(base.allCalls().p50()), ms(top.allCalls().p50()));
      if (ctx.serialMillis() > 0) {
        return new Verdict(Bottleneck.SERIAL_SECTION, reached.workers(), f("serialised section: from %d workers"
                + " throughput stays near %s %s/s (%s req/s, %s of the %s req/s that a %s ms section per call"
                + " allows) while %s: requests queue for the lock.", reached.workers(), num(plateau.rowsPerSecond()),
            u, num(plateau.requestsPerSecond()), pct(plateau.requestsPerSecond() / serialCapacity),
            num(serialCapacity), num(ctx.serialMillis()), latency));
      }
      return new Verdict(Bottleneck.SERIAL_SECTION, reached.workers(), f("serialised section: throughput levels off"
              + " at %s %s/s (%s req/s; %s from %d to %d workers) while %s: the extra requests queue for one resource"
              + " that serves about %s req/s (%s ms each).", num(plateau.rowsPerSecond()), u,
          num(plateau.requestsPerSecond()), growth(prev, top), prev.workers(), top.workers(), latency,
          num(plateau.requestsPerSecond()), ms(1000 / plateau.requestsPerSecond())));
    }
    if (flat && !http) {
      return new Verdict(Bottleneck.SERIAL_SECTION, reached.workers(), f("serialised section in ferry itself: with no"
              + " HTTP calls, throughput levels off at %s %s/s (%s from %d to %d workers) while the process keeps"
              + " only %s of its %d cores busy: one shared step (such as the state-store writes) serves the rows one"
              + " at a time.", num(plateau.rowsPerSecond()), u, growth(prev, top), prev.workers(), top.workers(),
          f("%.2f", busiest.cpuCores()), ctx.cores()));
    }
    if (http && top.allCalls().p95() >= LATENCY_GROWTH * base.allCalls().p95()) {
      return new Verdict(Bottleneck.DOWNSTREAM_LATENCY, top.workers(), f("downstream latency: p95 grows %s → %s ms as"
              + " rows in flight go %d → %d, with no 429s; throughput still rises, but only %s for %s the workers"
              + " (%s efficiency).", ms(base.allCalls().p95()), ms(top.allCalls().p95()), base.inFlight(),
          top.inFlight(), times(speedup), times(workerRatio), pct(efficiency)));
    }
    return new Verdict(Bottleneck.UNEXPLAINED, top.workers(), f("unexplained: %d workers give %s the %d-worker"
            + " throughput (%s efficiency)%s, %s and %s of %d cores busy; %s.", top.workers(), times(speedup),
        base.workers(), pct(efficiency), p95, http ? "no 429s" : "no HTTP calls", f("%.2f", busiest.cpuCores()),
        ctx.cores(), http ? "look at the target's own metrics" : "profile ferry itself (or re-run on a quiet host)"));
  }

  /** The setting to run, from the measurements (the knee), compared with the ceiling the known limits allow. */
  static Recommendation recommend(List<Rung> rungs, BenchContext ctx, Verdict verdict, UslFit usl) {
    Rung base = rungs.getFirst();
    Rung top = rungs.getLast();
    Rung best = best(rungs);
    String u = ctx.units();
    Rung pick;
    String reason;
    if (verdict.bottleneck() == Bottleneck.NONE) {
      pick = top;
      String peak = usl == null ? "" : Double.isInfinite(usl.peakWorkers())
          ? "; the USL fit sees no peak"
          : f("; the USL fit puts the peak at %s workers", num(usl.peakWorkers()));
      reason = f("throughput still grows near-linearly at %d workers: this ladder found no ceiling%s; measure a"
          + " longer ladder (e.g. --workers %d,%d,%d) before going higher.", top.workers(), peak, top.workers(),
          top.workers() * 2, top.workers() * 4);
    } else {
      pick = rungs.stream().filter(r -> r.rowsPerSecond() >= KNEE_SHARE * best.rowsPerSecond()).findFirst()
          .orElse(best);
      reason = f("the fewest measured workers within 5%% of the best throughput (%s %s/s at %d workers)%s.",
          num(best.rowsPerSecond()), u, best.workers(),
          pick.workers() < top.workers() ? "; more workers add less than 5%" : "");
    }

    double ceilingRate = Double.NaN;
    int inFlight = 0;
    String note = "";
    double calls = pick.callsPerRow() > 0 ? pick.callsPerRow() : best.callsPerRow();
    double requestCeiling = ctx.requestCeiling();
    if (!ctx.dryRun() && calls > 0 && Double.isFinite(requestCeiling)) {
      ceilingRate = requestCeiling / calls;
      String limit = ctx.rateLimit() > 0 && ctx.rateLimit() * ctx.paceShare() <= requestCeiling
          ? f("the rate limit allows %s %s/s (%s req/s × %s paced ÷ %s call%s a %s)", num(ceilingRate), u,
              num(ctx.rateLimit()), Fmt.pctExact(ctx.paceShare()), num(calls), num(calls).equals("1") ? "" : "s",
              ctx.unit())
          : f("the serialised section allows %s %s/s (%s req/s at %s ms a call ÷ %s call%s a %s)", num(ceilingRate),
              u, num(requestCeiling), num(ctx.serialMillis()), num(calls), num(calls).equals("1") ? "" : "s",
              ctx.unit());
      double secondsPerRow = base.inFlight() / base.rowsPerSecond();
      inFlight = (int) Math.ceil(ceilingRate * secondsPerRow);
      int c = pick.concurrency();
      int workersForCeiling = Math.max(1, (int) Math.ceil(inFlight * LITTLE_MARGIN / c));
      note = f("%s; --workers %d reaches %s of it. By Little's law about %d %s in flight reach it (%s %s/s × %s s"
              + " a %s at %d in flight), so --workers %d --concurrency %d (10%% margin) or the same product of the"
              + " two should too.", limit, pick.workers(), pct(pick.rowsPerSecond() / ceilingRate), inFlight, u,
          num(ceilingRate), u, num(secondsPerRow), ctx.unit(), base.inFlight(), workersForCeiling, c);
    } else if (verdict.bottleneck() == Bottleneck.RATE_LIMIT && !ctx.limits().isEmpty()) {
      ceilingRate = best.rowsPerSecond();
      note = f("the target's limits (%s) hold the pool near %s %s/s (%s req/s)%s: a higher limit (another tier),"
              + " or fewer requests and tokens a %s (bigger batches: --concurrency), moves the ceiling; more workers"
              + " do not.", ctx.limits(), num(best.rowsPerSecond()), u, num(best.requestsPerSecond()),
          best.rateLimited() > 0 || rungs.stream().anyMatch(r -> r.rateLimited() > 0)
              ? (learnedOnly(ctx.limits())
                  ? "; the 429s came while ferry learned the limits (auto): state the documented limits in the spec's"
                      + " limits so ferry paces below them from the first request"
                  : "; with 429s, state the documented limits in the spec's limits (or auto) so ferry paces below them")
              : "", ctx.unit());
    } else if (verdict.bottleneck() == Bottleneck.RATE_LIMIT) {
      ceilingRate = best.rowsPerSecond();
      note = f("the client was told no limit; with 429s the pool reached at most %s %s/s (%s req/s), and every 429"
          + " paused it, so the target's real limit is at least that: pass the documented limit as --rate-limit,"
          + " and ferry paces just below it instead of pausing.", num(best.rowsPerSecond()), u,
          num(best.requestsPerSecond()));
    }
    return new Recommendation(pick.workers(), pick.concurrency(), pick.rowsPerSecond(), reason, ceilingRate,
        inFlight, note);
  }

  /** "+36%" or "-4%": the change in throughput from one rung to the next. */
  private static String growth(Rung from, Rung to) {
    double g = to.rowsPerSecond() / from.rowsPerSecond() - 1;
    return (g >= 0 ? "+" : "") + pct(g);
  }

  private static Rung best(List<Rung> rungs) {
    return rungs.stream().max(Comparator.comparingDouble(Rung::rowsPerSecond)).orElseThrow();
  }

  /**
   * True when every target of {@code limits} (a spec's "name: limits; name: limits", see {@link BenchContext}) learns
   * its limit and none states one or says there is none: then "(or auto)" is no advice, the spec already has it.
   */
  static boolean learnedOnly(String limits) {
    if (limits.isEmpty()) return false;
    for (String target : limits.split("; ")) {
      int colon = target.lastIndexOf(": ");
      if (colon < 0 || !target.substring(colon + 2).equals("auto")) return false;
    }
    return true;
  }
}
