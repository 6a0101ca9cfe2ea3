# Shared by the benchmark scripts (sourced, not run). Expects FERRY (the launcher as an array), OUT (the output
# folder, with logs/ and data/), BENCH (the script's name for messages), SIM_PID and a cleanup function that stops
# the simulator. Sets PORT, URL and SIM_PID.

await_sim() {  # $1 = the simulator's log, $2 = its pid: sets URL and PORT once it answers; fails if it exits first
  # The URL is read from the simulator's own "listening on" line (started with --port 0, the OS picks a free port),
  # never guessed: a guessed port may belong to another process's simulator, which would then answer (and be reset
  # by) the benchmark.
  for _ in $(seq 1 600); do  # up to a minute: the launcher may build first
    URL=$(sed -n 's/^ferry sim listening on \(http[s]*:\/\/[^ ]*\).*/\1/p' "$1" | head -1)
    if [ -n "$URL" ] && curl -fs "$URL/__stats" >/dev/null 2>&1; then PORT=${URL##*:}; return 0; fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_sim() {  # $1 = log name, then sim flags: starts `ferry sim` and waits until it answers
  local log="$OUT/logs/sim-$1.log"; shift
  "${FERRY[@]}" sim --port 0 "$@" > "$log" 2>&1 &
  SIM_PID=$!
  await_sim "$log" "$SIM_PID" && return 0
  cleanup
  echo "$BENCH: the simulator did not start (see $log)" >&2
  exit 1
}

CSV="$OUT/data/users.csv"
csv_rows() {  # $1 = rows wanted: CSV holds at least that many
  local have=0
  [ -f "$CSV" ] && have=$(($(wc -l < "$CSV") - 1))
  if [ "$have" -lt "$1" ]; then "${FERRY[@]}" generate-users --rows "$1" --orgs 0 --out "$CSV" >/dev/null; fi
}
