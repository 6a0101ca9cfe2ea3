#!/usr/bin/env bash
# Seed 002's worker matrix, measured (issue 13): `ferry bench --spec examples/rag-migration/job.yaml --workers
# 1,2,5,10,20 --max-records 100` over real HTTP against `ferry sim` (OpenAI-compatible embeddings with RPM and TPM
# limits, Qdrant-compatible points) and a PostgreSQL `documents` table. Each run of a rung takes its own slice of
# 100 documents (rows 1-100, 101-200, ...), so no document is embedded twice. Prints ferry's table, verdict and
# recommendation, then the matrix beside the seed's projections (docs/BENCH.md, "Seed 002's matrix").
# Never part of the test suite; run it on a quiet host (a loaded one gives noisy rates; ferry's caveats say so).
#
#   benchmarks/rag-matrix.sh [-o OUTDIR]
#
# Seed 002's assumptions, as environment overrides (defaults in brackets):
#   WORKERS [1,2,5,10,20]  RECORDS [100] a rung  ROUNDS [1]  BATCH [50] (the seed's BATCH_SIZE: EMBEDDINGS_BATCH)
#   RPM [3000] and TPM [1000000]: OpenAI's published tier-1 limits for text-embedding-3-small (check your account's)
#   WINDOW [1s]: the simulator counts RPM/TPM per WINDOW scaled to it (1s: 16,667 tokens a second), so a 100-document
#     pilot meets the limit as a long migration would; WINDOW=1m counts per minute as OpenAI does: the whole study
#     (500 documents × ~1,000 tokens) then fits in one minute's budget and no rung is held: the pilot's blind spot
#   LATENCY [300ms] ± JITTER [75ms] on every call (embeddings and upserts alike)
#   DOC_BYTES [4000]: ASCII bytes a document (~1,000 tokens, ceil(bytes / 4))  DIMENSIONS [1536] (text-embedding-3-small)
#   PGURL [postgresql://postgres@127.0.0.1:5432/test] for psql; the table goes to schema ferry_rag_matrix (dropped at
#     the end); JDBC_URL [jdbc:postgresql://127.0.0.1:5432/test?user=postgres] is what ferry reads
#   SPEC [examples/rag-migration/job.yaml]
# Outputs in OUTDIR (default benchmarks/results/rag-matrix-<date>): bench.txt, bench.json, bench.html, matrix.md,
# sim-stats.json, logs/.
# Needs: a JDK >= 21 (found as ./ferry finds it), psql, curl, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRY=("$ROOT/ferry")
OUT="$ROOT/benchmarks/results/rag-matrix-$(date +%Y%m%d-%H%M%S)"
while getopts "o:h" opt; do
  case $opt in
    o) OUT=$OPTARG ;;
    h) sed -n '2,27p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
WORKERS=${WORKERS:-1,2,5,10,20}
RECORDS=${RECORDS:-100}
ROUNDS=${ROUNDS:-1}
BATCH=${BATCH:-50}
RPM=${RPM:-3000}
TPM=${TPM:-1000000}
WINDOW=${WINDOW:-1s}
LATENCY=${LATENCY:-300ms}
JITTER=${JITTER:-75ms}
DOC_BYTES=${DOC_BYTES:-4000}
DIMENSIONS=${DIMENSIONS:-1536}
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432/test}
JDBC_URL=${JDBC_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
SPEC=${SPEC:-$ROOT/examples/rag-migration/job.yaml}
SCHEMA=ferry_rag_matrix
for tool in psql curl python3; do
  command -v "$tool" >/dev/null || { echo "rag-matrix: $tool is missing" >&2; exit 2; }
done
[ -f "$SPEC" ] || { echo "rag-matrix: $SPEC not found (examples/rag-migration comes with issue 13)" >&2; exit 2; }
mkdir -p "$OUT/logs" "$OUT/data"
SIM_PID=""

cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  SIM_PID=""
}
drop_schema() {
  psql -q "$PGURL" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
}
trap 'cleanup; drop_schema' EXIT

BENCH=rag-matrix
# shellcheck source=sim-lib.sh
. "$ROOT/benchmarks/sim-lib.sh"

# One slice of RECORDS documents for every run of a rung: rungs × rounds slices.
RUNGS=$(echo "$WORKERS" | tr ',' '\n' | grep -c .)
DOCS=$((RUNGS * ROUNDS * RECORDS))
echo "rag-matrix: $DOCS documents of $DOC_BYTES bytes (~$((DOC_BYTES / 4)) tokens) in $SCHEMA.documents" >&2
psql -q -v ON_ERROR_STOP=1 "$PGURL" >/dev/null <<SQL
DROP SCHEMA IF EXISTS $SCHEMA CASCADE;
CREATE SCHEMA $SCHEMA;
CREATE TABLE $SCHEMA.documents (id bigint PRIMARY KEY, title text NOT NULL, content text NOT NULL);
INSERT INTO $SCHEMA.documents (id, title, content)
SELECT i, 'Document ' || i,
       left('Document ' || i || ' is about topic ' || (i % 17) || '. '
            || repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit ' || i || '. ', $DOC_BYTES / 50 + 1),
            $DOC_BYTES)
FROM generate_series(1, $DOCS) AS i;
SQL

start_sim embeddings --latency "$LATENCY" --jitter "$JITTER" --embeddings-rpm "$RPM" --embeddings-tpm "$TPM" \
  --embeddings-window "$WINDOW" --embeddings-dimensions "$DIMENSIONS"
echo "rag-matrix: simulator at $URL: latency $LATENCY ± $JITTER, $RPM RPM and $TPM TPM counted per $WINDOW" >&2

export DATABASE_URL="$JDBC_URL&currentSchema=$SCHEMA"
export EMBEDDINGS_URL="$URL/v1" EMBEDDINGS_API_KEY=sk-rag-matrix EMBEDDINGS_BATCH="$BATCH"
export QDRANT_URL="$URL" QDRANT_COLLECTION=documents
echo "rag-matrix: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"${FERRY[@]}" bench --spec "$SPEC" --workers "$WORKERS" --max-records "$RECORDS" --rounds "$ROUNDS" \
  --json "$OUT/bench.json" --html "$OUT/bench.html" 2> >(tee "$OUT/logs/bench.err" >&2) | tee "$OUT/bench.txt"
echo "rag-matrix: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
curl -fs "$URL/__stats" > "$OUT/sim-stats.json"

python3 - "$OUT/bench.json" "$OUT/sim-stats.json" "$RECORDS" > "$OUT/matrix.md" <<'PY'
import json, sys
bench = json.load(open(sys.argv[1]))
stats = json.load(open(sys.argv[2]))
records = int(sys.argv[3])
seed = {1: (60, "1x"), 2: (30, "2x"), 5: (12, "5x"), 10: (6, "10x"), 20: (3, "20x")}
print("| Workers | seed 002 \"expected\" for 100 records | ferry, measured | speedup | %d records would take |"
      " 429s | waiting | failed |" % records)
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in bench["rungs"]:
    w = r["workers"]
    exp = "%d s (%s)" % seed[w] if w in seed else "-"
    rate = r["rows_per_second"] or 0
    took = "%.0f s" % (records / rate) if rate > 0 else "-"
    share = r.get("wait_share")
    waiting = "%.0f %%" % (100 * share) if share is not None else "-"
    print("| %d | %s | %.2f docs/s | %.2fx | %s | %d | %s | %d |" % (w, exp, rate, r["speedup"] or 0, took,
          r["rate_limited"], waiting, r["failed_rows"]))
e = stats.get("embeddings", {})
print()
print("bottleneck: " + bench["verdict"]["sentence"])
if bench.get("recommendation"):
    print("recommended: --workers %d --concurrency %d: %s" % (bench["recommendation"]["workers"],
          bench["recommendation"]["concurrency"], bench["recommendation"]["reason"]))
print("simulator: %s embeddings requests, %s inputs, %s tokens, 429s: %s for requests, %s for tokens; points: %s"
      % (e.get("requests"), e.get("inputs"), e.get("tokens"), e.get("rate_limited_requests"),
         e.get("rate_limited_tokens"), stats.get("points", {}).get("points")))
PY
echo
cat "$OUT/matrix.md"
echo "rag-matrix: outputs in $OUT" >&2
