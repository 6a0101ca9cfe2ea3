#!/usr/bin/env bash
# Seed 002's pipeline at the embeddings API's TPM limit (issue 13): examples/rag-migration/job.yaml run unchanged
# (limits: auto, learned from the x-ratelimit-*-tokens headers) by a whole `ferry run` over real HTTP against
# `ferry sim` (OpenAI-compatible embeddings with RPM and TPM limits, Qdrant-compatible points) and the local
# PostgreSQL. Goal: >= 90 % of the TPM ceiling with < 2 % of the embeddings requests refused (429), over the whole
# run (from the first embeddings request to the last). Never part of the test suite.
#
#   benchmarks/rag-tpm.sh [-t TPM] [-w WINDOW] [-d DOCS] [-b BATCH] [-o OUTDIR]
#
#   -t  tokens per minute of the simulated account (default 1000000, OpenAI's tier 1 for embeddings)
#   -w  the simulator's counting window (default 1m, exactly OpenAI's; 10s or 1s count the same TPM in shorter
#       windows, as OpenAI may enforce it)
#   -d  documents (default 8000: about 3 M tokens, three minutes at the default TPM)
#   -b  documents per embeddings request (EMBEDDINGS_BATCH, default 64: a batch of about 23,000 tokens, under 5 %
#       of a minute at 1 M TPM, so that pacing at 95 % never puts more than the limit in a fixed window)
#   -o  output folder (default benchmarks/results/rag-tpm-<date>): table.md, logs/
#
# Each document is 1-2 KB of text (about 250-500 tokens by the simulator's count); the RPM limit (3,000) is far
# from binding. The 1-minute load average is printed with the row: on a shared host, repeat a row whose load was
# high. Needs: a JDK >= 21 (found as ./ferry finds it), psql (PostgreSQL at PSQL_URL, default
# postgresql://postgres@127.0.0.1:5432/test), curl, jq.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRY=("$ROOT/ferry")
TPM=1000000
WINDOW=1m
DOCS=8000
BATCH=64
OUT="$ROOT/benchmarks/results/rag-tpm-$(date +%Y%m%d-%H%M%S)"
PSQL_URL=${PSQL_URL:-postgresql://postgres@127.0.0.1:5432/test}
SCHEMA=rag_tpm_bench
while getopts "t:w:d:b:o:h" opt; do
  case $opt in
    t) TPM=$OPTARG ;;
    w) WINDOW=$OPTARG ;;
    d) DOCS=$OPTARG ;;
    b) BATCH=$OPTARG ;;
    o) OUT=$OPTARG ;;
    h) sed -n '2,21p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
for tool in psql curl jq; do
  command -v "$tool" >/dev/null || { echo "rag-tpm: $tool is missing" >&2; exit 2; }
done
mkdir -p "$OUT/logs" "$OUT/data"
SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  SIM_PID=""
}
trap cleanup EXIT
BENCH=rag-tpm
# shellcheck source=sim-lib.sh
. "$ROOT/benchmarks/sim-lib.sh"

echo "rag-tpm: $DOCS documents into $PSQL_URL (schema $SCHEMA)" >&2
psql "$PSQL_URL" -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA" \
  -c "CREATE TABLE $SCHEMA.documents (id bigint PRIMARY KEY, title text NOT NULL, content text NOT NULL)" \
  -c "INSERT INTO $SCHEMA.documents SELECT i, 'Document ' || i, 'Document ' || i || ' on topic ' || (i % 97) || '. '
        || repeat('The quick brown fox ' || i || ' jumps over the lazy dog. ', 20 + i % 25)
        FROM generate_series(1, $DOCS) AS i"

start_sim main --latency 50ms --jitter 20ms --embeddings-rpm 3000 --embeddings-tpm "$TPM" \
  --embeddings-window "$WINDOW" --embeddings-dimensions 256

export DATABASE_URL="jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$SCHEMA"
export EMBEDDINGS_URL="$URL/v1" EMBEDDINGS_API_KEY=sk-bench QDRANT_URL="$URL" QDRANT_COLLECTION=bench
export EMBEDDINGS_BATCH="$BATCH"
load1=$(cut -d' ' -f1 /proc/loadavg)
code=0
"${FERRY[@]}" run "$ROOT/examples/rag-migration/job.yaml" --job-id rag-tpm --checkpoint-dir "$OUT/data/state" \
  --progress never --json > "$OUT/logs/run.json" 2> "$OUT/logs/run.err" || code=$?
curl -fs "$URL/__stats" > "$OUT/logs/stats.json"
curl -fs "$URL/__timeline" > "$OUT/logs/timeline.json"
[ "$code" -eq 0 ] || { echo "rag-tpm: ferry run exited $code (see $OUT/logs/run.err)" >&2; exit 1; }

TABLE="$OUT/table.md"
{
  echo "| TPM | window | docs | tokens | seconds | % of TPM | 429s / requests | points | load1 |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  jq -r --argjson tpm "$TPM" --arg docs "$DOCS" --arg window "$WINDOW" --arg load "$load1" --slurpfile t "$OUT/logs/timeline.json" '
    .embeddings as $e
    | [$t[0].seconds[] | select(.requests > 0) | .second] as $busy
    | (($busy | max) - ($busy | min) + 1) as $secs
    | (($e.rate_limited_requests + $e.rate_limited_tokens) / ([$e.requests, 1] | max) * 100) as $refused
    | "| \($tpm) | \($window) | \($docs) | \($e.tokens) | \($secs) | "
      + "\(($e.tokens / ($tpm * $secs / 60) * 1000 | round) / 10) % | \(($refused * 100 | round) / 100) % "
      + "(\($e.rate_limited_requests + $e.rate_limited_tokens) / \($e.requests)) | \(.points.points) | \($load) |"
  ' "$OUT/logs/stats.json"
} | tee "$TABLE"
echo "rag-tpm: goal >= 90 % of TPM and < 2 % refused; table: $TABLE" >&2
