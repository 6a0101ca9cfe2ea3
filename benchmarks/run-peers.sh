#!/usr/bin/env bash
# Peer comparison (issue "Fast without tuning", part 2): ferry against a minimal JDK HttpClient loop,
# a fixed pool of platform threads, Spring Batch 6 and GNU parallel + curl, on the same CSV against the
# same simulator, whole processes measured with GNU time. Never part of the test suite.
#
#   benchmarks/run-peers.sh [-w a,b,c] [-r REPEATS] [-p PEERS] [-o OUTDIR]
#
#   -w  workloads (default a,b,c):
#         a  --rate-limit 50, 200 ms latency, 40 rows in flight, 1,500 rows (~30 s at the limit)
#         b  no limit, 200 ms latency, 1,000 rows in flight, 20,000 rows
#         c  no limit, 5 ms latency, 100 rows in flight, 50,000 rows (the client is CPU-bound)
#       Override row counts with ROWS_A, ROWS_B, ROWS_C; ROWS_SHELL caps the per-line curl peer (one
#       curl process per row, ~30 rows/s here) to the first rows of the same CSV (default 1,000).
#   -r  repeats per peer and workload (default 3); the order of the peers rotates between repeats
#   -p  peers (default all): ferry ferry-budget ferry-auto ferry-w20 minimal platform spring parallel-curl
#       parallel-curl-batched; ferry-budget (a only) is ferry with its defaults (--concurrency auto) told
#       the simulator's limit as the budget it counts, --rate-limit 500/10s (WorkOS's terms), not a rate;
#       ferry-auto runs only when this ferry accepts --concurrency auto; ferry-w20
#       (b only) is ferry with 20 workers x 50, one 1,000-row chunk each, to show the chunk barrier;
#       minimal-keys (not in the default) is the minimal loop sending an Idempotency-Key per row as ferry does;
#       ferry-default (not in the default) is ferry with no flag but the input and the URL (every default)
#   -o  output folder (default benchmarks/results/peers-<date>): raw.csv (one line a run),
#       peers.md (the medians), logs/
#
# For each workload one simulator (`ferry sim`, its own JVM) is started; POST /__reset gives every run
# a fresh state, and GET /__stats after the run gives users_created and rate_limited (429s served).
# Each client runs under `/usr/bin/time -f '%e %U %S %M'`: wall seconds, user and system CPU seconds
# (children included: curl processes count for parallel + curl), max RSS in KB (of the largest single
# process: for parallel + curl this is not the sum of its processes). rows/s = rows / wall seconds of
# the whole process (JVM start, planning and shutdown included); CPU s per 10k rows = (user + sys) /
# rows x 10,000. The simulator's own CPU per run is read from /proc and reported apart.
#
# Needs: a JDK >= 21 (found as ./ferry finds it), GNU time, GNU parallel, curl
# (apt-get install -y time parallel curl).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/find-jdk.sh"
ferry_find_jdk
JAVA="$JAVA_HOME/bin/java"
FERRY_JAR="$ROOT/target/ferry-all.jar"
PEERS_DIR="$ROOT/benchmarks/peers"
PEERS_JAR="$PEERS_DIR/target/ferry-peers-all.jar"
SHELL_PEER="$PEERS_DIR/parallel-curl.sh"

WORKLOADS=a,b,c
REPEATS=3
PEERS="ferry ferry-budget ferry-auto ferry-w20 minimal platform spring parallel-curl parallel-curl-batched"
OUT="$ROOT/benchmarks/results/peers-$(date +%Y%m%d-%H%M%S)"
while getopts "w:r:p:o:h" opt; do
  case $opt in
    w) WORKLOADS=$OPTARG ;;
    r) REPEATS=$OPTARG ;;
    p) PEERS=${OPTARG//,/ } ;;
    o) OUT=$OPTARG ;;
    h) sed -n '2,33p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done

for tool in /usr/bin/time parallel curl; do
  command -v "$tool" >/dev/null || { echo "run-peers: $tool is missing (apt-get install -y time parallel curl)" >&2; exit 2; }
done
if [ ! -f "$FERRY_JAR" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT"/ferry-*/pom.xml "$ROOT"/ferry-*/src/main -newer "$FERRY_JAR" -print -quit)" ]; then
  echo "run-peers: building ferry" >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package) >&2
fi
if [ ! -f "$PEERS_JAR" ] || [ -n "$(find "$PEERS_DIR/src" "$PEERS_DIR/pom.xml" -newer "$PEERS_JAR" -print -quit)" ]; then
  echo "run-peers: building the Java peers" >&2
  (cd "$ROOT" && ./mvnw -B -q -f benchmarks/peers/pom.xml package) >&2
fi
FERRY=("$ROOT/ferry")   # the launcher users run (it execs java, so GNU time measures the JVM)
if "${FERRY[@]}" import-users --help 2>/dev/null | grep -A2 -- '--concurrency' | grep -qi auto; then
  HAS_AUTO=1
else
  HAS_AUTO=0
fi

mkdir -p "$OUT/logs" "$OUT/data"
. "$ROOT/benchmarks/sim-lib.sh"  # await_sim
RAW="$OUT/raw.csv"
echo "workload,peer,repeat,rows,wall_s,user_s,sys_s,maxrss_kb,users_created,rate_limited,max_in_flight,sim_cpu_s,load1" > "$RAW"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"   # 1,000 connections on each side
export WORKOS_SECRET_KEY=${WORKOS_SECRET_KEY:-sk_test_x}
CLK_TCK=$(getconf CLK_TCK)

# ---- workloads: latency, limit (none or req/s), rows, rows in flight, ferry W x C, batched-curl shape
workload() {
  case $1 in
    a) LATENCY=200ms; LIMIT=50;   ROWS=${ROWS_A:-1500};  INFLIGHT=40;   FW=4;  FC=10;  BJ=0;  BM=0;   BB=0 ;;
    b) LATENCY=200ms; LIMIT=none; ROWS=${ROWS_B:-20000}; INFLIGHT=1000; FW=4;  FC=250; BJ=10; BM=100; BB=500 ;;
    c) LATENCY=5ms;   LIMIT=none; ROWS=${ROWS_C:-50000}; INFLIGHT=100;  FW=4;  FC=25;  BJ=4;  BM=25;  BB=1000 ;;
    *) echo "run-peers: unknown workload $1" >&2; exit 2 ;;
  esac
}

SIM_PID=""
stop_sim() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; fi
}
trap stop_sim EXIT

start_sim() {  # $1 = log file
  local limit_flag=()
  [ "$LIMIT" != none ] && limit_flag=(--rate-limit "$LIMIT")
  "${FERRY[@]}" sim --port 0 --latency "$LATENCY" "${limit_flag[@]}" > "$1" 2>&1 &
  SIM_PID=$!
  await_sim "$1" "$SIM_PID" && return 0
  stop_sim
  echo "run-peers: the simulator did not start (see $1)" >&2
  exit 1
}

sim_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SIM_PID/stat"; }
sim_jit_ticks() {  # CPU ticks of the simulator's JIT compiler threads (C1/C2 CompilerThreadN)
  local t sum=0
  for t in /proc/"$SIM_PID"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in
      C[12]\ CompilerThre*) sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$sum"
}
stat_of() { grep -o "\"$1\" *: *[0-9]*" <<<"$2" | head -n 1 | grep -o '[0-9]*$' || echo 0; }

# peer_command PEER CSV ROWS JOBDIR -> sets CMD (array); returns 1 when the peer does not apply
peer_command() {
  local peer=$1 csv=$2 dir=$3 rate_java=() ferry_rate=(--rate-limit none)
  if [ "$LIMIT" != none ]; then rate_java=(--rate "$LIMIT"); ferry_rate=(--rate-limit "$LIMIT"); fi
  local common=(--csv "$csv" --url "$URL" --concurrency "$INFLIGHT" "${rate_java[@]}")
  case $peer in
    ferry|ferry-budget|ferry-auto|ferry-w20)
      local workers=$FW conc=$FC
      if [ "$peer" = ferry-budget ]; then
        [ "$LIMIT" != none ] && [ "$HAS_AUTO" = 1 ] || return 1
        ferry_rate=(--rate-limit "$((LIMIT * 10))/10s")  # the simulator's window is 10 s (ferry sim's default)
        conc=auto
      fi
      if [ "$peer" = ferry-auto ]; then [ "$HAS_AUTO" = 1 ] || return 1; conc=auto; fi
      if [ "$peer" = ferry-w20 ]; then [ "$w" = b ] || return 1; workers=20; conc=50; fi
      CMD=("${FERRY[@]}" import-users --csv "$csv" --job-id "peers-$RANDOM$RANDOM" --api-url "$URL"
           --workers "$workers" --concurrency "$conc" "${ferry_rate[@]}" --checkpoint-dir "$dir"
           --progress never --json) ;;
    ferry-default)  # no flag but the input and the URL: the defaults (--concurrency auto, --rate-limit auto)
      CMD=("${FERRY[@]}" import-users --csv "$csv" --job-id "peers-$RANDOM$RANDOM" --api-url "$URL"
           --checkpoint-dir "$dir" --progress never --json) ;;
    minimal)  CMD=("$JAVA" -cp "$PEERS_JAR" dev.ferry.peers.MinimalLoop "${common[@]}") ;;
    minimal-keys) CMD=("$JAVA" -cp "$PEERS_JAR" dev.ferry.peers.MinimalLoop "${common[@]}" --idempotency-keys true) ;;
    platform) CMD=("$JAVA" -cp "$PEERS_JAR" dev.ferry.peers.PlatformPool "${common[@]}") ;;
    spring)   CMD=("$JAVA" -cp "$PEERS_JAR" dev.ferry.peers.SpringBatchPeer "${common[@]}" --chunk 10) ;;
    parallel-curl)
      local rate=()
      [ "$LIMIT" != none ] && rate=("$LIMIT")
      CMD=("$SHELL_PEER" per-line "$csv" "$URL" "$INFLIGHT" "${rate[@]}") ;;
    parallel-curl-batched)
      [ "$LIMIT" = none ] || return 1
      CMD=("$SHELL_PEER" batched "$csv" "$URL" "$BJ" "$BM" "$BB") ;;
    *) echo "run-peers: unknown peer $peer" >&2; exit 2 ;;
  esac
}

run_one() {  # $1 workload, $2 peer, $3 repeat, $4 csv, $5 rows
  local w=$1 peer=$2 rep=$3 csv=$4 rows=$5 dir="$OUT/data/$1-$2-$3" log="$OUT/logs/$1-$2-$3"
  rm -rf "$dir"; mkdir -p "$dir"
  peer_command "$peer" "$csv" "$dir" || return 0
  curl -fs -X POST "$URL/__reset" >/dev/null
  local load1 t0 t1 stats
  load1=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(sim_cpu_ticks)
  if ! /usr/bin/time -o "$log.time" -f '%e %U %S %M' "${CMD[@]}" > "$log.out" 2> "$log.err"; then
    echo "run-peers: $peer on $w (repeat $rep) failed; see $log.err" >&2
  fi
  t1=$(sim_cpu_ticks)
  stats=$(curl -fs "$URL/__stats")
  echo "$stats" > "$log.stats.json"
  local created limited maxin
  created=$(stat_of users_created "$stats"); limited=$(stat_of rate_limited "$stats"); maxin=$(stat_of max_in_flight "$stats")
  read -r wall user sys rss < <(tail -n 1 "$log.time")
  local sim_cpu
  sim_cpu=$(awk -v a="$t0" -v b="$t1" -v h="$CLK_TCK" 'BEGIN{printf "%.2f", (b - a) / h}')
  echo "$w,$peer,$rep,$rows,$wall,$user,$sys,$rss,$created,$limited,$maxin,$sim_cpu,$load1" >> "$RAW"
  printf '  %-22s rep %s: %6s rows in %7ss  cpu %6.2fs  rss %5d MB  created %6s  429s %s  (sim cpu %ss, load %s)\n' \
    "$peer" "$rep" "$rows" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')" $((rss / 1024)) \
    "$created" "$limited" "$sim_cpu" "$load1" >&2
  if [ "$created" != "$rows" ]; then echo "  !! $peer created $created of $rows rows" >&2; fi
}

for w in ${WORKLOADS//,/ }; do
  workload "$w"
  csv="$OUT/data/users-$w.csv"
  "${FERRY[@]}" generate-users --rows "$ROWS" --orgs 0 --out "$csv" >/dev/null
  shell_rows=$ROWS
  if [ "${ROWS_SHELL:-1000}" -lt "$ROWS" ]; then shell_rows=${ROWS_SHELL:-1000}; fi
  shell_csv="$OUT/data/users-$w-shell.csv"
  head -n $((shell_rows + 1)) "$csv" > "$shell_csv"
  start_sim "$OUT/logs/sim-$w.log"
  echo "workload $w: latency $LATENCY, limit $LIMIT, $ROWS rows, $INFLIGHT in flight, sim $URL" >&2
  # Warm the simulator's JIT (idempotency keys included, as ferry sends them) so the first peer does not pay
  # for it; under a limit, then wait out the 10 s counting window so the first peer starts with it empty.
  # Without a limit one pass is not enough: after 5,000 (or even 50,000) rows the JIT compiler threads still
  # burn 1-3 CPU s during the next 50,000 rows, which doubled the simulator CPU charged to whichever peer ran
  # first (measured 5.2-6.2 s first vs 2.4-3.1 s later, for ferry and the minimal loop alike). So warm in
  # passes until one pass costs the compiler threads less than 0.1 s (at most 8 passes).
  warm_rows=5000; warm_rate=()
  if [ "$LIMIT" != none ]; then warm_rows=300; warm_rate=(--rate "$LIMIT"); fi
  head -n $((warm_rows + 1)) "$csv" > "$OUT/data/warmup.csv"
  for pass in 1 2 3 4 5 6 7 8; do
    jit0=$(sim_jit_ticks)
    "$JAVA" -cp "$PEERS_JAR" dev.ferry.peers.MinimalLoop --csv "$OUT/data/warmup.csv" --url "$URL" \
      --concurrency "$INFLIGHT" "${warm_rate[@]}" --idempotency-keys true > /dev/null
    curl -fs -X POST "$URL/__reset" >/dev/null
    jit=$(( $(sim_jit_ticks) - jit0 ))
    echo "  warm-up pass $pass: $warm_rows rows, simulator JIT $(awk -v t="$jit" -v h="$CLK_TCK" 'BEGIN{printf "%.2f", t / h}') CPU s" >&2
    if [ "$LIMIT" != none ] || [ "$jit" -lt $((CLK_TCK / 10)) ]; then break; fi
    if [ "$pass" = 1 ]; then
      warm_rows=$((ROWS < 20000 ? ROWS : 20000))
      head -n $((warm_rows + 1)) "$csv" > "$OUT/data/warmup.csv"
    fi
  done
  [ "$LIMIT" = none ] || sleep 11
  read -r -a order <<<"$PEERS"
  for rep in $(seq 1 "$REPEATS"); do
    for peer in "${order[@]}"; do
      if [ "$peer" = parallel-curl ]; then run_one "$w" "$peer" "$rep" "$shell_csv" "$shell_rows"
      else run_one "$w" "$peer" "$rep" "$csv" "$ROWS"; fi
    done
    order=("${order[@]:1}" "${order[0]}")   # rotate, so no peer always runs first
  done
  stop_sim
done

# ---- medians per workload and peer
{
  echo "| workload | peer | rows | rows/s | CPU s / 10k rows | peak RSS MB | 429s | sim CPU s / 10k rows | runs |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F, 'NR > 1 { k = $1 SUBSEP $2; n[k]++; i = n[k]
      rps[k, i] = $4 / $5; cpu[k, i] = ($6 + $7) / $4 * 10000; rss[k, i] = $8 / 1024; lim[k, i] = $10
      sim[k, i] = $12 / $4 * 10000; rows[k] = $4; if (!(k in seen)) { seen[k] = 1; keys[++nk] = k } }
    function median(a, k, m,   v, j, c, t) {
      for (j = 1; j <= m; j++) v[j] = a[k, j]
      for (j = 2; j <= m; j++) { t = v[j]; c = j - 1; while (c > 0 && v[c] > t) { v[c + 1] = v[c]; c-- } v[c + 1] = t }
      return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
    function range(a, k, m,   j, lo, hi) { lo = hi = a[k, 1]
      for (j = 2; j <= m; j++) { if (a[k, j] < lo) lo = a[k, j]; if (a[k, j] > hi) hi = a[k, j] }
      return sprintf("%.0f–%.0f", lo, hi) }
    END { for (x = 1; x <= nk; x++) { k = keys[x]; split(k, p, SUBSEP); m = n[k]
        printf "| %s | %s | %d | %.1f (%s) | %.2f | %.0f | %s | %.2f | %d |\n", p[1], p[2], rows[k],
          median(rps, k, m), range(rps, k, m), median(cpu, k, m), median(rss, k, m), median(lim, k, m),
          median(sim, k, m), m } }' "$RAW"
} > "$OUT/peers.md"
cat "$OUT/peers.md"
echo "run-peers: raw runs in $RAW, logs in $OUT/logs" >&2
