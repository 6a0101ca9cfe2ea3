# Shared by the benchmark scripts (sourced, not run). Expects FERRY (the launcher as an array), OUT (the output
# folder, with logs/ and data/), BENCH (the script's name for messages), SIM_PID and a cleanup function that stops
# the simulator. Sets PORT, URL and SIM_PID.

start_sim() {  # $1 = log name, then sim flags: starts `ferry sim` on a free port and waits until it answers
  local log="$OUT/logs/sim-$1.log"; shift
  for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    "${FERRY[@]}" sim --port "$PORT" "$@" > "$log" 2>&1 &
    SIM_PID=$!
    for _ in $(seq 1 100); do
      if curl -fs "http://127.0.0.1:$PORT/__stats" >/dev/null 2>&1; then URL="http://127.0.0.1:$PORT"; return 0; fi
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
    done
    cleanup
  done
  echo "$BENCH: the simulator did not start (see $log)" >&2
  exit 1
}

CSV="$OUT/data/users.csv"
csv_rows() {  # $1 = rows wanted: CSV holds at least that many
  local have=0
  [ -f "$CSV" ] && have=$(($(wc -l < "$CSV") - 1))
  if [ "$have" -lt "$1" ]; then "${FERRY[@]}" generate-users --rows "$1" --orgs 0 --out "$CSV" >/dev/null; fi
}
