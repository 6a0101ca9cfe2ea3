#!/usr/bin/env bash
# Seed 004 measured (issue 15, item 5): a JMH benchmark of ferry's live pool draining a bounded request queue
# (capacity 100, BLOCK) through one serial section, the seed's stream mutex. Never part of the test suite.
#
#   benchmarks/pool.sh [-o OUTDIR] [JMH options...]
#
# Default JMH options: -wi 1 -i 3 -r 2s -f 1 (short: ~3 s of measurement a point). Two runs:
#   1. the seed's benchmark: workers 1,2,4,8,16 x hold 0.5/2/10 ms, no parallel work (T_proc = 0);
#   2. the seed's worked example: T_proc = 5 ms of parallel work, then T_send = 2 ms under the mutex.
# Output in OUTDIR (default benchmarks/results/pool-<date>): jmh-*.txt and jmh-*.json (JMH's own results),
# metrics.csv (the serial section's wait and hold per trial, from PoolMetrics) and pool.md (the table).
# Work is simulated by sleeping, so the benchmark loads a CPU very little; the score still depends on how
# promptly sleeping threads wake on the host (see docs/POOL.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/find-jdk.sh"
ferry_find_jdk
JAVA="$JAVA_HOME/bin/java"
OUT="$ROOT/benchmarks/results/pool-$(date +%Y%m%d-%H%M%S)"
if [ "${1:-}" = -o ]; then OUT=$2; shift 2; fi
JMH_OPTS=("$@")
[ ${#JMH_OPTS[@]} -eq 0 ] && JMH_OPTS=(-wi 1 -i 3 -r 2s -f 1)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# dev.ferry:ferry-core into the local Maven repository, then the JMH jar that depends on it (and shades it in)
(cd "$ROOT" && ./mvnw -B -q -DskipTests -Dmaven.javadoc.skip=true -pl ferry-core -am install \
  && ./mvnw -B -q -f benchmarks/pool/pom.xml package)
CP="$ROOT/benchmarks/pool/target/pool-benchmarks.jar"
run() { # name, then JMH options
  local name=$1; shift
  "$JAVA" -cp "$CP" org.openjdk.jmh.Main SerialDrain "${JMH_OPTS[@]}" "$@" -rf json -rff "$OUT/jmh-$name.json" \
    -jvmArgsAppend "-Dferry.pool.metrics=$OUT/metrics.csv" | tee "$OUT/jmh-$name.txt"
}
{ echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$JAVA" -version 2>&1 | head -1; } > "$OUT/host.txt"
run seed -p procMs=0
run proc -p procMs=5 -p holdMs=2
echo "# after: load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/host.txt"

awk -F, 'FNR == 1 { next }
  NR == FNR { if ($1 == 1) base[$3 "," $2] = $6; next }
  { b = base[$3 "," $2]
    printf "| %s | %s | %s | %.0f | %.0f | %s | %.3f | %.3f | %.0f %% |\n", $1, $2, $3, $6, $7,
      (b > 0 ? sprintf("%.2f", $6 / b) : "-"), $10, $9, 100 * $11 }' \
  "$OUT/metrics.csv" "$OUT/metrics.csv" > "$OUT/rows.md"
{ echo "| workers | hold ms | proc ms | requests/s | 1/hold | speedup | hold ms/pass | wait ms/pass | section busy |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  sort -t'|' -k4,4n -k3,3n -k2,2n "$OUT/rows.md"; } > "$OUT/pool.md"
rm "$OUT/rows.md"
cat "$OUT/host.txt" "$OUT/pool.md"
