#!/usr/bin/env bash
# Which HTTP client should ferry use? (issue 16, item 1) CPU per row of ferry's own HTTP/1.1 transport against a
# library transport, on workload (c) of run-peers.sh (no limit, 5 ms latency, 4 workers x 25 in flight, the
# client is CPU-bound), over http and over https. Whole processes under GNU time; the figure is (user + sys)
# CPU seconds per 10k rows, which a loaded, shared machine disturbs far less than wall time. Never part of the
# test suite.
#
#   benchmarks/transport-cpu.sh [-t http1,apache] [-s http,https] [-r REPEATS] [-n ROWS] [-o OUTDIR]
#
# Transports are chosen with -Dferry.http=NAME (FERRY_JAVA_OPTS). Only commit 12b8818 knows them (http1, apache =
# Apache HttpClient 5.6.5 classic, jdk): check it out to repeat the measurement of docs/ARCHITECTURE.md ("Kept
# over a library"); later builds have one transport and ignore the property, so both names measure the same.
# https: a self-signed certificate for 127.0.0.1 (keytool, made once in OUTDIR) served by `ferry sim
# --tls`, trusted by the client through -Djavax.net.ssl.trustStore (the same for every transport).
# Each (scheme, transport) pair is warmed once (a discarded run of ROWS/2 rows), then the transports alternate,
# REPEATS times. The simulator's /__stats proves each run created every user once.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/find-jdk.sh"
ferry_find_jdk
TRANSPORTS="http1 apache"; SCHEMES="http https"; REPEATS=3; ROWS=50000
OUT="$ROOT/benchmarks/results/transport-$(date +%Y%m%d-%H%M%S)"
while getopts "t:s:r:n:o:h" opt; do
  case $opt in
    t) TRANSPORTS=${OPTARG//,/ } ;; s) SCHEMES=${OPTARG//,/ } ;; r) REPEATS=$OPTARG ;; n) ROWS=$OPTARG ;;
    o) OUT=$OPTARG ;; h) sed -n '2,15p' "$0"; exit 0 ;; *) exit 2 ;;
  esac
done
FERRY="$ROOT/ferry"
mkdir -p "$OUT/data" "$OUT/logs"
. "$ROOT/benchmarks/sim-lib.sh"  # await_sim, RUNS_AWK
RAW="$OUT/raw.csv"
echo "scheme,transport,repeat,rows,wall_s,user_s,sys_s,users_created,load1" > "$RAW"
export WORKOS_SECRET_KEY=${WORKOS_SECRET_KEY:-sk_test_x}
"$FERRY" generate-users --rows "$ROWS" --orgs 0 --out "$OUT/data/users.csv" >/dev/null
head -n $((ROWS / 2 + 1)) "$OUT/data/users.csv" > "$OUT/data/warm.csv"
KS="$OUT/data/sim.p12"
if [ ! -f "$KS" ]; then
  "$JAVA_HOME/bin/keytool" -genkeypair -alias sim -keyalg EC -groupname secp256r1 -dname CN=127.0.0.1 \
    -ext SAN=ip:127.0.0.1,dns:localhost -validity 30 -storetype PKCS12 -keystore "$KS" -storepass changeit 2>/dev/null
fi
SIM_PID=""
stop_sim() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; fi; }
trap stop_sim EXIT
CURL_TLS=(--cacert /dev/null -k)
run() {  # $1 scheme, $2 transport, $3 repeat (0 = warm-up), $4 csv
  local dir="$OUT/data/run-$1-$2-$3" log="$OUT/logs/$1-$2-$3" rows
  rows=$(( $(wc -l < "$4") - 1 ))
  rm -rf "$dir"; mkdir -p "$dir"
  curl -fsk -X POST "$URL/__reset" >/dev/null
  local opts="-Dferry.http=$2"
  [ "$1" = https ] && opts="$opts -Djavax.net.ssl.trustStore=$KS -Djavax.net.ssl.trustStorePassword=changeit"
  local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
  FERRY_JAVA_OPTS="$opts" /usr/bin/time -o "$log.time" -f '%e %U %S' "$FERRY" import-users --csv "$4" \
    --job-id "t$RANDOM$RANDOM" --api-url "$URL" --workers 4 --concurrency 25 --rate-limit none \
    --checkpoint-dir "$dir" --progress never --json > "$log.out" 2> "$log.err" || echo "  run $1/$2/$3 failed: $log.err" >&2
  local created; created=$(curl -fsk "$URL/__stats" | grep -o '"users_created" *: *[0-9]*' | grep -o '[0-9]*$')
  read -r wall user sys < <(tail -n 1 "$log.time")
  if [ "$3" != 0 ]; then echo "$1,$2,$3,$rows,$wall,$user,$sys,$created,$load1" >> "$RAW"; fi
  printf '  %-5s %-7s rep %s: %6s rows %7ss wall, cpu %6.2fs = %5.2f s/10k rows, created %s, load %s\n' "$1" "$2" "$3" \
    "$rows" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')" \
    "$(awk -v u="$user" -v s="$sys" -v r="$rows" 'BEGIN{print (u + s) / r * 10000}')" "$created" "$load1" >&2
  rm -rf "$dir"
}
for scheme in $SCHEMES; do
  tls=(); [ "$scheme" = https ] && tls=(--tls "$KS")
  "$FERRY" sim --port 0 --latency 5ms "${tls[@]}" > "$OUT/logs/sim-$scheme.log" 2>&1 &
  SIM_PID=$!
  await_sim "$OUT/logs/sim-$scheme.log" "$SIM_PID" || { echo "transport-cpu: the simulator did not start" >&2; exit 1; }
  echo "$scheme: simulator $URL, $ROWS rows, transports: $TRANSPORTS" >&2
  for t in $TRANSPORTS; do run "$scheme" "$t" 0 "$OUT/data/warm.csv"; done
  order=($TRANSPORTS)
  for rep in $(seq 1 "$REPEATS"); do
    for t in "${order[@]}"; do run "$scheme" "$t" "$rep" "$OUT/data/users.csv"; done
    order=("${order[@]:1}" "${order[0]}")
  done
  stop_sim
done
{
  echo "| scheme | transport | runs | CPU s / 10k rows: median (min-max) | rows/s median | mean load1 |"
  echo "|---|---|---:|---:|---:|---:|"
  awk -F, "$RUNS_AWK"'
    END { for (x = 1; x <= nk; x++) { k = keys[x]; m = n[k]
      printf "| %s | %d | %.2f (%.2f-%.2f) | %.0f | %.2f |\n", k, m, med(c, k, m), lo(c, k, m), hi(c, k, m), med(r, k, m), l[k] / m } }' "$RAW"
} > "$OUT/summary.md"
cat "$OUT/summary.md"
