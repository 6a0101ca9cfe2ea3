#!/usr/bin/env bash
# Can `ferry import-users` become a front for the built-in spec `workos-import`? (issue 12, item 7: "per-row CPU of
# an import and dry-run rows/s within 10 % of today's, measured side by side"). Two paths over the same CSV:
#   import  ferry import-users --csv users.csv --create-org-if-missing ...
#   spec    ferry spec show workos-import > workos-import.yaml; INPUT=users.csv CREATE_ORG_IF_MISSING=true \
#           ferry run workos-import.yaml ...
# (a) import: against `ferry sim --latency 5ms`, 4 workers x 25 in flight, no rate limit (the client is CPU-bound),
#     users over 10 organizations (one membership each); the figure is (user + sys) CPU seconds per 10k rows of the
#     whole process under GNU time, which a loaded machine disturbs far less than wall time. The simulator's
#     /__stats proves each run created every user once.
# (b) dry run: --dry-run of the same CSV, nothing sent; the figure is rows/s (wall) and CPU s per 10k rows.
# Each (workload, path) is warmed once (a discarded run of ROWS/2 rows), then the paths alternate, REPEATS times;
# the summary gives medians and spec/import ratios. Never part of the test suite. Run it on a quiet host.
#
#   benchmarks/import-vs-spec.sh [-r REPEATS] [-n ROWS] [-d DRY_ROWS] [-o OUTDIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEATS=3; ROWS=50000; DRY_ROWS=200000
OUT="$ROOT/benchmarks/results/import-vs-spec-$(date +%Y%m%d-%H%M%S)"
while getopts "r:n:d:o:h" opt; do
  case $opt in
    r) REPEATS=$OPTARG ;; n) ROWS=$OPTARG ;; d) DRY_ROWS=$OPTARG ;; o) OUT=$OPTARG ;;
    h) sed -n '2,16p' "$0"; exit 0 ;; *) exit 2 ;;
  esac
done
FERRY="$ROOT/ferry"
mkdir -p "$OUT/data" "$OUT/logs"
RAW="$OUT/raw.csv"
echo "workload,path,repeat,rows,wall_s,user_s,sys_s,users_created,load1" > "$RAW"
export WORKOS_SECRET_KEY=${WORKOS_SECRET_KEY:-sk_test_x}
"$FERRY" generate-users --rows "$ROWS" --orgs 10 --out "$OUT/data/users.csv" >/dev/null
"$FERRY" generate-users --rows "$DRY_ROWS" --orgs 10 --out "$OUT/data/dry.csv" >/dev/null
head -n $((ROWS / 2 + 1)) "$OUT/data/users.csv" > "$OUT/data/warm.csv"
head -n $((DRY_ROWS / 2 + 1)) "$OUT/data/dry.csv" > "$OUT/data/warm-dry.csv"
"$FERRY" spec show workos-import > "$OUT/data/workos-import.yaml"
SIM_PID=""
stop_sim() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; fi; }
trap stop_sim EXIT
"$FERRY" sim --port 0 --latency 5ms > "$OUT/logs/sim.log" 2>&1 &
SIM_PID=$!
. "$ROOT/benchmarks/sim-lib.sh"  # await_sim
await_sim "$OUT/logs/sim.log" "$SIM_PID" || { echo "import-vs-spec: the simulator did not start (see $OUT/logs/sim.log)" >&2; exit 1; }

run() {  # $1 workload (import|dry), $2 path (import|spec), $3 repeat (0 = warm-up), $4 csv
  local dir="$OUT/data/run-$1-$2-$3" log="$OUT/logs/$1-$2-$3" rows dry=() job="b$RANDOM$RANDOM"
  rows=$(( $(wc -l < "$4") - 1 ))
  rm -rf "$dir"; mkdir -p "$dir"
  curl -fs -X POST "$URL/__reset" >/dev/null
  [ "$1" = dry ] && dry=(--dry-run)
  local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
  local common=(--job-id "$job" --workers 4 --concurrency 25 --rate-limit none --checkpoint-dir "$dir"
    --progress never --quiet --json "${dry[@]}")
  if [ "$2" = import ]; then
    /usr/bin/time -o "$log.time" -f '%e %U %S' "$FERRY" import-users --csv "$4" --api-url "$URL" \
      --create-org-if-missing "${common[@]}" > "$log.out" 2> "$log.err" || true
  else
    INPUT="$4" WORKOS_API_URL="$URL" CREATE_ORG_IF_MISSING=true /usr/bin/time -o "$log.time" -f '%e %U %S' \
      "$FERRY" run "$OUT/data/workos-import.yaml" "${common[@]}" > "$log.out" 2> "$log.err" || true
  fi
  grep -q '"status" *: *"finished"' "$log.out" || echo "  run $1/$2/$3 did not finish: $log.err" >&2
  local created; created=$(curl -fs "$URL/__stats" | grep -o '"users_created" *: *[0-9]*' | grep -o '[0-9]*$')
  read -r wall user sys < <(tail -n 1 "$log.time")
  if [ "$3" != 0 ]; then echo "$1,$2,$3,$rows,$wall,$user,$sys,$created,$load1" >> "$RAW"; fi
  printf '  %-6s %-6s rep %s: %7s rows %7ss wall = %8.0f rows/s, cpu %6.2fs = %5.2f s/10k rows, created %s, load %s\n' \
    "$1" "$2" "$3" "$rows" "$wall" "$(awk -v w="$wall" -v r="$rows" 'BEGIN{print r / w}')" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')" \
    "$(awk -v u="$user" -v s="$sys" -v r="$rows" 'BEGIN{print (u + s) / r * 10000}')" "$created" "$load1" >&2
  rm -rf "$dir"
}

for workload in import dry; do
  csv="$OUT/data/users.csv"; warm="$OUT/data/warm.csv"
  [ "$workload" = dry ] && { csv="$OUT/data/dry.csv"; warm="$OUT/data/warm-dry.csv"; }
  echo "$workload: simulator $URL, $(( $(wc -l < "$csv") - 1 )) rows, $REPEATS repeats" >&2
  for p in import spec; do run "$workload" "$p" 0 "$warm"; done
  order=(import spec)
  for rep in $(seq 1 "$REPEATS"); do
    for p in "${order[@]}"; do run "$workload" "$p" "$rep" "$csv"; done
    order=("${order[@]:1}" "${order[0]}")
  done
done
stop_sim
{
  echo "| workload | path | runs | CPU s / 10k rows: median (min-max) | rows/s median | mean load1 |"
  echo "|---|---|---:|---:|---:|---:|"
  awk -F, "$RUNS_AWK"'
    END { for (x = 1; x <= nk; x++) { k = keys[x]; m = n[k]; mc[k] = med(c, k, m); mr[k] = med(r, k, m)
        printf "| %s | %d | %.2f (%.2f-%.2f) | %.0f | %.2f |\n", k, m, mc[k], lo(c, k, m), hi(c, k, m), mr[k], l[k] / m }
      print ""
      printf "spec / import: import CPU per row %.1f %%, dry-run rows/s %.1f %%, dry-run CPU per row %.1f %%\n",
        100 * mc["import | spec"] / mc["import | import"], 100 * mr["dry | spec"] / mr["dry | import"],
        100 * mc["dry | spec"] / mc["dry | import"]
      ok = mc["import | spec"] <= 1.1 * mc["import | import"] && mr["dry | spec"] >= 0.9 * mr["dry | import"]
      print ok ? "within 10 %: the front may switch (if every import test passes through the spec path)" \
               : "NOT within 10 %: keep import-users on its own path" }' "$RAW"
} > "$OUT/summary.md"
cat "$OUT/summary.md"
