#!/bin/sh
# Time to first request of a resume: a 10,000,000-row job stopped at 90 % (issue 5, part 5: "starts sending
# within 2 s").
#
# 1. generates the CSV with `ferry generate-users` (once; kept in $DIR),
# 2. builds the state a real run leaves after kill -9 at 90 % (once; ferry-cli/src/test/java/dev/ferry/cli/StoppedJobMain):
#    the job planned by WorkosImport.plan (import-users planning), 9,000 chunks DONE with one DONE ledger row per
#    row (recordOutcomes in batches of 1,000 + completeChunk), 8 chunks still leased by the dead process with half
#    their rows recorded, the rest pending,
# 3. ROUNDS times: copies that state, runs `ferry resume` against `ferry sim`, stops it with SIGTERM once the
#    simulator saw a request (SIGINT would not do: a script's background jobs ignore it), and prints the
#    report's first_request_s (seconds from the process start, the ./ferry launcher included, to the first
#    HTTP request) and the process's CPU time.
#
# Usage: benchmarks/resume-10m.sh [--rows N] [--orgs N] [--rounds N] [--dir DIR] [--port PORT] [--keep]
#   FERRY_JAVA_OPTS is passed to the resumed JVM (e.g. -XX:StartFlightRecording=filename=/tmp/r.jfr,settings=profile).
# Needs ~3 GB in DIR for 10 M rows (CSV 0.55 GB with --orgs 0, state 0.63 GB, one copy of it).
set -eu
ROWS=10000000
ORGS=0
ROUNDS=3
DIR=/tmp/ferry-resume-10m
PORT=18290
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --orgs) ORGS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "resume-10m: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/find-jdk.sh"
ferry_find_jdk
FERRY="$ROOT/ferry"
JOB=R10M
mkdir -p "$DIR"
CSV="$DIR/users-$ROWS-$ORGS.csv"
PRISTINE="$DIR/pristine-$ROWS-$ORGS"

(cd "$ROOT" && ./mvnw -B -q package -DskipTests && ./mvnw -B -q test-compile) >&2

if [ ! -f "$CSV" ]; then
  "$FERRY" generate-users --rows "$ROWS" --orgs "$ORGS" --out "$CSV.tmp"
  mv "$CSV.tmp" "$CSV"
fi
if [ ! -f "$PRISTINE/done" ]; then
  rm -rf "$PRISTINE"
  /usr/bin/time -f "harness: %e s wall, %U s user, %S s sys, %M KB" "$JAVA_HOME/bin/java" \
    --enable-native-access=ALL-UNNAMED -Xmx256m -cp "$ROOT/target/ferry-all.jar:$ROOT/ferry-cli/target/test-classes" \
    dev.ferry.cli.StoppedJobMain "$CSV" "$PRISTINE" "$JOB" 0.9 8 "http://127.0.0.1:$PORT"
  touch "$PRISTINE/done"
fi
echo "input $(du -m "$CSV" | cut -f1) MB, state $(du -m "$PRISTINE/ferry.db" | cut -f1) MB"

if curl -s -o /dev/null "127.0.0.1:$PORT/"; then
  echo "resume-10m: port $PORT is in use (--port)" >&2; exit 1
fi
"$FERRY" sim --port "$PORT" --latency 5ms --rate-limit none >"$DIR/sim.log" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
i=0
until curl -sf "127.0.0.1:$PORT/__stats" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "resume-10m: the simulator did not start" >&2; exit 1; }
  sleep 0.2
done
requests() { curl -s "127.0.0.1:$PORT/__stats" | sed 's/.*"requests":\([0-9]*\).*/\1/'; }

r=1
while [ $r -le "$ROUNDS" ]; do
  rm -rf "$DIR/state"
  cp -r "$PRISTINE" "$DIR/state"
  before=$(requests)
  WORKOS_SECRET_KEY=sk_test_resume /usr/bin/time -o "$DIR/time.txt" -f "%e s wall %U s user %S s sys %M KB" \
    "$FERRY" resume "$JOB" --checkpoint-dir "$DIR/state" --workers 4 --concurrency 10 --rate-limit none \
      --progress never --quiet --report-json "$DIR/report.json" >"$DIR/resume.log" 2>&1 &
  RESUME=$!
  i=0
  while [ "$(requests)" = "$before" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { echo "resume-10m: no request after 60 s" >&2; kill $RESUME; exit 1; }
    sleep 0.1
  done
  sleep 1
  # time(1) is $RESUME; its child is ./ferry, which execs the JVM under the same pid
  kill -TERM $(pgrep -P $RESUME) 2>/dev/null || kill -TERM $RESUME
  wait $RESUME || true
  first=$(sed -n 's/.*"first_request_s" : \([0-9.]*\).*/\1/p' "$DIR/report.json")
  settled=$(sed -n 's/.*"rows_this_run" : \([0-9]*\).*/\1/p' "$DIR/report.json")
  echo "round $r: first_request_s $first  (process: $(tail -n 1 "$DIR/time.txt"); rows settled before the stop: $settled)"
  r=$((r + 1))
done
[ "$KEEP" = 1 ] || rm -rf "$DIR/state"
