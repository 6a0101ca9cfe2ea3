#!/usr/bin/env bash
# Learning the limit, side by side (issue 14): for each target of the issue's table, ferry's default (no flag but
# the target's URL: --rate-limit auto) against ferry told the right setting, whole processes over real HTTP on
# 127.0.0.1 (`ferry sim` + `ferry import-users`, one call per row). Prints one table row per run: rows/s of the
# whole process (start to exit), % of the ceiling, 429s as % of requests. Never part of the test suite.
#
#   benchmarks/learning.sh [-t TARGETS] [-s SCALE] [-o OUTDIR] [-r] [-b FERRY]
#
#   -t  targets (default sliding,fixed,bucket,ietf,nolimit):
#         sliding  500 writes per sliding 10 s (WorkOS, the simulator's default), 200 ms; told --rate-limit 50
#         fixed    200 writes per fixed 1 s window, 50 ms; told --rate-limit 200
#         fixed2   200 writes per fixed 2 s window, 50 ms; told --rate-limit 200/2s (not in the default set)
#         bucket   a token bucket of 100/s (1 s burst), 50 ms; told --rate-limit 100
#         ietf     300 per fixed 1 s window with RateLimit-Policy/RateLimit headers, 50 ms; told --rate-limit 300
#         nolimit  no limit, 200 ms, 20,000 rows; told --rate-limit none --workers 4 --concurrency 250
#   -s  scales every target's rows (default 1: jobs of ~30 s at the ceiling; 0.1 for a quick check)
#   -o  output folder (default benchmarks/results/learning-<date>): table.md, logs/
#   -r  the simulator's 429s carry no Retry-After (`ferry sim --no-retry-after`): the default learns the wait too
#   -b  the ferry launcher the imports run with (default this checkout's ./ferry; another checkout's, to compare two
#       builds side by side against the same simulator)
#
# The ceiling is the simulator's limit in rows/s; for nolimit, the told run's rows/s. Each run gets a fresh
# simulator state (POST /__reset) and checkpoint directory; the 1-minute load average is printed with each row:
# on a shared host, repeat a row whose load was high.
# Needs: a JDK >= 21 (found as ./ferry finds it), curl, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRY=("$ROOT/ferry")
TARGETS=sliding,fixed,bucket,ietf,nolimit
SCALE=1
OUT="$ROOT/benchmarks/results/learning-$(date +%Y%m%d-%H%M%S)"
SIM_FLAGS=()
IMPORT=("$ROOT/ferry")
while getopts "t:s:o:rb:h" opt; do
  case $opt in
    t) TARGETS=$OPTARG ;;
    s) SCALE=$OPTARG ;;
    o) OUT=$OPTARG ;;
    r) SIM_FLAGS+=(--no-retry-after) ;;
    b) IMPORT=("$OPTARG") ;;
    h) sed -n '2,26p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "learning: $tool is missing" >&2; exit 2; }
done
mkdir -p "$OUT/logs" "$OUT/data"
export WORKOS_SECRET_KEY=sk_test_learning
SIM_PID=""

cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  SIM_PID=""
}
trap cleanup EXIT

BENCH=learning
# shellcheck source=sim-lib.sh
. "$ROOT/benchmarks/sim-lib.sh"

TABLE="$OUT/table.md"
echo "| target | run | rows | rows/s | % of ceiling | 429s | load1 |" > "$TABLE"
echo "|---|---|---:|---:|---:|---:|---:|" >> "$TABLE"
cat "$TABLE"

# run NAME TARGET ROWS CEILING import-flags...: one whole import of the first ROWS rows; prints a table row and
# sets LAST_RATE (rows/s)
run() {
  local name=$1 target=$2 rows=$3 ceiling=$4; shift 4
  local dir="$OUT/data/$name" input="$OUT/data/$name.csv"
  rm -rf "$dir"; mkdir -p "$dir"
  head -n $((rows + 1)) "$CSV" > "$input"
  curl -fs -X POST "$URL/__reset" >/dev/null
  local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
  local start end
  start=$(date +%s.%N)
  "${IMPORT[@]}" import-users --csv "$input" --job-id "$name" --api-url "$URL" --checkpoint-dir "$dir" \
      --progress never --json "$@" > "$OUT/logs/$name.json" 2> "$OUT/logs/$name.err" || true
  end=$(date +%s.%N)
  curl -fs "$URL/__stats" > "$OUT/logs/$name.stats.json"
  LAST_RATE=$(python3 - "$start" "$end" "$rows" "$ceiling" "$OUT/logs/$name.stats.json" "$target" "$name" "$load1" "$TABLE" <<'PY'
import json, sys
start, end, rows, ceiling, stats, target, name, load1, table = sys.argv[1:]
s = json.load(open(stats))
wall = float(end) - float(start)
rate = int(rows) / wall
ceiling = float(ceiling) if float(ceiling) > 0 else rate
requests = max(1, s.get("requests", 0))
row = "| %s | %s | %d | %.1f | %.1f %% | %.2f %% | %s |" % (target, name, s.get("users_created", 0), rate,
    100 * rate / ceiling, 100 * s.get("rate_limited", 0) / requests, load1)
print(row, file=sys.stderr)
open(table, "a").write(row + "\n")
print("%.3f" % rate)
PY
)
}

rows_of() { python3 -c "import sys; print(max(20, int(float(sys.argv[1]) * float(sys.argv[2]))))" "$1" "$SCALE"; }

for t in ${TARGETS//,/ }; do
  case $t in
    sliding)
      n=$(rows_of 1500); csv_rows "$n"
      start_sim "$t" "${SIM_FLAGS[@]}" --latency 200ms --rate-limit 50 --rate-window 10s --limiter sliding
      run "$t-default" "500 per sliding 10 s, 200 ms" "$n" 50
      run "$t-told" "500 per sliding 10 s, 200 ms" "$n" 50 --rate-limit 50 ;;
    fixed)
      n=$(rows_of 6000); csv_rows "$n"
      start_sim "$t" "${SIM_FLAGS[@]}" --latency 50ms --rate-limit 200 --rate-window 1s --limiter fixed
      run "$t-default" "200 per fixed 1 s, 50 ms" "$n" 200
      run "$t-told" "200 per fixed 1 s, 50 ms" "$n" 200 --rate-limit 200 ;;
    fixed2)
      n=$(rows_of 3000); csv_rows "$n"
      start_sim "$t" "${SIM_FLAGS[@]}" --latency 50ms --rate-limit 100 --rate-window 2s --limiter fixed
      run "$t-default" "200 per fixed 2 s, 50 ms" "$n" 100
      run "$t-told" "200 per fixed 2 s, 50 ms" "$n" 100 --rate-limit 200/2s ;;
    bucket)
      n=$(rows_of 3000); csv_rows "$n"
      start_sim "$t" "${SIM_FLAGS[@]}" --latency 50ms --rate-limit 100 --limiter bucket --burst 1s
      run "$t-default" "token bucket 100/s, 50 ms" "$n" 100
      run "$t-told" "token bucket 100/s, 50 ms" "$n" 100 --rate-limit 100 ;;
    ietf)
      n=$(rows_of 9000); csv_rows "$n"
      start_sim "$t" "${SIM_FLAGS[@]}" --latency 50ms --rate-limit 300 --rate-window 1s --limiter fixed --rate-headers ietf
      run "$t-default" "300 per fixed 1 s + IETF headers, 50 ms" "$n" 300
      run "$t-told" "300 per fixed 1 s + IETF headers, 50 ms" "$n" 300 --rate-limit 300 ;;
    nolimit)
      n=$(rows_of 20000); csv_rows "$n"
      start_sim "$t" "${SIM_FLAGS[@]}" --latency 200ms
      run "$t-told" "no limit, 200 ms" "$n" 0 --rate-limit none --workers 4 --concurrency 250
      told=$LAST_RATE
      run "$t-default" "no limit, 200 ms" "$n" "$told"
      run "$t-none" "no limit, 200 ms" "$n" "$told" --rate-limit none ;;
    *) echo "learning: unknown target $t" >&2; exit 2 ;;
  esac
  cleanup
done
echo "table: $TABLE" >&2
