#!/usr/bin/env bash
# --concurrency auto end to end (issue 5, part 1): whole processes, `ferry sim` + `ferry import-users`, over
# real HTTP on 127.0.0.1. Prints a per-second timeline of each run (requests the simulator admitted and refused
# with 429 per second, from its GET /__timeline; the client's adaptive limit and pace, from --timeline) and one
# summary line per scenario. Never part of the test suite.
#
#   benchmarks/adaptive.sh [-s SCENARIOS] [-d SECONDS] [-f FIXED] [-o OUTDIR]
#
#   -s  scenarios (default i,iv,iii,ii,i-fw,i-tb):
#         i     sim --rate-limit 50 --latency 200ms (sliding window); client --rate-limit none --concurrency auto:
#               time to 90 % of the ceiling, admitted/s over the first 10 s and after, 429s as % of requests
#         i-fw  the same against a fixed-window server; i-tb against a token bucket (--burst 1s)
#         ii    no limit on either side, 200 ms: auto against fixed W x C settings (-f), same duration each
#         iii   no limit, latency 200 ms, 400 ms from 40 s, 200 ms again from 80 s (--latency-schedule): the limit
#               must back off while the target is slow and recover after
#         iv    sim --rate-limit 50 and client --rate-limit 50 with auto: no 429 at all
#   -d  seconds each run lasts (default 120; scenario ii uses half of it per setting); the client is then
#       stopped (SIGTERM: it stops gracefully); figures cover the first -d seconds after its first request
#   -f  fixed settings for ii, as WxC (default 4x10,4x50,4x250)
#   -o  output folder (default benchmarks/results/adaptive-<date>): summary.txt, timelines/, logs/
#
# Every run gets a fresh simulator state (POST /__reset) and a fresh checkpoint directory. The machine load
# (1-minute load average) is printed with each run: on a shared host, repeat a run whose load was high.
# Needs: a JDK >= 21 (found as ./ferry finds it), curl, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRY=("$ROOT/ferry")
SCENARIOS=i,iv,iii,ii,i-fw,i-tb
DURATION=120
FIXED=4x10,4x50,4x250
OUT="$ROOT/benchmarks/results/adaptive-$(date +%Y%m%d-%H%M%S)"
while getopts "s:d:f:o:h" opt; do
  case $opt in
    s) SCENARIOS=$OPTARG ;;
    d) DURATION=$OPTARG ;;
    f) FIXED=$OPTARG ;;
    o) OUT=$OPTARG ;;
    h) sed -n '2,27p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "adaptive: $tool is missing" >&2; exit 2; }
done
if [ ! -f "$ROOT/target/ferry-all.jar" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT"/ferry-*/pom.xml "$ROOT"/ferry-*/src/main -newer "$ROOT/target/ferry-all.jar" -print -quit)" ]; then
  echo "adaptive: building ferry" >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package) >&2
fi
mkdir -p "$OUT/timelines" "$OUT/logs" "$OUT/data"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
export WORKOS_SECRET_KEY=${WORKOS_SECRET_KEY:-sk_test_x}
# Bounded heaps (simulator and client alike): on a shared host an unbounded JVM (a quarter of the RAM by
# default) is what the kernel's OOM killer picks first. Override with FERRY_JAVA_OPTS.
export FERRY_JAVA_OPTS=${FERRY_JAVA_OPTS:--Xmx1g}
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"

SIM_PID=""
CLIENT_PID=""
cleanup() {
  if [ -n "$CLIENT_PID" ]; then kill "$CLIENT_PID" 2>/dev/null || true; wait "$CLIENT_PID" 2>/dev/null || true; fi
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  SIM_PID=""; CLIENT_PID=""
}
trap cleanup EXIT

BENCH=adaptive
# shellcheck source=sim-lib.sh
. "$ROOT/benchmarks/sim-lib.sh"

# run_client NAME SECONDS import-flags...: one import against $URL for SECONDS (then SIGINT), fresh state
run_client() {
  local name=$1 secs=$2; shift 2
  local dir="$OUT/data/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  curl -fs -X POST "$URL/__reset" >/dev/null
  local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
  "${FERRY[@]}" import-users --csv "$CSV" --job-id "$name" --api-url "$URL" --checkpoint-dir "$dir" \
      --progress never --json --timeline "$OUT/timelines/$name.client.csv" "$@" \
      > "$OUT/logs/$name.json" 2> "$OUT/logs/$name.err" &
  CLIENT_PID=$!
  # the run's clock starts at the client's first request (JVM start and planning excluded)
  local waited=0
  until [ "$(curl -fs "$URL/__stats" | grep -o '"requests" *: *[0-9]*' | grep -o '[0-9]*$')" != 0 ]; do
    sleep 0.1; waited=$((waited + 1))
    if ! kill -0 "$CLIENT_PID" 2>/dev/null || [ "$waited" -gt 600 ]; then break; fi
  done
  local end=$((SECONDS + secs + 1))
  while [ "$SECONDS" -lt "$end" ] && kill -0 "$CLIENT_PID" 2>/dev/null; do sleep 0.5; done
  curl -fs "$URL/__timeline" > "$OUT/timelines/$name.sim.json"
  curl -fs "$URL/__stats" > "$OUT/logs/$name.stats.json"
  kill -TERM "$CLIENT_PID" 2>/dev/null || true   # (a background job of a script ignores SIGINT)
  wait "$CLIENT_PID" 2>/dev/null || true
  CLIENT_PID=""
  echo "$load1" > "$OUT/logs/$name.load"
}

# analyse NAME KIND SECONDS CEILING: prints the timeline and appends the summary line
analyse() {
  python3 - "$OUT" "$1" "$2" "$3" "$4" <<'PY' | tee "$OUT/timelines/$1.txt"
import csv, json, sys
out, name, kind, secs, ceiling = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
sim = json.load(open(f"{out}/timelines/{name}.sim.json"))["seconds"]
first = next((i for i, s in enumerate(sim) if s["requests"] > 0), 0)
sim = sim[first:first + secs]
client = list(csv.DictReader(open(f"{out}/timelines/{name}.client.csv")))
load = open(f"{out}/logs/{name}.load").read().strip()
def at(t):  # the client's line for second t of the sim's timeline (client second 0 = first request)
    best = None
    for row in client:
        if float(row["elapsed_s"]) <= t + 1.05: best = row
    return best or {}
print(f"--- {name}: per second (t = seconds since the first request; load1 {load})")
print("   t  requests   429s  admitted   limit     pace  in_flight")
admitted = []
for t, s in enumerate(sim):
    a = s["requests"] - s["rate_limited"]
    admitted.append(a)
    c = at(t)
    print(f"{t:4d} {s['requests']:9d} {s['rate_limited']:6d} {a:9d} {c.get('limit') or '-':>7s} {c.get('pace') or '-':>8s} {c.get('in_flight', '-'):>10s}")
req = sum(s["requests"] for s in sim)
lim = sum(s["rate_limited"] for s in sim)
n = len(sim)
mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
if kind == "ceiling":
    reach = next((t for t in range(n) if admitted[t] >= 0.9 * ceiling), None)
    reach3 = next((t + 2 for t in range(n - 2) if mean(admitted[t:t + 3]) >= 0.9 * ceiling), None)
    # second 0 is partial (the client starts within it): the first ten seconds are 1-10
    first10 = mean(admitted[1:11])
    line = (f"{name}: 90% of {ceiling:g}/s first reached in second {reach} (3-s mean by {reach3} s); admitted "
            f"{first10:.1f}/s over seconds 1-10 ({100 * first10 / ceiling:.0f}% of the ceiling), "
            f"{mean(admitted[11:]):.1f}/s over 11-{n} s; 429s {lim} of {req} requests = {100 * lim / max(1, req):.2f}% "
            f"over {n} s (load1 {load})")
elif kind == "throughput":
    half = n // 2
    line = (f"{name}: {mean(admitted):.0f} admitted/s over {n} s, {mean(admitted[half:]):.0f}/s over the second half; "
            f"429s {lim} (load1 {load})")
else:  # schedule: limit before, during and after the slow stretch 40-80 s
    lims = [int(at(t).get("limit") or 0) for t in range(n)]
    seg = lambda xs, a, b: xs[a:min(b, n)]
    line = (f"{name}: limit mean {mean(seg(lims, 25, 40)):.0f} at 25-40 s (200 ms), min {min(seg(lims, 40, 80) or [0])} "
            f"and mean {mean(seg(lims, 40, 80)):.0f} at 40-80 s (400 ms), mean {mean(seg(lims, 100, 120)):.0f} at 100-120 s "
            f"(200 ms); admitted/s {mean(seg(admitted, 25, 40)):.0f} / {mean(seg(admitted, 40, 80)):.0f} / "
            f"{mean(seg(admitted, 100, 120)):.0f}; 429s {lim} (load1 {load})")
print(line)
open(f"{out}/summary.txt", "a").write(line + "\n")
PY
}

for s in ${SCENARIOS//,/ }; do
  case $s in
    i|i-fw|i-tb)
      alg=sliding-window; [ "$s" = i-fw ] && alg=fixed-window; [ "$s" = i-tb ] && alg=token-bucket
      csv_rows $((60 * DURATION + 2000))
      start_sim "$s" --latency 200ms --rate-limit 50 --rate-algorithm "$alg"
      echo "scenario $s: sim --rate-limit 50 --latency 200ms --rate-algorithm $alg; client --rate-limit none --concurrency auto, $DURATION s" >&2
      run_client "$s" "$DURATION" --rate-limit none --concurrency auto
      analyse "$s" ceiling "$DURATION" 50
      cleanup ;;
    ii)
      half=$((DURATION / 2))
      csv_rows $((6000 * half))
      start_sim "$s" --latency 200ms
      echo "scenario ii: no limit, 200 ms; auto and $FIXED, $half s each" >&2
      for setting in auto ${FIXED//,/ }; do
        if [ "$setting" = auto ]; then run_client "ii-auto" "$half" --rate-limit none --concurrency auto
        else run_client "ii-$setting" "$half" --rate-limit none --workers "${setting%x*}" --concurrency "${setting#*x}"; fi
        analyse "ii-$setting" throughput "$half" 0
      done
      cleanup ;;
    iii)
      csv_rows $((6000 * DURATION))
      start_sim "$s" --latency 200ms --latency-schedule 0s=200ms,40s=400ms,80s=200ms
      echo "scenario iii: no limit, latency 200 ms, 400 ms at 40-80 s, then 200 ms; auto, $DURATION s" >&2
      run_client "iii" "$DURATION" --rate-limit none --concurrency auto
      analyse "iii" schedule "$DURATION" 0
      cleanup ;;
    iv)
      csv_rows $((60 * DURATION + 2000))
      start_sim "$s" --latency 200ms --rate-limit 50
      echo "scenario iv: sim and client --rate-limit 50, auto, $DURATION s" >&2
      run_client "iv" "$DURATION" --rate-limit 50 --concurrency auto
      analyse "iv" ceiling "$DURATION" 50
      cleanup ;;
    *) echo "adaptive: unknown scenario $s" >&2; exit 2 ;;
  esac
done
echo
echo "== summary ($OUT/summary.txt)"
cat "$SUMMARY"
