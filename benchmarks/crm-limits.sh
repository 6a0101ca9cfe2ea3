#!/usr/bin/env bash
# A spec that reads before it writes (examples/jsonl-to-crm: a GET to find the contact, then a POST to create it)
# against `ferry sim` limiting writes only, 30 a second counted one way or another, with ferry told nothing about it.
# Measures what learning the limit reaches end to end: rows/s from the report (30 is the ceiling: one write a row),
# and the 429s the simulator served. Run it in two checkouts to compare builds. Never part of the test suite; run it
# on a quiet host.
#
#   benchmarks/crm-limits.sh [-n ROWS] [-r REPEATS] [-o OUTDIR]
#
# Runs: sliding 1 s and token bucket (1 s burst) with --rate-limit auto, and a bucket of 150 ms burst with
# --rate-limit none (the default of a spec target that states no limits).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=1200; REPEATS=1
OUT="$ROOT/benchmarks/results/crm-limits-$(date +%Y%m%d-%H%M%S)"
while getopts "n:r:o:h" opt; do
  case $opt in
    n) ROWS=$OPTARG ;; r) REPEATS=$OPTARG ;; o) OUT=$OPTARG ;;
    h) sed -n '2,11p' "$0"; exit 0 ;; *) exit 2 ;;
  esac
done
FERRY=("$ROOT/ferry"); BENCH=crm-limits; SIM_PID=""
mkdir -p "$OUT/logs" "$OUT/data"
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; fi; }
trap cleanup EXIT
. "$ROOT/benchmarks/sim-lib.sh"
INPUT="$OUT/data/contacts.jsonl"
for i in $(seq 1 "$ROWS"); do printf '{"id":"c%06d","email":"c%d@example.com","name":"Contact %d","plan":"pro"}\n' "$i" "$i" "$i"; done > "$INPUT"
export INPUT CRM_API_KEY=sk_test_bench
echo "| simulator (writes: 30 per 1 s) | --rate-limit | rows/s | % of 30 | 429s | load1 |"
echo "|---|---|---:|---:|---:|---:|"
run() {  # $1 limiter, $2 burst, $3 rate-limit
  start_sim "$1-$2" --rate-limit 30 --rate-window 1s --limiter "$1" --burst "$2" --latency 20ms
  rm -rf "$OUT/state"
  CRM_URL="$URL" "${FERRY[@]}" run "$ROOT/examples/jsonl-to-crm/job.yaml" --checkpoint-dir "$OUT/state" \
    --progress never --rate-limit "$3" --json > "$OUT/report.json" 2> "$OUT/logs/run-$1-$2-$3.log"
  local refused load rps
  refused=$(curl -fs "$URL/__stats" | grep -o '"rate_limited" *: *[0-9]*' | grep -o '[0-9]*$')
  load=$(cut -d' ' -f1 /proc/loadavg)
  rps=$(grep -o '"rows_per_s" *: *[0-9.]*' "$OUT/report.json" | head -1 | grep -o '[0-9.]*$')
  echo "| $1, burst $2 | $3 | $rps | $(awk -v r="$rps" 'BEGIN{printf "%.0f %%", r / 30 * 100}') | $refused | $load |"
  cleanup
}
for _ in $(seq 1 "$REPEATS"); do
  run sliding 1s auto
  run bucket 1s auto
  run bucket 150ms none
done
