#!/usr/bin/env bash
# `ferry serve` draining a backlog through a slow batched downstream: how long N items take, and the adaptive limit
# reached. An embeddings simulator answers every call after LATENCY (default 8s); a second simulator (5 ms) takes the
# points. The spec embeds in batches of up to 50 items and upserts in batches of up to 50; both targets 'limits: none'
# (only the concurrency limit is measured). DELIVERIES deliveries of 10 items each are posted first (a backlog), then
# the drain is timed until the queue is empty; /status is polled every second (limit, in flight, done).
#
#   benchmarks/serve-slow-batch.sh [JAR] [DELIVERIES] [LATENCY]     # JAR default target/ferry-all.jar (./ferry builds it)
#
# Prints one line a second (t, done, in_flight, concurrency_limit) and a summary: seconds to drain (from the first
# delivery), peak limit, CPU seconds of the serve process meanwhile. Never part of the test suite.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
JAR=${1:-$HERE/target/ferry-all.jar}
DELIVERIES=${2:-40}
LATENCY=${3:-8s}
JAVA_HOME=${JAVA_HOME:-}
. "$HERE/scripts/find-jdk.sh" # a JDK >= 21 (the default java may be older), as ./ferry finds it
ferry_find_jdk
JAVA=$JAVA_HOME/bin/java
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start_sim() { # $1 = name, $2 = latency; sets SIM_URL
  "$JAVA" -jar "$JAR" sim --port 0 --latency "$2" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  SIM_URL=
  for _ in $(seq 1 300); do
    SIM_URL=$(sed -n 's/^ferry sim listening on \(http[^ ]*\).*/\1/p' "$WORK/$1.log" | head -1)
    [ -n "$SIM_URL" ] && curl -fs "$SIM_URL/__stats" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "serve-slow-batch: simulator $1 did not start" >&2; exit 2
}
start_sim embeddings "$LATENCY"; export EMB_URL=$SIM_URL
start_sim points 5ms; export QDRANT_URL=$SIM_URL
export WEBHOOK_SECRET=bench-secret EMB_KEY=sk-bench
cat >"$WORK/service.yaml" <<'EOF'
version: 1
name: serve-slow-batch
serve:
  routes:
    - path: /hook
      signature: { header: X-Sig, prefix: "sha256=", secret: "${WEBHOOK_SECRET}" }
      delivery_id: "$.id"
      items: "$.data"
  concurrency: 256
  backlog: 100000
targets:
  embeddings:
    base_url: "${EMB_URL}/v1"
    headers: { Authorization: "Bearer ${EMB_KEY}" }
    limits: none
  qdrant:
    base_url: "${QDRANT_URL}"
    limits: none
steps:
  - name: embed
    target: embeddings
    batch: { max_items: 50, linger: 20ms }
    request:
      method: POST
      path: /embeddings
      body: { model: text-embedding-3-small, input: "{{ batch.each(row.text) }}" }
    response: { items: "$.data", match: { index: "$.index" } }
    capture: { vector: "$.embedding" }
  - name: upsert
    target: qdrant
    batch: { max_items: 50, linger: 20ms }
    request:
      method: PUT
      path: "/collections/pages/points?wait=true"
      body:
        points: "{{ batch.each({id: uuid5(row.url), vector: steps.embed.vector, payload: {url: row.url}}) }}"
key: "{{ row.url }}"
EOF
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# the deliveries first, into the queue of a serve that is then started: the backlog is there at its first poll
python3 - "$WORK/deliveries" "$DELIVERIES" <<'EOF'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
import os; os.makedirs(d, exist_ok=True)
for i in range(n):
    body = {"id": f"d-{i}", "data": [{"url": f"https://example.com/{i}/{p}", "text": f"page {i} {p}"} for p in range(10)]}
    open(f"{d}/{i}.json", "w").write(json.dumps(body))
EOF
"$JAVA" -jar "$JAR" serve "$WORK/service.yaml" --checkpoint-dir "$WORK/st" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVE=$!; PIDS+=($SERVE)
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
kill -0 "$SERVE" 2>/dev/null || { echo "serve-slow-batch: ferry serve stopped:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
python3 - "http://127.0.0.1:$PORT" "$WORK/deliveries" "$DELIVERIES" "$SERVE" <<'EOF'
import hmac, hashlib, json, os, sys, time, urllib.request
base, d, n, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
secret = os.environ["WEBHOOK_SECRET"].encode()
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
cpu0 = cpu()
start = time.time()
for i in range(n):
    body = open(f"{d}/{i}.json", "rb").read()
    sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + "/hook", data=body, headers={"X-Sig": sig, "Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
total = n * 10
peak = 0
while True:
    s = json.loads(urllib.request.urlopen(base + "/status", timeout=10).read())
    t = time.time() - start
    peak = max(peak, s["concurrency_limit"])
    print(f"t={t:6.1f}s done={s['done']:5d} in_flight={s['in_flight']:4d} limit={s['concurrency_limit']:4d}", flush=True)
    if s["done"] + s["failed"] >= total:
        print(f"SUMMARY items={total} drained_in={t:.1f}s peak_limit={peak} failed={s['failed']} "
              f"serve_cpu={cpu() - cpu0:.1f}s (from the first delivery)", flush=True)
        break
    time.sleep(1)
EOF
kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null || true
