#!/usr/bin/env bash
# Stated limits against the foreign API (benchmarks/foreign-api.py, not ferry's simulator): each way of counting x
# each header convention x each window, through `ferry run` of a spec stating `limits: [{requests: N, per: W}]` and
# through `ferry import-users --rate-limit N/W` (its WorkOS-shaped create route). A stated limit must be paced so
# the target refuses nothing (DESIGN.md "Rate limits and retries"). Never part of the test suite.
#
#   benchmarks/foreign-limits.sh [-c "sliding fixed bucket gcra"] [-H "none x ietf ietf-old openai"]
#       [-w "10/1 300/10"] [-p "run import"] [-k WINDOWS] [-r REPEATS] [-o OUTDIR] [-b BACKLOG]
#
# Each run sends N x WINDOWS rows (default: enough windows for ~10 s, at least 2) to a fresh server (Python's
# listen backlog of 5 unless -b: a burst of new connections beyond it waits for the SYN retransmit, ~1 s) that logs
# each limited request's arrival as it counted it. Per run: the server's refusals (429, or 403 for github403), the
# most arrivals in any W it saw, and "% of limit": the admitted arrivals after the first window's burst over the time
# from the first arrival to the last, against N/W (100 % = the budget spent each window; the spec's and the import's
# headroom make ~95 % and ~98.5 % the most a run can show). FERRY: the launcher (default ./ferry).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNTINGS="sliding fixed bucket gcra"; HEADERS="none x ietf ietf-old openai"; WINDOWS="10/1 300/10"
PATHS="run import"; REPEATS=1; KWIN=""; BACKLOG=5
OUT="$ROOT/benchmarks/results/foreign-limits-$(date +%Y%m%d-%H%M%S)"
while getopts "c:H:w:p:k:r:o:b:h" opt; do
  case $opt in
    c) COUNTINGS=$OPTARG ;; H) HEADERS=$OPTARG ;; w) WINDOWS=$OPTARG ;; p) PATHS=$OPTARG ;; k) KWIN=$OPTARG ;;
    r) REPEATS=$OPTARG ;; o) OUT=$OPTARG ;; b) BACKLOG=$OPTARG ;;
    h) sed -n '2,15p' "$0"; exit 0 ;; *) exit 2 ;;
  esac
done
FERRY=${FERRY:-$ROOT/ferry}
mkdir -p "$OUT"
SERVER=""
cleanup() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi; }
trap cleanup EXIT
export FOREIGN_KEY=sk-foreign-limits-$RANDOM WORKOS_API_KEY
WORKOS_API_KEY=$FOREIGN_KEY
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
echo "| counting | headers | limit | path | rows | 429s | most in a window | % of limit | load1 |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|"
for _ in $(seq 1 "$REPEATS"); do
for win in $WINDOWS; do
  N=${win%/*}; PER=${win#*/}
  K=${KWIN:-$(( (10 + PER - 1) / PER + 1 ))}; [ "$K" -lt 2 ] && K=2
  ROWS=$((N * K))
  for counting in $COUNTINGS; do
  for headers in $HEADERS; do
  for path in $PATHS; do
    RUN="$OUT/$counting-$headers-$N-$PER-$path-$RANDOM"; mkdir -p "$RUN"
    PORT=$(free_port)
    python3 "$ROOT/benchmarks/foreign-api.py" --port "$PORT" --limiter "$counting" --rate-headers "$headers" \
      --crm-rate "$N" --crm-per "$PER" --faults 0 --slow-every 0 --backlog "$BACKLOG" --key-env FOREIGN_KEY \
      --arrivals "$RUN/arrivals.log" > "$RUN/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 50); do curl -fs "127.0.0.1:$PORT/__stats" >/dev/null 2>&1 && break; sleep 0.1; done
    if [ "$path" = run ]; then
      for i in $(seq 1 "$ROWS"); do printf '{"id":"c%06d","email":"c%d@example.com"}\n' "$i" "$i"; done > "$RUN/rows.jsonl"
      cat > "$RUN/job.yaml" <<EOF
version: 1
name: foreign-limits
source:
  jsonl: { path: "$RUN/rows.jsonl" }
targets:
  crm:
    base_url: "http://127.0.0.1:$PORT"
    headers: { Authorization: "Bearer \${FOREIGN_KEY}" }
    limits: [ { requests: $N, per: ${PER}s } ]
steps:
  - name: create
    target: crm
    request: { method: POST, path: /crm/contacts, body: { external_id: "{{ row.id }}", email: "{{ row.email }}" } }
    on: { 409: exists }
key: "{{ row.id }}"
EOF
      (cd "$RUN" && "$FERRY" run job.yaml --checkpoint-dir "$RUN/state" --progress never --json \
        > report.json 2> run.log) || true
    else
      { echo "email,first_name"; for i in $(seq 1 "$ROWS"); do echo "u$i@example.com,U$i"; done; } > "$RUN/users.csv"
      (cd "$RUN" && "$FERRY" import-users --csv users.csv --api-url "http://127.0.0.1:$PORT" \
        --rate-limit "$N/${PER}s" --checkpoint-dir "$RUN/state" --progress never --json \
        > report.json 2> run.log) || true
    fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    cleanup
    python3 - "$RUN/arrivals.log" "$N" "$PER" "$counting" "$headers" "$win" "$path" "$ROWS" "$load" <<'EOF'
import sys
f, n, per = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
counting, headers, win, path, rows, load = sys.argv[4:10]
a = [(float(l.split()[0]), l.split()[1]) for l in open(f) if l.strip()]
ok = [t for t, s in a if s == "ok"]
refused = sum(1 for _, s in a if s != "ok")
most, j = 0, 0
for i, t in enumerate(ok):
    while ok[j] <= t - per:
        j += 1
    most = max(most, i - j + 1)
pct = 100.0 * (len(ok) - n) / (ok[-1] - ok[0]) / (n / per) if len(ok) > n and ok[-1] > ok[0] else 0.0
note = "" if len(ok) == int(rows) else " (%d admitted)" % len(ok)
print("| %s | %s | %s/%ss | %s | %s%s | %d | %d | %.1f %% | %s |" % (
    counting, headers, n, sys.argv[3], path, rows, note, refused, most, pct, load))
EOF
  done; done; done
done
done
