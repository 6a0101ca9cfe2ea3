#!/usr/bin/env bash
# GNU parallel + curl peers for benchmarks/run-peers.sh. Each reads the users CSV of
# `ferry generate-users --orgs 0` (email,first_name,last_name,email_verified,external_id; no quoted
# fields), POSTs one JSON body per row to URL/user_management/users with the same headers as the Java
# peers, lets curl retry 429s after their Retry-After (--retry), and prints one JSON line like them.
#
#   parallel-curl.sh per-line CSV URL JOBS [RATE]   one curl process per row, JOBS at once; with RATE
#                                                   (req/s) GNU parallel starts at most RATE jobs a second
#                                                   (--delay 1/RATE), which is how parallel paces.
#   parallel-curl.sh batched CSV URL JOBS PER_CURL BLOCK
#                                                   GNU parallel cuts the rows into blocks of BLOCK lines
#                                                   (--pipe -N), JOBS blocks at once; awk turns a block into
#                                                   a curl config and one curl sends it with
#                                                   --parallel --parallel-max PER_CURL: JOBS x PER_CURL in
#                                                   flight. No pacing (curl's --rate does not apply to
#                                                   --parallel), so it is only used without a limit.
# The key comes from WORKOS_SECRET_KEY (default sk_test_x), as for ferry.
set -euo pipefail
mode=${1:?mode: per-line or batched}; csv=${2:?csv}; url=${3:?url}; jobs=${4:?jobs}
key=${WORKOS_SECRET_KEY:-sk_test_x}
endpoint="$url/user_management/users"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
codes=$(mktemp)
trap 'rm -f "$codes"' EXIT
start=$(date +%s.%N)

case "$mode" in
  per-line)
    rate=${5:-none}
    delay=()
    if [ "$rate" != none ]; then delay=(--delay "$(awk -v r="$rate" 'BEGIN{printf "%.4f", 1/r}')"); fi
    tail -n +2 "$csv" | parallel -j "$jobs" "${delay[@]}" --colsep , -q \
      curl -sS -o /dev/null -w '%{http_code}\n' --retry 20 \
        -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"email":"{1}","first_name":"{2}","last_name":"{3}","email_verified":{4},"external_id":"{5}"}' \
        "$endpoint" > "$codes" || true   # parallel exits with the number of failed curls: counted below
    peer=parallel-curl
    ;;
  batched)
    per_curl=${5:?per_curl}; block=${6:?block}
    export PEER_ENDPOINT="$endpoint" PEER_KEY="$key" PEER_PER_CURL="$per_curl"
    # shellcheck disable=SC2016 # expanded by the shell parallel starts
    tail -n +2 "$csv" | parallel --pipe -N "$block" -j "$jobs" \
      'awk -F, -v u="$PEER_ENDPOINT" -v k="$PEER_KEY" '\''
         NR > 1 { print "next" }
         { printf "url = \"%s\"\nheader = \"Authorization: Bearer %s\"\nheader = \"Content-Type: application/json\"\n", u, k
           printf "data = \"{\\\"email\\\":\\\"%s\\\",\\\"first_name\\\":\\\"%s\\\",\\\"last_name\\\":\\\"%s\\\",\\\"email_verified\\\":%s,\\\"external_id\\\":\\\"%s\\\"}\"\n", $1, $2, $3, $4, $5
           print "output = \"/dev/null\"\nwrite-out = \"%{http_code}\\n\"\nretry = 20" }'\'' \
       | curl -s --parallel --parallel-max "$PEER_PER_CURL" -K - 2>/dev/null' > "$codes" || true
    peer=parallel-curl-batched
    ;;
  *) echo "unknown mode: $mode" >&2; exit 2 ;;
esac

end=$(date +%s.%N)
awk -v peer="$peer" -v s="$start" -v e="$end" '
  { n++ } /^2/ { ok++ } !/^2/ { err++ }
  END { t = e - s; printf "{\"peer\":\"%s\",\"rows\":%d,\"ok\":%d,\"rate_limited\":null,\"errors\":%d,\"seconds\":%.3f,\"rows_per_s\":%.1f}\n", peer, n, ok, err, t, n / t }' "$codes"
