#!/usr/bin/env bash
# Chaos run of the WorkOS import: kill -9 at random moments, resume, repeat; then prove exactly-once.
#
# Starts `ferry sim` as its own process, generates ROWS users (one membership each, ORGS organizations),
# then CYCLES times starts the import (or resumes it) with a random worker count and kills it with SIGKILL
# after a random delay; a last resume finishes the job. PASS when the simulator holds exactly ROWS users
# and ROWS memberships, duplicate_creations is 0 and the job's ledger says done = rows.
#
# Usage: scripts/chaos.sh [--port PORT] [--rows N] [--orgs N] [--cycles N] [--max-delay SECONDS]
#                         [--seed N] [--latency DURATION] [--keep]
# Defaults: port 18080, 100000 rows, 100 orgs, 20 cycles, kill 0-8 s after launch (every 4th cycle) or after
# the run starts sending (the others), seed 1, latency 10ms.
# Exit code: 0 PASS, 1 FAIL, 2 usage or setup error.
set -euo pipefail

PORT=18080 ROWS=100000 ORGS=100 CYCLES=20 MAX_DELAY=8 SEED=1 LATENCY=10ms KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --rows) ROWS=$2; shift 2 ;;
    --orgs) ORGS=$2; shift 2 ;;
    --cycles) CYCLES=$2; shift 2 ;;
    --max-delay) MAX_DELAY=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --latency) LATENCY=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$ORGS" -lt 1 ]; then echo "chaos.sh: --orgs must be >= 1 (every user gets a membership)" >&2; exit 2; fi

HOME_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$HOME_DIR/scripts/find-jdk.sh"
ferry_find_jdk || exit 2
JAVA="$JAVA_HOME/bin/java"
JAR="$HOME_DIR/target/ferry-all.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$HOME_DIR/pom.xml" "$HOME_DIR"/ferry-*/pom.xml "$HOME_DIR"/ferry-*/src/main -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  echo "chaos: building $JAR"
  (cd "$HOME_DIR" && ./mvnw -B -q -DskipTests package) || { echo "chaos: build failed" >&2; exit 2; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-chaos.XXXXXX")
STATE="$WORK/state"
CSV="$WORK/users.csv"
JOB=chaos
KEY=sk_test_ferry_chaos
SIM_PID= CHILD_PID=
cleanup() {
  [ -n "$CHILD_PID" ] && kill -9 "$CHILD_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && wait "$SIM_PID" 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "chaos: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ferry() { "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" "$@"; }
json_field() { # $1 = key; reads one JSON object on stdin; prints the value (number or string)
  tr -d '\n' | sed -n "s/.*\"$1\" *: *\"\{0,1\}\([^\",}]*\)\"\{0,1\}.*/\1/p"
}
stats() { curl -fsS "http://127.0.0.1:$PORT/__stats"; }

RANDOM=$SEED
echo "chaos: $ROWS users in $ORGS organizations, $CYCLES kill cycles (0-${MAX_DELAY}s), sim latency $LATENCY, port $PORT, seed $SEED"
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" sim --port "$PORT" --latency "$LATENCY" --jitter "$LATENCY" --rate-limit 3000 --read-rate-limit 3000 \
  --rate-window 1s --seed "$SEED" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
if stats >/dev/null 2>&1; then
  sleep 0.5
  kill -0 "$SIM_PID" 2>/dev/null || { echo "chaos: port $PORT is taken by another process (use --port)" >&2; SIM_PID=; exit 2; }
fi
for _ in $(seq 1 200); do
  stats >/dev/null 2>&1 && break
  kill -0 "$SIM_PID" 2>/dev/null || { echo "chaos: the simulator did not start:"; cat "$WORK/sim.log"; exit 2; }
  sleep 0.1
done
stats >/dev/null || { echo "chaos: the simulator does not answer on port $PORT" >&2; exit 2; }
kill -0 "$SIM_PID" 2>/dev/null || { echo "chaos: port $PORT is taken by another process (use --port)" >&2; SIM_PID=; exit 2; }
[ "$(stats | json_field requests)" = 0 ] || { echo "chaos: the simulator on port $PORT is not fresh (use --port)" >&2; exit 2; }
ferry generate-users --rows "$ROWS" --orgs "$ORGS" --out "$CSV"

export WORKOS_SECRET_KEY=$KEY
# Sets ARGS: import-users when the job does not exist yet (or was killed while planning), else resume.
set_args() { # $1 = workers
  local status
  status=$(ferry status "$JOB" --json --checkpoint-dir "$STATE" 2>/dev/null | json_field status || true)
  local common=(--checkpoint-dir "$STATE" --quiet --workers "$1" --concurrency 10 --rate-limit 2900 --request-timeout 10s)
  if [ -z "$status" ] || [ "$status" = planning ]; then
    ARGS=(import-users --csv "$CSV" --job-id "$JOB" --api-url "http://127.0.0.1:$PORT" --chunk-size 500
      --create-org-if-missing "${common[@]}")
  else
    ARGS=(resume "$JOB" "${common[@]}")
  fi
}

kills=0 exited=0
for cycle in $(seq 1 "$CYCLES"); do
  workers=$((1 + RANDOM % 8))
  delay_ms=$((RANDOM % (MAX_DELAY * 1000 + 1)))
  set_args "$workers"
  before=$(stats | json_field users_created)
  # java itself, not a shell function, so that $! is the JVM that kill -9 hits
  "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" "${ARGS[@]}" >"$WORK/cycle$cycle.log" 2>&1 &
  CHILD_PID=$!
  # Every fourth kill counts from the launch (start-up, planning, lock, pre-warm); the others from the moment
  # the run starts sending, so that they land among the rows.
  if [ $((cycle % 4)) = 1 ]; then
    when="${delay_ms} ms after launch"
  else
    requests=$(stats | json_field requests)
    for _ in $(seq 1 600); do
      kill -0 "$CHILD_PID" 2>/dev/null || break
      [ "$(stats | json_field requests)" != "$requests" ] && break
      sleep 0.1
    done
    when="${delay_ms} ms into sending"
  fi
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$CHILD_PID" 2>/dev/null || true
  code=0
  wait "$CHILD_PID" 2>/dev/null || code=$?
  CHILD_PID=
  if [ "$code" = 137 ]; then
    kills=$((kills + 1))
    what="kill -9 $when"
  else
    exited=$((exited + 1))
    what="ended by itself (exit $code)"
  fi
  after=$(stats | json_field users_created)
  printf 'chaos: cycle %2d  %-12s %d workers  %-36s users created +%d (total %d)\n' "$cycle" "${ARGS[0]}" \
    "$workers" "$what" $((after - before)) "$after"
done

echo "chaos: final resume"
set_args 4
set +e
ferry "${ARGS[@]}" --json >"$WORK/final.json" 2>"$WORK/final.err"
final_exit=$?
set -e
S=$(stats)
users=$(echo "$S" | json_field users)
memberships=$(echo "$S" | json_field memberships)
dups=$(echo "$S" | json_field duplicate_creations)
replays=$(echo "$S" | json_field idempotent_replays)
requests=$(echo "$S" | json_field requests)
R=$(cat "$WORK/final.json")
done_rows=$(echo "$R" | json_field done)
failed=$(echo "$R" | json_field failed)
invalid=$(echo "$R" | json_field invalid)
rows=$(echo "$R" | json_field rows)
echo "chaos: kills $kills, runs that ended by themselves $exited, final exit $final_exit"
echo "chaos: simulator users $users, memberships $memberships, duplicate_creations $dups, idempotent replays $replays, requests $requests"
echo "chaos: ledger rows $rows = done $done_rows + failed $failed + invalid $invalid"
if [ "$final_exit" = 0 ] && [ "$users" = "$ROWS" ] && [ "$memberships" = "$ROWS" ] && [ "$dups" = 0 ] \
  && [ "$rows" = "$ROWS" ] && [ "$done_rows" = "$ROWS" ] && [ "$failed" = 0 ] && [ "$invalid" = 0 ]; then
  echo "PASS: $ROWS users and $ROWS memberships exactly once after $kills x kill -9 + resume (duplicate_creations 0)"
  exit 0
fi
echo "FAIL: expected $ROWS users, $ROWS memberships, 0 duplicate creations, done = rows = $ROWS"
cat "$WORK/final.err" >&2
KEEP=1
exit 1
