#!/usr/bin/env bash
# kill -9 trials of `ferry run` against a foreign API (benchmarks/foreign-api.py), not ferry's simulator.
# Usage: benchmarks/foreign-trials.sh [KILLS] [PORT]     (PostgreSQL at 127.0.0.1:5432, database test; python3)
#   Seeds trials_foreign.documents (1,350 rows, 13 that the API refuses), runs seed 002's shape (SQL rows -> batch
#   embeddings under a tokens-per-minute limit with OpenAI's x-ratelimit headers -> vector upserts -> SQL write-back),
#   kill -9s it KILLS times at random moments (default 5), resumes it to the end, then checks on the server's side:
#   every good document embedded and stored, none stored twice as two points, re-embeds within the bound of
#   docs/GUARANTEES.md 5c, the write-back set on exactly the stored rows, and the API key nowhere in .ferry/.
set -euo pipefail
KILLS=${1:-5}
PORT=${2:-8799}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRY=${FERRY:-$ROOT/ferry}
WORK=$(mktemp -d /tmp/ferry-foreign.XXXXXX)
cd "$WORK"
export FOREIGN_KEY=sk-foreign-trial-$RANDOM$RANDOM DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
export EMB_URL=http://127.0.0.1:$PORT/v1 VEC_URL=http://127.0.0.1:$PORT
psql -h 127.0.0.1 -U postgres test -q <<'EOF'
DROP SCHEMA IF EXISTS trials_foreign CASCADE; CREATE SCHEMA trials_foreign;
CREATE TABLE trials_foreign.documents(id bigint primary key, title text, content text, upserted text);
INSERT INTO trials_foreign.documents(id, title, content)
SELECT g, 'Doc ' || g, 'document ' || g || ' ' || repeat('lorem ipsum dolor sit amet ', 5 + (g % 40))
       || CASE WHEN g % 97 = 0 THEN ' POISON' ELSE '' END
FROM generate_series(1, 1500) g WHERE g % 10 <> 5;
EOF
cat > rag.yaml <<'EOF'
source:
  sql: { url: "${DATABASE_URL}", query: "SELECT id, title, content FROM trials_foreign.documents", key: id }
targets:
  embeddings: { base_url: "${EMB_URL}", headers: { Authorization: "Bearer ${FOREIGN_KEY}" }, limits: auto }
  vectors: { base_url: "${VEC_URL}", headers: { api-key: "${FOREIGN_KEY}" } }
steps:
  - name: embed
    target: embeddings
    batch: { max_items: 32, max_bytes: 20000, max_weight: 3000, weight: "{{ tokens(row.content) }}", linger: 30ms }
    charge: { tokens: "{{ batch.weight }}" }
    request: { method: POST, path: /embeddings, body: { model: m, input: "{{ batch.each(row.content) }}" } }
    response: { items: "$.data", match: { index: "$.index" } }
    capture: { vector: "$.embedding" }
  - name: upsert
    target: vectors
    batch: { max_items: 16, linger: 30ms }
    request: { method: PUT, path: /points,
               body: { points: "{{ batch.each({id: row.id, vector: steps.embed.vector, payload: {title: row.title}}) }}" } }
    capture: { status: "$.result.status" }
key: "{{ row.id }}"
chunk_size: 100
sink:
  sql_update: { url: "${DATABASE_URL}", table: trials_foreign.documents, key: id, set: { upserted: upsert.status } }
EOF
python3 "$ROOT/benchmarks/foreign-api.py" --port "$PORT" --limiter none --tpm 200000 --rpm 300 --faults 0.03 \
  > server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 1
kill_java() { # the java process whose command line holds $1
  for p in $(pgrep -f -- "$1"); do grep -q java "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" && echo "killed $p ($1)"; done
}
"$FERRY" run rag.yaml --job-id fx --progress never > run0.out 2>&1 &
sleep $((6 + RANDOM % 8)); kill_java "job-id fx" || true
for i in $(seq 2 "$KILLS"); do
  "$FERRY" resume fx --progress never > run$i.out 2>&1 &
  sleep $((5 + RANDOM % 8)); kill_java "resume fx" || true
done
"$FERRY" resume fx --progress never > final.out 2>&1 || true
sed -n '1,6p' final.out
STATS=$(curl -s "127.0.0.1:$PORT/__stats")
echo "server: $STATS"
STORED=$(psql -h 127.0.0.1 -U postgres test -Atc "SELECT count(*) FROM trials_foreign.documents WHERE upserted = 'completed'")
python3 - "$STATS" "$STORED" <<'EOF'
import json, sys
s, stored = json.loads(sys.argv[1]), int(sys.argv[2])
ok = s["texts_embedded"] == 1337 and s["points"] == 1337 and stored == 1337
print("embedded %d texts (%d embeddings, %d again), %d points (%d rewrites), write-back on %d rows: %s" % (
    s["texts_embedded"], s["embeds_total"], s["embeds_total"] - s["texts_embedded"], s["points"],
    s["rewritten_points"], stored, "HELD" if ok else "BROKEN"))
sys.exit(0 if ok else 1)
EOF
if grep -rl "$FOREIGN_KEY" .ferry >/dev/null 2>&1; then echo "BROKEN: the API key is in .ferry/"; exit 1; fi
echo "key not in .ferry/: HELD ($WORK)"
