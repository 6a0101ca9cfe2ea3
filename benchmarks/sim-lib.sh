# Shared by the benchmark scripts (sourced, not run). Expects FERRY (the launcher as an array), OUT (the output
# folder, with logs/ and data/), BENCH (the script's name for messages), SIM_PID and a cleanup function that stops
# the simulator. Sets PORT, URL and SIM_PID.

await_sim() {  # $1 = the simulator's log, $2 = its pid: sets URL and PORT once it answers; fails if it exits first
  # The URL is read from the simulator's own "listening on" line (started with --port 0, the OS picks a free port),
  # never guessed: a guessed port may belong to another process's simulator, which would then answer (and be reset
  # by) the benchmark.
  for _ in $(seq 1 600); do  # up to a minute: the launcher may build first
    URL=$(sed -n 's/^ferry sim listening on \(http[s]*:\/\/[^ ]*\).*/\1/p' "$1" | head -1)
    if [ -n "$URL" ] && curl -fsk "$URL/__stats" >/dev/null 2>&1; then PORT=${URL##*:}; return 0; fi
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

# The first part of an awk program over a benchmark's raw runs (CSV with a header; columns: two keys, -, rows,
# wall s, user s, sys s, -, load1): per key ("KEY1 | KEY2") CPU s per 10k rows in c, rows/s in r, the load's sum in
# l, the runs in n, the keys in order in keys[1..nk]; med/lo/hi of c or r. A script adds its own END block.
RUNS_AWK='NR > 1 { k = $1 " | " $2; n[k]++; c[k, n[k]] = ($6 + $7) / $4 * 10000; r[k, n[k]] = $4 / $5; l[k] += $9
      if (!(k in seen)) { seen[k] = 1; keys[++nk] = k } }
    function med(a, k, m,   v, j, i, t) { for (j = 1; j <= m; j++) v[j] = a[k, j]
      for (j = 2; j <= m; j++) { t = v[j]; i = j - 1; while (i > 0 && v[i] > t) { v[i + 1] = v[i]; i-- } v[i + 1] = t }
      return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
    function lo(a, k, m,   j, x) { x = a[k, 1]; for (j = 2; j <= m; j++) if (a[k, j] < x) x = a[k, j]; return x }
    function hi(a, k, m,   j, x) { x = a[k, 1]; for (j = 2; j <= m; j++) if (a[k, j] > x) x = a[k, j]; return x }'
