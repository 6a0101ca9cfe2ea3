# Shared by the benchmark scripts (sourced, not run). Expects FERRY (the launcher as an array), OUT (the output
# folder, with logs/ and data/), BENCH (the script's name for messages), SIM_PID and a cleanup function that stops
# the simulator. Sets PORT, URL and SIM_PID.

start_sim() {  # $1 = log name, then sim flags: starts `ferry sim` on a port the OS picks and waits until it answers
  # The URL is read from the simulator's own "listening on" line, never guessed: a guessed port may belong to
  # another process's simulator, which would then answer (and be reset by) this benchmark.
  local log="$OUT/logs/sim-$1.log"; shift
  "${FERRY[@]}" sim --port 0 "$@" > "$log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 200); do
    URL=$(sed -n 's/^ferry sim listening on \(http[s]*:\/\/[^ ]*\).*/\1/p' "$log" | head -1)
    if [ -n "$URL" ] && curl -fs "$URL/__stats" >/dev/null 2>&1; then PORT=${URL##*:}; return 0; fi
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.1
  done
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
