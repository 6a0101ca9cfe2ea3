#!/bin/sh
# Memory of real imports (issue 5, part 4: "memory flat in input size; peak RSS at 1,000 rows in flight
# <= 256 MB with -Xmx128m; the state store stays compact").
#
#   big      ROWS (default 1,000,000) users, --orgs 0 (one user create a row; a membership a row would double
#            the requests and the simulator's memory), into `ferry sim --latency 5ms --rate-limit none`,
#            4 workers x 25 in flight, FERRY_JAVA_OPTS=-Xmx128m: wall, CPU, peak RSS, and the ledger's size
#            per million rows (ferry.db after the run).
#   inflight 20,000 users, --orgs 0, `ferry sim --latency 200ms --rate-limit none`, 4 workers x 250 = 1,000 rows
#            in flight (peers workload b), once with -Xmx128m and once without: peak RSS.
#   nmt      the inflight run with -Xmx128m and -XX:NativeMemoryTracking=summary; `jcmd PID VM.native_memory
#            summary` taken 6 s into the run (all 1,000 rows in flight), saved to DIR/nmt.txt.
#
# Usage: benchmarks/memory.sh [big] [inflight] [nmt]   (default: all three)
#   ROWS=N, DIR=..., PORT=..., EXTRA_OPTS="-Xss256k ..." (added to every FERRY_JAVA_OPTS) from the environment.
# Peak RSS is /usr/bin/time's %M of the ferry JVM (the ./ferry launcher execs it under the same pid).
set -eu
ROWS=${ROWS:-1000000}
DIR=${DIR:-/tmp/ferry-memory}
PORT=${PORT:-18295}
EXTRA_OPTS=${EXTRA_OPTS:-}
STEPS=${*:-big inflight nmt}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/find-jdk.sh"
ferry_find_jdk
FERRY="$ROOT/ferry"
mkdir -p "$DIR"
(cd "$ROOT" && ./mvnw -B -q package -DskipTests) >&2
export WORKOS_SECRET_KEY=sk_test_memory

SIM=
start_sim() {  # $1 latency
  if curl -s -o /dev/null "127.0.0.1:$PORT/"; then echo "memory: port $PORT is in use (PORT=)" >&2; exit 1; fi
  "$FERRY" sim --port "$PORT" --latency "$1" --rate-limit none >"$DIR/sim.log" 2>&1 &
  SIM=$!
  i=0
  until curl -sf "127.0.0.1:$PORT/__stats" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 150 ] || { echo "memory: the simulator did not start" >&2; exit 1; }
    sleep 0.2
  done
}
stop_sim() {
  [ -z "$SIM" ] || { kill "$SIM" 2>/dev/null || true; wait "$SIM" 2>/dev/null || true; SIM=; }
}
trap stop_sim EXIT

run_import() {  # $1 name, $2 csv, $3 workers, $4 concurrency, $5 java opts
  rm -rf "$DIR/state-$1"
  FERRY_JAVA_OPTS="$5 $EXTRA_OPTS" /usr/bin/time -o "$DIR/time-$1.txt" -f "%e s wall, %U s user, %S s sys, peak RSS %M KB" \
    "$FERRY" import-users --csv "$2" --job-id "$1" --checkpoint-dir "$DIR/state-$1" \
      --api-url "http://127.0.0.1:$PORT" --rate-limit none --workers "$3" --concurrency "$4" \
      --progress never --quiet --report-json "$DIR/report-$1.json" >"$DIR/out-$1.txt" 2>&1 || true
  rps=$(sed -n 's/.*"rows_per_s" : \([0-9.]*\).*/\1/p' "$DIR/report-$1.json")
  done_rows=$(sed -n 's/.*"done" : \([0-9]*\).*/\1/p' "$DIR/report-$1.json")
  echo "$1: FERRY_JAVA_OPTS='$5 $EXTRA_OPTS': $(tail -n 1 "$DIR/time-$1.txt"); done $done_rows, report $rps rows/s"
}

for step in $STEPS; do
  case "$step" in
    big)
      csv="$DIR/users-$ROWS.csv"
      [ -f "$csv" ] || "$FERRY" generate-users --rows "$ROWS" --orgs 0 --out "$csv" >/dev/null
      start_sim 5ms
      run_import big "$csv" 4 25 -Xmx128m
      db="$DIR/state-big/ferry.db"
      bytes=$(stat -c %s "$db")
      echo "big: ledger $db $((bytes / 1048576)) MB for $ROWS rows = $(awk -v b="$bytes" -v r="$ROWS" 'BEGIN { printf "%.1f", b / 1048576 / r * 1000000 }') MB per million rows"
      stop_sim
      ;;
    inflight)
      csv="$DIR/users-20000.csv"
      [ -f "$csv" ] || "$FERRY" generate-users --rows 20000 --orgs 0 --out "$csv" >/dev/null
      start_sim 200ms
      run_import inflight-xmx128 "$csv" 4 250 -Xmx128m
      curl -s -X POST "127.0.0.1:$PORT/__reset" >/dev/null
      run_import inflight-default "$csv" 4 250 ""
      stop_sim
      ;;
    nmt)
      csv="$DIR/users-20000.csv"
      [ -f "$csv" ] || "$FERRY" generate-users --rows 20000 --orgs 0 --out "$csv" >/dev/null
      start_sim 200ms
      run_import nmt "$csv" 4 250 "-Xmx128m -XX:NativeMemoryTracking=summary" &
      RUN=$!
      sleep 6
      pid=$(pgrep -f "ferry-all.jar import-users.*--job-id nmt " | head -n 1 || true)
      if [ -n "$pid" ]; then
        "$JAVA_HOME/bin/jcmd" "$pid" VM.native_memory summary > "$DIR/nmt.txt" 2>&1 || true
        grep -E "^Total|^-  *(Java Heap|Class|Thread|Code|GC|Compiler|Internal|Other|Symbol|Native Memory Tracking|Arena Chunk|Metaspace|Shared class space|Arguments|Module|Synchronizer|Serviceability|Safepoint|Object Monitors|Logging|Unknown|Tracing|Statistics|String Deduplication|Test)" "$DIR/nmt.txt" || cat "$DIR/nmt.txt"
      else
        echo "nmt: the run had ended before the snapshot"
      fi
      wait $RUN
      stop_sim
      ;;
    *) echo "memory: unknown step $step (big, inflight, nmt)" >&2; exit 2 ;;
  esac
done
