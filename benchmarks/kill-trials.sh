#!/usr/bin/env bash
# kill -9 trials: for N iterations per scenario, starts a small job against `ferry sim --port 0`, kills the ferry
# process with SIGKILL at a random moment (one to three times; very early: while the JVM starts, plans and pre-warms;
# 0-0.5 s after the first request; at a random share of the rows; very late: once the server has every row's effect, i.e. while ferry settles, flushes and writes its
# report), then runs `ferry resume JOB` until it ends by itself and checks on the server side and in ferry's files
# that nothing was lost or doubled beyond what docs/GUARANTEES.md admits. Never part of the test suite.
#
#   benchmarks/kill-trials.sh [--scenario all|import,spec,sql,serve,dist] [--iterations N] [--seed N] [--keep]
#
# Scenarios (each with its own fresh simulator, reset between iterations; a job id per iteration):
#   import  `ferry import-users`, CSV of 1,500 users in 30 organizations (pre-warm, memberships) + 2 invalid rows.
#           Checks: simulator users = memberships = 1,500, organizations = 30, duplicate_creations 0; report
#           done + failed + invalid = rows (1,500 + 0 + 2); the errors file holds exactly the 2 invalid rows;
#           after each kill `ferry status` says interrupted (or the job is not planned yet); a last resume of the
#           finished job sends nothing.
#   spec    `ferry run` of a spec: JSONL source (800 rows + 2 malformed lines), a batch embeddings step (16 a call),
#           a batch Qdrant upsert, a JSONL results sink. Checks: 800 points, each point's id once; results file
#           holds 800 distinct rows of this job, no row twice, no half line; report equation; errors file = the 2
#           lines, and no temporary copy of it left by a kill;
#           embeddings inputs beyond 800 (re-embedded rows in doubt) printed per iteration.
#   sql     `ferry run` of a spec: SQLite source (1,500 rows), one CRM create with an idempotency key, a sql_update
#           sink writing the contact id back into the same table. Checks: contacts = created = 1,500, 0 duplicate
#           creations, every SQLite row holds the id the CRM has for its external id.
#   serve   `ferry serve` of a webhook service (SQLite queue, lease 2s): a sender posts 80 signed deliveries of 4
#           pages each (retrying until 2xx, and redelivering a fifth of them once acknowledged) while ferry serve
#           is killed 1-3 times (at 0-4 s, or while items are in flight; simulator latency 40 ms) and restarted.
#           Checks: 320 points, the queue's done = 320, failed 0, every delivery acknowledged, redeliveries answered
#           200; pages embedded again (embeddings inputs beyond 320) at most kills x concurrency (16), as
#           docs/SERVE.md promises for SIGKILL.
#   dist    PostgreSQL 127.0.0.1:5432/test: `ferry import-users --store … --lease 2s` plus `ferry worker JOB` that
#           is killed (1-2 times, restarted in between) while it holds leases; sometimes the first process is
#           killed too and `ferry resume` finishes. Checks as `import`, and the job finished in the store.
#
# Output: one line per iteration (kills, when, runs, outcome) and a summary per scenario; exit 1 if any check
# failed (the work folder is then kept). Needs python3, curl; the dist scenario needs PostgreSQL as above.
set -euo pipefail
SCEN=all ITER=20 SEED=$$ KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) SCEN=$2; shift 2 ;;
    --iterations) ITER=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kill-trials: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/ferry" --version >/dev/null   # builds the jar once, before any timing matters
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-kill-trials.XXXXXX")
# The trials run a copy of the jar, so that editing the sources meanwhile (which makes ./ferry rebuild) changes
# nothing under them; the launcher's exec keeps the JVM's pid, which is what gets killed.
. "$ROOT/scripts/find-jdk.sh"
ferry_find_jdk
cp "$ROOT/target/ferry-all.jar" "$WORK/ferry.jar"
FERRY="$WORK/ferry"
cat >"$FERRY" <<EOF
#!/bin/sh
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:UserThreadWaitAttemptsAtExit=1 -XX:+AutoCreateSharedArchive \\
  -XX:SharedArchiveFile="$WORK/ferry.jsa" -Xlog:cds=off -Xlog:cds*=off -jar "$WORK/ferry.jar" "\$@"
EOF
chmod +x "$FERRY"
PG='jdbc:postgresql://127.0.0.1:5432/test?user=postgres'
export WORKOS_SECRET_KEY=sk_test_kill_trials EMB_KEY=sk_test_emb CRM_KEY=sk_test_crm WEBHOOK_SECRET=whsec_kill_trials
RANDOM=$SEED
SIM_PID= CHILD_PID= CHILD2_PID= SENDER_PID= FAILED=0
cleanup() {
  for p in $CHILD_PID $CHILD2_PID $SENDER_PID; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  if [ "$KEEP" = 1 ] || [ "$FAILED" != 0 ]; then echo "kill-trials: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

py() { python3 - "$@"; }
jget() { # $1 = file or - ; $2 = python expression over j
  python3 -c "import json,sys; j=json.load(open(sys.argv[1]) if sys.argv[1]!='-' else sys.stdin); print($2)" "$1"
}
stats() { curl -fsS "$URL/__stats"; }
stat() { stats | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
fast() { curl -fsS "$URL/__stats" | grep -o "$1" | head -1 | grep -o '[0-9]*$' || echo 0; }  # $1 = regex ending in a number
ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

start_sim() { # sim flags: fresh simulator on a free port; sets URL
  [ -n "$SIM_PID" ] && { kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; }
  "$FERRY" sim --port 0 --latency "${SIM_LATENCY:-5ms}" --jitter "${SIM_LATENCY:-5ms}" "$@" >"$WORK/sim.log" 2>&1 &
  SIM_PID=$!
  URL=
  for _ in $(seq 1 300); do
    URL=$(sed -n 's/^ferry sim listening on \(http[^ ]*\).*/\1/p' "$WORK/sim.log" | head -1)
    [ -n "$URL" ] && curl -fs "$URL/__stats" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "kill-trials: the simulator did not start" >&2; exit 2
}

# ---- one kill: waits for the moment, then SIGKILL. $1 = pid, $2 = mode, $3 = regex of the server's progress in /__stats,
#      $4 = the progress at which every row's effect is there. Prints what happened.
kill_at() {
  local pid=$1 mode=$2 prog=$3 total=$4 d
  case "$mode" in
    early) d=$((RANDOM % 1500)); ms_sleep "$d"; WHEN="early ${d}ms" ;;
    sending)
      local r0; r0=$(stat "j['requests']")
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; [ "$(stat "j['requests']")" != "$r0" ] && break; sleep 0.05; done
      d=$((RANDOM % 500)); ms_sleep "$d"; WHEN="sending+${d}ms" ;;
    mid)   # once the server has a random share of the effects
      local want=$((RANDOM % total))
      for _ in $(seq 1 1200); do kill -0 "$pid" 2>/dev/null || break; [ "$(fast "$prog")" -ge "$want" ] && break; sleep 0.05; done
      WHEN="mid(${want}/${total})" ;;
    late)  # once the server has at least all but 0-20 effects, or all of them: then 0-40 ms more (polled without pause)
      local want=$((total - RANDOM % 21))
      [ $((RANDOM % 2)) = 0 ] && want=$total
      for _ in $(seq 1 6000); do kill -0 "$pid" 2>/dev/null || break; [ "$(fast "$prog")" -ge "$want" ] && break; done
      d=$((RANDOM % 40)); ms_sleep "$d"; WHEN="late(${want}/${total})+${d}ms" ;;
  esac
  if kill -9 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; KILLED=1; else wait "$pid" 2>/dev/null || true; KILLED=0; fi
}
pick_mode() { case $((RANDOM % 4)) in 0) echo early ;; 1) echo sending ;; 2) echo mid ;; *) echo late ;; esac; }

# ---- a job with kills: first command FIRST[@], resume command RESUME[@], status command STATUS[@].
#      Sets KILLS, WHENS, RUNS, LAST_RC.
job_status() {  # the stored status (planning, running, finished, ...), empty when there is no such job
  "${STATUS[@]}" 2>/dev/null | python3 -c "import json,sys
try: j=json.load(sys.stdin); print(j.get('stored_status', j.get('status','')))
except Exception: print('')" || true
}
run_job_with_kills() {
  local prog=$1 total=$2 nkill=$3 k mode st cmd
  KILLS=0 WHENS="" RUNS=0 LAST_RC=
  for k in $(seq 1 "$nkill"); do
    st=$(job_status)
    [ "$st" = finished ] && break   # nothing left to kill
    if [ -z "$st" ] || [ "$st" = planning ]; then cmd=("${FIRST[@]}"); else cmd=("${RESUME[@]}"); fi
    "${cmd[@]}" >"$WORK/run$RUNS.log" 2>&1 &
    CHILD_PID=$!; RUNS=$((RUNS + 1))
    mode=$(pick_mode)
    kill_at "$CHILD_PID" "$mode" "$prog" "$total"
    CHILD_PID=
    if [ "$KILLED" = 1 ]; then
      KILLS=$((KILLS + 1)); WHENS="$WHENS $WHEN"
      check_interrupted
    else WHENS="$WHENS $WHEN(ended-first)"; fi
  done
  for _ in $(seq 1 10); do  # resume until a run ends by itself with 0 or 1
    st=$(job_status)
    if [ -z "$st" ] || [ "$st" = planning ]; then cmd=("${FIRST[@]}"); else cmd=("${RESUME[@]}"); fi
    set +e; "${cmd[@]}" >"$WORK/run$RUNS.log" 2>&1; LAST_RC=$?; set -e
    RUNS=$((RUNS + 1))
    [ "$LAST_RC" = 0 ] || [ "$LAST_RC" = 1 ] && return 0
    echo "  run $RUNS exited $LAST_RC: $(tail -3 "$WORK/run$((RUNS - 1)).log" | tr '\n' ' ')"
  done
}
check_interrupted() {  # after a kill: the job is interrupted, finished, or not planned yet (embedded store only)
  [ "${DIST:-0}" = 1 ] && return 0
  local s; s=$("${STATUS[@]}" 2>/dev/null || true)
  local st; st=$(echo "$s" | python3 -c "import json,sys
try: print(json.load(sys.stdin).get('status',''))
except Exception: print('none')")
  case "$st" in interrupted|finished|none|planning|"") ;; *) PROBLEMS="$PROBLEMS status-after-kill=$st" ;; esac
}

SUMMARY=""
report_iter() { # $1 scenario $2 iteration; PROBLEMS empty = ok
  local outcome=ok
  # a kill during the errors file's write leaves its temporary copy; the next run of an embedded job deletes it
  [ "${DIST:-0}" = 1 ] || [ -z "$(find "$IT" -maxdepth 1 -name '*.tmp' 2>/dev/null)" ] || PROBLEMS="$PROBLEMS leftover-tmp"
  PROBLEMS=$(echo "$PROBLEMS" | tr -s ' ' | sed 's/^ //; s/ $//')
  if [ -n "$PROBLEMS" ]; then outcome="FAIL: $PROBLEMS"; FAILED=$((FAILED + 1)); S_FAIL=$((S_FAIL + 1))
    cp -r "$IT" "$WORK/failed-$1-$2" 2>/dev/null || true; fi
  S_KILLS=$((S_KILLS + KILLS))
  printf '%-6s %2d  kills %d [%s ]  runs %d  %s  %s\n' "$1" "$2" "$KILLS" "$WHENS" "$RUNS" "${EXTRA:-}" "$outcome"
}

# =============================== import ===============================
scenario_import() {
  local rows=1500 orgs=30 i
  start_sim
  "$FERRY" generate-users --rows $rows --orgs $orgs --out "$WORK/users.csv" >/dev/null
  printf 'not-an-email,A,B,true,ext-x1,org-1,"Org 1, Inc.",member\nuser5@example.com,Dup,B,true,ext-x2,org-1,"Org 1, Inc.",member\n' >>"$WORK/users.csv"
  S_KILLS=0 S_FAIL=0
  for i in $(seq 1 "$ITER"); do
    curl -fsS -X POST "$URL/__reset" >/dev/null
    IT="$WORK/import-$i"; mkdir -p "$IT"; PROBLEMS="" EXTRA=""
    local job="kt-import-$i" w=$((1 + RANDOM % 4))
    local common=(--checkpoint-dir "$IT/st" --report-json "$IT/report.json" --progress never --quiet)
    FIRST=("$FERRY" import-users --csv "$WORK/users.csv" --job-id "$job" --api-url "$URL" --create-org-if-missing
      --chunk-size 200 --workers "$w" --errors-out "$IT/errors.csv" "${common[@]}")
    RESUME=("$FERRY" resume "$job" "${common[@]}")
    STATUS=("$FERRY" status "$job" --checkpoint-dir "$IT/st" --json)
    run_job_with_kills '"memberships":[0-9]*' $rows $((1 + RANDOM % 3))
    check_import $rows $orgs "$IT/errors.csv"
    # a finished job sends nothing
    local r0; r0=$(stat "j['requests']")
    "${RESUME[@]}" >"$IT/again.log" 2>&1 || true
    [ "$(stat "j['requests']")" = "$r0" ] || PROBLEMS="$PROBLEMS finished-job-sent"
    report_iter import "$i"
  done
  SUMMARY="$SUMMARY
import  iterations $ITER  kills $S_KILLS  failed iterations $S_FAIL"
}
check_import() { # rows orgs errorsfile
  local out
  out=$(stats | python3 -c "
import json,sys,csv
s=json.load(sys.stdin); rows,orgs,ef,rep=int(sys.argv[1]),int(sys.argv[2]),sys.argv[3],sys.argv[4]
p=[]
for k,v in (('users',rows),('users_created',rows),('memberships',rows),('memberships_created',rows),('organizations',orgs),('organizations_created',orgs),('duplicate_creations',0)):
  if s[k]!=v: p.append(f'{k}={s[k]}!={v}')
r=json.load(open(rep))
if r['done']+r['failed']+r['invalid']!=r['rows'] or not r['equation_holds']: p.append('equation')
if (r['rows'],r['done'],r['failed'],r['invalid'])!=(rows+2,rows,0,2): p.append(f\"report rows={r['rows']} done={r['done']} failed={r['failed']} invalid={r['invalid']}\")
if r['status']!='finished': p.append('status='+r['status'])
e=list(csv.DictReader(open(ef)))
lines=[x['ferry_line'] for x in e]
if sorted(lines)!=sorted(set(lines)) or len(e)!=r['failed']+r['invalid']: p.append(f'errors-file {len(e)} lines {lines}')
print(' '.join(p)+' |replays='+str(s['idempotent_replays']))
" "$1" "$2" "$3" "$IT/report.json" 2>&1 || true)
  PROBLEMS="$PROBLEMS${out%%|*}"; EXTRA="${out##*|}"
}

# =============================== spec: JSONL + batch + results ===============================
scenario_spec() {
  local rows=800 i
  start_sim
  py "$WORK/docs.jsonl" $rows <<'EOF'
import sys, json
with open(sys.argv[1], 'w') as f:
    for i in range(1, int(sys.argv[2]) + 1):
        f.write(json.dumps({"id": i, "title": f"doc {i}", "content": f"document number {i} " + "lorem ipsum " * (i % 7)}) + "\n")
        if i == 100: f.write("{not json\n")
        if i == 500: f.write("[1,2]\n")
EOF
  cat >"$WORK/spec.yaml" <<'EOF'
version: 1
name: kill-trials-rag
source:
  jsonl: { path: "${INPUT}" }
targets:
  embeddings:
    base_url: "${SIM}/v1"
    headers: { Authorization: "Bearer ${EMB_KEY}" }
  qdrant:
    base_url: "${SIM}"
steps:
  - name: embed
    target: embeddings
    batch: { max_items: 16, linger: 20ms }
    request:
      method: POST
      path: /embeddings
      body: { model: text-embedding-3-small, input: "{{ batch.each(row.content) }}" }
    response: { items: "$.data", match: { index: "$.index" } }
    capture: { vector: "$.embedding" }
  - name: upsert
    target: qdrant
    batch: { max_items: 16, linger: 20ms }
    request:
      method: PUT
      path: "/collections/docs/points?wait=true"
      body:
        points: "{{ batch.each({id: row.id, vector: steps.embed.vector, payload: {title: row.title}}) }}"
    capture: { status: "$.result.status" }
key: "{{ row.id }}"
chunk_size: 100
sink:
  jsonl: { path: "${RESULTS}" }
EOF
  S_KILLS=0 S_FAIL=0
  for i in $(seq 1 "$ITER"); do
    curl -fsS -X POST "$URL/__reset" >/dev/null
    IT="$WORK/spec-$i"; mkdir -p "$IT"; PROBLEMS="" EXTRA=""
    local job="kt-spec-$i" w=$((1 + RANDOM % 4))
    export INPUT="$WORK/docs.jsonl" SIM="$URL" RESULTS="$IT/results.jsonl"
    local common=(--checkpoint-dir "$IT/st" --report-json "$IT/report.json" --progress never --quiet)
    FIRST=("$FERRY" run "$WORK/spec.yaml" --job-id "$job" --workers "$w" --errors-out "$IT/errors.csv" "${common[@]}")
    RESUME=("$FERRY" resume "$job" "${common[@]}")
    STATUS=("$FERRY" status "$job" --checkpoint-dir "$IT/st" --json)
    run_job_with_kills '"points":{"points":[0-9]*' $rows $((1 + RANDOM % 3))
    local out
    out=$(stats | python3 -c "
import json,sys,csv
s=json.load(sys.stdin); rows=int(sys.argv[1]); d=sys.argv[2]
p=[]
if s['points']['points']!=rows: p.append(f\"points={s['points']['points']}\")
r=json.load(open(d+'/report.json'))
if r['done']+r['failed']+r['invalid']!=r['rows'] or not r['equation_holds']: p.append('equation')
if (r['rows'],r['done'],r['failed'],r['invalid'])!=(rows+2,rows,0,2): p.append(f\"report rows={r['rows']} done={r['done']} failed={r['failed']} invalid={r['invalid']}\")
seen={}
raw=open(d+'/results.jsonl').read()
if raw and not raw.endswith('\n'): p.append('half-line')
for ln in raw.splitlines():
  o=json.loads(ln); seen[o['row']]=seen.get(o['row'],0)+1
  if o.get('job')!=sys.argv[3]: p.append('results-line-of-'+str(o.get('job')))
dup=[k for k,v in seen.items() if v>1]
if dup: p.append(f'results-twice={dup[:5]}')
if len(seen)!=rows: p.append(f'results-rows={len(seen)}')
e=list(csv.DictReader(open(d+'/errors.csv')))
if len(e)!=2: p.append(f'errors-file={len(e)}')
print(' '.join(p)+f\" |re-embedded={s['embeddings']['inputs']-rows} rewrites={s['points']['rewrites']}\")
" $rows "$IT" "$job" 2>&1 || true)
    PROBLEMS="$PROBLEMS${out%%|*}"; EXTRA="${out##*|}"
    report_iter spec "$i"
  done
  SUMMARY="$SUMMARY
spec    iterations $ITER  kills $S_KILLS  failed iterations $S_FAIL"
}

# =============================== sql: SQLite source + sql_update sink ===============================
scenario_sql() {
  local rows=1500 i
  start_sim
  cat >"$WORK/sql.yaml" <<'EOF'
version: 1
name: kill-trials-sql
source:
  sql: { url: "jdbc:sqlite:${DB}", query: "SELECT id, email, name FROM contacts", key: id }
targets:
  crm:
    base_url: "${SIM}"
    headers: { Authorization: "Bearer ${CRM_KEY}" }
steps:
  - name: create
    target: crm
    request:
      method: POST
      path: /crm/contacts
      body: { external_id: "c-{{ row.id }}", email: "{{ row.email }}", name: "{{ row.name }}" }
    idempotency_key: "kt-{{ job.id }}-{{ row.id }}"
    capture: { contact_id: "$.id" }
key: "{{ row.id }}"
chunk_size: 100
sink:
  sql_update: { url: "jdbc:sqlite:${DB}", table: contacts, key: id, set: { contact_id: create.contact_id } }
EOF
  S_KILLS=0 S_FAIL=0
  for i in $(seq 1 "$ITER"); do
    curl -fsS -X POST "$URL/__reset" >/dev/null
    IT="$WORK/sql-$i"; mkdir -p "$IT"; PROBLEMS="" EXTRA=""
    py "$IT/db.sqlite" $rows <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT, contact_id TEXT)")
c.executemany("INSERT INTO contacts (id, email, name) VALUES (?, ?, ?)",
              [(i, f"c{i}@example.com", f"Contact {i}") for i in range(1, int(sys.argv[2]) + 1)])
c.commit()
EOF
    local job="kt-sql-$i" w=$((1 + RANDOM % 4))
    export DB="$IT/db.sqlite" SIM="$URL"
    local common=(--checkpoint-dir "$IT/st" --report-json "$IT/report.json" --progress never --quiet)
    FIRST=("$FERRY" run "$WORK/sql.yaml" --job-id "$job" --workers "$w" --concurrency 3 --errors-out "$IT/errors.csv" "${common[@]}")
    RESUME=("$FERRY" resume "$job" "${common[@]}")
    STATUS=("$FERRY" status "$job" --checkpoint-dir "$IT/st" --json)
    run_job_with_kills '"crm":{"contacts":[0-9]*,"created":[0-9]*' $rows $((1 + RANDOM % 3))
    local out
    out=$(stats | python3 -c "
import json,sys,sqlite3,urllib.request
s=json.load(sys.stdin); rows=int(sys.argv[1]); d=sys.argv[2]; url=sys.argv[3]
p=[]; c=s['crm']
if (c['contacts'],c['created'],c['duplicate_creations'])!=(rows,rows,0): p.append(f\"crm contacts={c['contacts']} created={c['created']} dups={c['duplicate_creations']}\")
r=json.load(open(d+'/report.json'))
if (r['rows'],r['done'],r['failed'],r['invalid'])!=(rows,rows,0,0) or not r['equation_holds']: p.append(f\"report rows={r['rows']} done={r['done']}\")
db={k:v for k,v in sqlite3.connect(d+'/db.sqlite').execute('SELECT id, contact_id FROM contacts')}
bad=0
for k,v in db.items():
  if v is None: bad+=1; continue
  q=urllib.request.Request(url+'/crm/contacts/'+v, headers={'Authorization':'Bearer '+sys.argv[4]})
  o=json.load(urllib.request.urlopen(q))
  if o['external_id']!=f'c-{k}': bad+=1
if bad: p.append(f'sql-rows-wrong={bad}')
print(' '.join(p)+f\" |replays={s['idempotent_replays']}\")
" $rows "$IT" "$URL" "$CRM_KEY" 2>&1 || true)
    PROBLEMS="$PROBLEMS${out%%|*}"; EXTRA="${out##*|}"
    report_iter sql "$i"
  done
  SUMMARY="$SUMMARY
sql     iterations $ITER  kills $S_KILLS  failed iterations $S_FAIL"
}

# =============================== serve ===============================
scenario_serve() {
  local deliveries=80 pages=4 i
  SIM_LATENCY=40ms start_sim   # slower than the others: a kill finds items in flight
  cat >"$WORK/service.yaml" <<'EOF'
version: 1
name: kill-trials-serve
serve:
  routes:
    - path: /hook
      signature: { header: X-Sig, prefix: "sha256=", secret: "${WEBHOOK_SECRET}" }
      delivery_id: "$.id"
      items: "$.data"
  concurrency: 16
  lease: 2s
  retry_after: 1s
targets:
  embeddings:
    base_url: "${SIM}/v1"
    headers: { Authorization: "Bearer ${EMB_KEY}" }
  qdrant:
    base_url: "${SIM}"
steps:
  - name: embed
    target: embeddings
    batch: { max_items: 8, linger: 20ms }
    request:
      method: POST
      path: /embeddings
      body: { model: text-embedding-3-small, input: "{{ batch.each(row.text) }}" }
    response: { items: "$.data", match: { index: "$.index" } }
    capture: { vector: "$.embedding" }
  - name: upsert
    target: qdrant
    batch: { max_items: 8, linger: 20ms }
    request:
      method: PUT
      path: "/collections/pages/points?wait=true"
      body:
        points: "{{ batch.each({id: uuid5(row.url), vector: steps.embed.vector, payload: {url: row.url}}) }}"
key: "{{ row.url }}"
EOF
  S_KILLS=0 S_FAIL=0
  for i in $(seq 1 "$ITER"); do
    curl -fsS -X POST "$URL/__reset" >/dev/null
    IT="$WORK/serve-$i"; mkdir -p "$IT"; PROBLEMS="" EXTRA="" KILLS=0 WHENS="" RUNS=0
    export SIM="$URL"
    local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    local serve=("$FERRY" serve "$WORK/service.yaml" --checkpoint-dir "$IT/st" --port "$port")
    "${serve[@]}" >"$IT/serve$RUNS.log" 2>&1 & CHILD_PID=$!; RUNS=$((RUNS + 1))
    py "http://127.0.0.1:$port/hook" $deliveries $pages "$i" "$IT/sender.log" <<'EOF' &
import hmac, hashlib, json, os, random, sys, time, urllib.request
url, n, pages, it, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
secret = os.environ["WEBHOOK_SECRET"].encode()
rnd = random.Random(int(it))
def send(i):
    body = json.dumps({"id": f"d-{i}", "data": [{"url": f"https://example.com/{i}/{p}", "text": f"page {i} {p} " * (1 + p)}
                                                for p in range(pages)]}).encode()
    sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    for attempt in range(2000):
        try:
            req = urllib.request.Request(url, data=body, headers={"X-Sig": sig, "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as r:
                if 200 <= r.status < 300: return r.status, attempt
        except Exception:
            pass
        time.sleep(0.05)
    return None, attempt
with open(log, "w") as out:
    for i in range(n):
        st, att = send(i)
        out.write(f"d-{i} {st} {att}\n"); out.flush()
        if rnd.random() < 0.2:
            st2, _ = send(i)   # a redelivery of an acknowledged delivery: 200, not run again
            out.write(f"d-{i} redelivery {st2}\n"); out.flush()
        time.sleep(rnd.random() * 0.03)
EOF
    SENDER_PID=$!
    local nkill=$((1 + RANDOM % 3)) k d
    for k in $(seq 1 "$nkill"); do
      if [ $((RANDOM % 2)) = 0 ]; then
        d=$((RANDOM % 4000)); ms_sleep "$d"; WHEN="${d}ms"
      else  # while items are in flight
        for _ in $(seq 1 100); do
          [ "$(curl -fsS "http://127.0.0.1:$port/status" 2>/dev/null | grep -o '"in_flight" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0)" -gt 0 ] && break
          sleep 0.05
        done
        d=$((RANDOM % 100)); ms_sleep "$d"; WHEN="in-flight+${d}ms"
      fi
      if kill -9 "$CHILD_PID" 2>/dev/null; then wait "$CHILD_PID" 2>/dev/null || true; KILLS=$((KILLS + 1)); WHENS="$WHENS $WHEN"; fi
      d=$((RANDOM % 1500)); ms_sleep "$d"   # down for a while: the sender retries
      "${serve[@]}" >"$IT/serve$RUNS.log" 2>&1 & CHILD_PID=$!; RUNS=$((RUNS + 1))
    done
    wait "$SENDER_PID" || true; SENDER_PID=
    local drained=0
    for _ in $(seq 1 600); do
      if curl -fsS "http://127.0.0.1:$port/status" -o "$IT/status.json" 2>/dev/null \
        && [ "$(jget "$IT/status.json" "j.get('pending',1)+j.get('claimed',1)")" = 0 ]; then drained=1; break; fi
      sleep 0.2
    done
    [ "$drained" = 1 ] || PROBLEMS="$PROBLEMS not-drained"
    local out
    out=$(stats | python3 -c "
import json,sys
s=json.load(sys.stdin); total=int(sys.argv[1]); d=sys.argv[2]
p=[]
st=json.load(open(d+'/status.json'))
if s['points']['points']!=total: p.append(f\"points={s['points']['points']}\")
if st.get('done')!=total or st.get('failed')!=0: p.append(f\"queue done={st.get('done')} failed={st.get('failed')}\")
acked=[l for l in open(d+'/sender.log') if 'redelivery' not in l]
if len(acked)!=int(sys.argv[3]) or any(l.split()[1]=='None' for l in acked): p.append('not-all-acknowledged')
red=[l for l in open(d+'/sender.log') if 'redelivery' in l]
if any(l.split()[2]!='200' for l in red): p.append('redelivery-not-200')
again=s['embeddings']['inputs']-total
if again > int(sys.argv[4]) * 16: p.append(f're-embedded {again} > kills x concurrency (16)')  # docs/SERVE.md, SIGKILL
print(' '.join(p)+f\" |re-embedded={again} rewrites={s['points']['rewrites']} redeliveries={len(red)}\")
" $((deliveries * pages)) "$IT" $deliveries "$KILLS" 2>&1 || true)
    PROBLEMS="$PROBLEMS${out%%|*}"; EXTRA="${out##*|}"
    kill "$CHILD_PID" 2>/dev/null || true; wait "$CHILD_PID" 2>/dev/null || true; CHILD_PID=
    report_iter serve "$i"
  done
  SUMMARY="$SUMMARY
serve   iterations $ITER  kills $S_KILLS  failed iterations $S_FAIL"
}

# =============================== dist ===============================
owners() { psql -h 127.0.0.1 -U postgres -d test -Atc "SELECT count(DISTINCT lease_owner) FROM chunks WHERE job_id = '$1' AND state = 'LEASED'" 2>/dev/null || echo 0; }
scenario_dist() {
  local rows=1500 orgs=30 i
  start_sim
  [ -f "$WORK/users.csv" ] || { "$FERRY" generate-users --rows $rows --orgs $orgs --out "$WORK/users.csv" >/dev/null
    printf 'not-an-email,A,B,true,ext-x1,org-1,"Org 1, Inc.",member\nuser5@example.com,Dup,B,true,ext-x2,org-1,"Org 1, Inc.",member\n' >>"$WORK/users.csv"; }
  S_KILLS=0 S_FAIL=0 DIST=1
  local stamp; stamp=$(date +%s)
  for i in $(seq 1 "$ITER"); do
    curl -fsS -X POST "$URL/__reset" >/dev/null
    IT="$WORK/dist-$i"; mkdir -p "$IT"; PROBLEMS="" EXTRA="" KILLS=0 WHENS="" RUNS=0
    local job="kt-dist-$stamp-$i"
    local common=(--store "$PG" --lease 2s --report-json "$IT/report.json" --progress never --quiet --concurrency 4 --workers 2 --rate-limit 200)
    "$FERRY" import-users --csv "$WORK/users.csv" --job-id "$job" --api-url "$URL" --create-org-if-missing \
      --chunk-size 100 --errors-out "$IT/errors.csv" "${common[@]}" >"$IT/a.log" 2>&1 &
    CHILD_PID=$!; RUNS=1
    # wait until A sends, then start B and kill it while it holds leases
    for _ in $(seq 1 300); do [ "$(stat "j['requests']")" != 0 ] && break; sleep 0.1; done
    local nb=$((1 + RANDOM % 2)) k d
    for k in $(seq 1 "$nb"); do
      "$FERRY" worker "$job" --store "$PG" --lease 2s --progress never --quiet --concurrency 4 --workers 2 --rate-limit 200 \
        --report-json "$IT/b$k.json" >"$IT/b$k.log" 2>&1 &
      CHILD2_PID=$!; RUNS=$((RUNS + 1))
      # once it holds a lease (two owners hold chunks), 0-3.5 s more: before or after its 3 s join wait ends
      for _ in $(seq 1 200); do
        [ "$(owners "$job")" -ge 2 ] && break
        kill -0 "$CHILD2_PID" 2>/dev/null || break; sleep 0.05
      done
      d=$((RANDOM % 3500)); ms_sleep "$d"
      local held; held=$(owners "$job")
      if kill -9 "$CHILD2_PID" 2>/dev/null; then wait "$CHILD2_PID" 2>/dev/null || true; KILLS=$((KILLS + 1)); WHENS="$WHENS worker(owners=$held)+${d}ms"
      else wait "$CHILD2_PID" 2>/dev/null || true; WHENS="$WHENS worker-ended"; fi
      CHILD2_PID=
    done
    local arc=0
    if [ $((RANDOM % 3)) = 0 ] && kill -9 "$CHILD_PID" 2>/dev/null; then  # sometimes the first process dies too
      wait "$CHILD_PID" 2>/dev/null || true; KILLS=$((KILLS + 1)); WHENS="$WHENS first"; CHILD_PID=
      set +e; "$FERRY" resume "$job" "${common[@]}" >"$IT/resume.log" 2>&1; arc=$?; set -e; RUNS=$((RUNS + 1))
    else
      set +e; wait "$CHILD_PID"; arc=$?; set -e; CHILD_PID=
    fi
    [ "$arc" = 1 ] || PROBLEMS="$PROBLEMS exit=$arc"
    check_import $rows $orgs "$IT/errors.csv"
    local st; st=$("$FERRY" status "$job" --store "$PG" --json 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])" || echo none)
    [ "$st" = finished ] || PROBLEMS="$PROBLEMS store-status=$st"
    report_iter dist "$i"
  done
  DIST=0
  SUMMARY="$SUMMARY
dist    iterations $ITER  kills $S_KILLS  failed iterations $S_FAIL"
}

echo "kill-trials: seed $SEED, $ITER iterations per scenario, work in $WORK"
[ "$SCEN" = all ] && SCEN=import,spec,sql,serve,dist
for s in ${SCEN//,/ }; do
  case "$s" in
    import|spec|sql|serve|dist) "scenario_$s" ;;
    *) echo "kill-trials: unknown scenario '$s'" >&2; exit 2 ;;
  esac
done
echo "kill-trials: summary (seed $SEED)$SUMMARY"
[ "$FAILED" = 0 ] && { echo PASS; exit 0; }
echo "FAIL: $FAILED iteration(s) failed"; exit 1
