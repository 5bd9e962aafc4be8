#!/usr/bin/env bash
# Smoke pass of the JMH suite, for CI: every benchmark once, a fraction of a second each (no
# warmup, one 100 ms iteration, one fork), so that the suite never rots. The figures mean nothing.
# Fails (non-zero) if the jar does not build, a benchmark fails, or one has no result.
#   scripts/bench-smoke.sh            # on the default java; JAVA=/path/to/bin/java to choose
# About 40 s on a 2-core machine, plus the build (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java}

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  mvn -q -B -Pbench -DskipTests package
fi
jar=target/benchmarks.jar
# JDK 23+: JMH 1.37 calls sun.misc.Unsafe, which prints a deprecation warning per JVM; this flag
# (unknown to older JDKs) silences it. JMH's forks inherit the host JVM's options.
jvm_opts=()
feature=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${feature:-17}" -ge 23 ] 2>/dev/null; then
  jvm_opts+=(--sun-misc-unsafe-memory-access=allow)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

start=$(date +%s)
# Every benchmark and every param combination (the ring up to 64 threads). -foe: stop at the first failure.
# A hang is a failure too: the whole pass gets 5 minutes.
status=0
timeout --kill-after=20 300 "$JAVA" "${jvm_opts[@]}" -jar "$jar" -foe true -f 1 -wi 0 -i 1 -w 100ms -r 100ms \
  -rf json -rff "$out/smoke.json" 'dev\.keyedmutex\.bench\.' > "$out/smoke.log" 2>&1 || status=$?
grep -E '^# (Benchmark|Parameters):|^Benchmark |ERROR|Exception|WARNING' "$out/smoke.log" || true
if [ "$status" != 0 ]; then
  tail -n 60 "$out/smoke.log" >&2
  echo "bench-smoke: JMH exited with status $status" >&2
  exit 1
fi

# JDK 22+: a fork that uses the shm provider (JNA) without --enable-native-access warns.
if grep -q 'WARNING: A restricted method' "$out/smoke.log"; then
  echo "bench-smoke: a fork called a restricted method without --enable-native-access" >&2
  exit 1
fi

# Every benchmark in the jar must have a result with a finite score.
"$JAVA" "${jvm_opts[@]}" -cp "$jar" org.openjdk.jmh.Main -l 'dev\.keyedmutex\.bench\.' | grep '^ *dev\.keyedmutex' \
  | sed 's/^ *//' > "$out/list.txt"
python3 - "$out/list.txt" "$out/smoke.json" <<'PY'
import json, math, sys
listed = {l.strip() for l in open(sys.argv[1]) if l.strip()}
results = json.load(open(sys.argv[2]))
seen, bad = set(), []
for r in results:
    seen.add(r["benchmark"])
    s = r["primaryMetric"]["score"]
    if not isinstance(s, (int, float)) or math.isnan(s) or math.isinf(s):
        bad.append(r["benchmark"])
# Group benchmarks are listed as CLASS.group; the JSON names them the same way.
missing = sorted(listed - seen)
if missing or bad:
    print("bench-smoke: no result for", missing, "bad score for", bad, file=sys.stderr)
    sys.exit(1)
print(f"bench-smoke: {len(results)} results, all {len(listed)} benchmarks ran")
PY
echo "bench-smoke: OK in $(( $(date +%s) - start )) s"
