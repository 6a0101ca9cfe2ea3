#!/usr/bin/env bash
# A limit shared for a while (issue 14: "probe upward again after a refusal"): the README tour's job J1 learns the
# simulator's 500 writes per sliding 10 s alone (--rate-limit auto, its default), then a second import-users (J2, other
# users) competes for the same limit, stops, and J1 is watched on: how soon it is back near 50/s. Whole processes over
# real HTTP on 127.0.0.1. Prints J1's admitted requests a second, every 10 s, and a summary line. Never part of the
# test suite.
#
#   benchmarks/shared-limit.sh [-a SECONDS] [-c SECONDS] [-w SECONDS] [-o OUTDIR] [-b FERRY]
#
#   -a  J1 alone before J2 starts (default 40)
#   -c  J2 competing (default 60; stopped with SIGTERM, as Ctrl-C of a background job is ignored)
#   -w  J1 watched after J2 stopped (default 300; then stopped with SIGTERM)
#   -o  output folder (default benchmarks/results/shared-limit-<date>): j1.csv, j2.csv (--timeline), logs/
#   -b  the ferry launcher both imports run with (default this checkout's ./ferry; another checkout's to compare)
#
# Both jobs: --workers 4 --chunk-size 1000 --concurrency 10, one call a row (--orgs 0), against
# `ferry sim --latency 200ms --jitter 50ms --rate-limit 50` (the README tour's). Needs a JDK >= 21, curl, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRY=("$ROOT/ferry")
ALONE=40
COMPETE=60
WATCH=300
OUT="$ROOT/benchmarks/results/shared-limit-$(date +%Y%m%d-%H%M%S)"
while getopts "a:c:w:o:b:h" opt; do
  case $opt in
    a) ALONE=$OPTARG ;;
    c) COMPETE=$OPTARG ;;
    w) WATCH=$OPTARG ;;
    o) OUT=$OPTARG ;;
    b) FERRY=("$OPTARG") ;;
    h) sed -n '2,17p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "shared-limit: $tool is missing" >&2; exit 2; }
done
mkdir -p "$OUT/logs" "$OUT/data" "$OUT/j1" "$OUT/j2"
export WORKOS_SECRET_KEY=sk_test_shared_limit
SIM_PID=""
J1=""
J2=""
cleanup() {
  for p in $J2 $J1 $SIM_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  SIM_PID=""; J1=""; J2=""
}
trap cleanup EXIT
BENCH=shared-limit
# shellcheck source=sim-lib.sh
. "$ROOT/benchmarks/sim-lib.sh"

csv_rows 20000
# J2's users: other emails and external ids (the simulator refuses an external id already used)
awk -F, 'NR == 1 { print; next } { sub(/@/, "+j2@", $1); $5 = "j2-" $5 } 1' OFS=, "$CSV" > "$OUT/data/other.csv"
start_sim shared --latency 200ms --jitter 50ms --rate-limit 50

run_job() {  # $1 = job id, $2 = csv; run with &: the background subshell becomes the import (its pid is $!)
  cd "$OUT/${1,,}"  # its own checkpoint folder
  exec "${FERRY[@]}" import-users --csv "$2" --job-id "$1" --workers 4 --chunk-size 1000 --concurrency 10 \
    --api-url "$URL" --progress never --timeline "$OUT/${1,,}.csv" > "$OUT/logs/$1.log" 2>&1
}
run_job J1 "$CSV" &
J1=$!
sleep "$ALONE"
run_job J2 "$OUT/data/other.csv" &
J2=$!
sleep "$COMPETE"
kill -TERM "$J2"; wait "$J2" || true; J2=""
sleep "$WATCH"
kill -TERM "$J1"; wait "$J1" || true; J1=""

# J1's admitted requests a second (requests - rate_limited, per timeline line), every 10 s; the summary: its mean alone
# (from 10 s to J2's start), shared, in the last minute, and the first second after J2 stopped from which 10 s averaged
# at least 45/s (90 % of the limit).
python3 - "$OUT/j1.csv" "$OUT/j2.csv" "$ALONE" "$COMPETE" <<'EOF'
import csv, sys
def admitted(path):
    rows, out, prev = list(csv.DictReader(open(path))), [], None
    for r in rows:
        t, ok = float(r['elapsed_s']), int(r['requests']) - int(r['rate_limited'])
        if prev and t > prev[0]:
            out.append((t, (ok - prev[1]) / (t - prev[0]), int(r['rate_limited']), int(r['requests']), r['pace']))
        prev = (t, ok)
    return out
j1 = admitted(sys.argv[1])
alone, compete = float(sys.argv[3]), float(sys.argv[4])
start2 = alone  # J2 starts ALONE s after J1 (its own start-up comes on top)
stop2 = alone + compete
for i in range(0, len(j1), 10):
    seg = j1[i:i + 10]
    print("J1 %5.0f s  %5.1f admitted/s  429s %4d of %6d  pace %s" % (seg[-1][0], sum(x[1] for x in seg) / len(seg),
          seg[-1][2], seg[-1][3], seg[-1][4]))
mean = lambda a, b: (lambda s: sum(x[1] for x in s) / max(1, len(s)))([x for x in j1 if a <= x[0] < b])
end = j1[-1][0]
back = next((x[0] for i, x in enumerate(j1) if x[0] >= stop2 and i + 10 <= len(j1)
             and sum(y[1] for y in j1[i:i + 10]) / 10 >= 45), None)
print("SUMMARY J1 alone %.1f/s | shared %.1f/s | last minute %.1f/s | 45/s over 10 s from %s after J2 stopped | "
      "429s %d of %d" % (mean(10, start2), mean(start2 + 10, stop2), mean(end - 60, end),
                         "%.0f s" % (back - stop2) if back is not None else "never", j1[-1][2], j1[-1][3]))
EOF
