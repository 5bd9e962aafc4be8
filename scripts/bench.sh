#!/usr/bin/env bash
# The JMH suite, all sections in one run (docs/benchmarks.md says what each measures and how long
# a run takes), then the report: raw JMH results in docs/benchmarks-SECTION.json, all of them
# (but the one-CPU pass) merged into docs/benchmarks.json, the tables in docs/benchmarks.md.
#
#   scripts/bench.sh            # full run: the iterations and forks the benchmark classes declare
#   scripts/bench.sh --quick    # short run (1 fork, 2 x 0.5 s warm-up, 3 x 0.5 s measured): the
#                               # report is labelled preliminary
# Environment: JAVA (default: java on the PATH), BENCH_NOTE (a sentence added to the report, e.g.
# what else the machine was doing), BENCH_SKIP_BUILD=1 (use target/benchmarks.jar as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java}
mode=full
case "${1:-}" in
  "") ;;
  --quick) mode=quick ;;
  *) echo "usage: scripts/bench.sh [--quick]" >&2; exit 2 ;;
esac

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
opts=()
if [ "$mode" = quick ]; then
  opts=(-f 1 -wi 2 -w 500ms -i 3 -r 500ms)
fi
mkdir -p docs
rm -f docs/benchmarks-*.json

meta=docs/benchmarks-meta.json
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
others=$(pgrep -c java || true)
# The code measured: the commit, and whether src/ or pom.xml differed from it at the start.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src pom.xml 2>/dev/null)" ]; then commit="$commit + uncommitted changes"; fi
# Steal time (field 8 of the cpu line, in USER_HZ ticks): CPU the host gave to others meanwhile.
steal_start=$(awk '/^cpu /{print $9}' /proc/stat)

# run SECTION [PREFIX...] -- JMH ARGS: one JMH invocation, results in docs/benchmarks-SECTION.json
run() {
  local section=$1; shift
  local prefix=()
  while [ "$1" != -- ]; do prefix+=("$1"); shift; done
  shift
  echo "== $section: ${prefix[*]} $JAVA ${jvm_opts[*]} -jar $jar ${opts[*]} $*"
  "${prefix[@]}" "$JAVA" "${jvm_opts[@]}" -jar "$jar" -foe true "${opts[@]}" -rf json -rff "docs/benchmarks-$section.json" "$@"
}

run uncontended -- -prof gc 'dev\.keyedmutex\.bench\.UncontendedBench\.'
run pingpong -- -prof gc 'dev\.keyedmutex\.bench\.PingPongBench\.'
# Spinning must not collapse on one CPU: the same hand-offs with the JVM pinned to CPU 0
# (busy-spin is left out: there it only moves when the scheduler preempts it).
run pingpong-1cpu taskset -c 0 -- -prof gc 'dev\.keyedmutex\.bench\.PingPongBench\.(?!busySpin)'
# The keyed ping-pong at each placement of the mutex against a cache-line boundary (2c). It reads
# addresses through sun.misc.Unsafe; if a JVM refuses that, the report leaves 2c out and says so.
run placement -- 'dev\.keyedmutex\.bench\.PlacementBench\.' \
  || { echo "bench: the placement section failed (see above); section 2c is left out" >&2; rm -f docs/benchmarks-placement.json; }
run ring -- 'dev\.keyedmutex\.bench\.RingBench\.'
run timeout -- 'dev\.keyedmutex\.bench\.TimeoutBench\.'
run crossprocess -- 'dev\.keyedmutex\.bench\.CrossProcessBench\.'
echo "== futex: scripts/futex_pingpong.c"
gcc -O2 -Wall -o target/futex_pingpong scripts/futex_pingpong.c
if [ "$mode" = quick ]; then
  target/futex_pingpong 20000 5 > docs/benchmarks-futex.json
else
  target/futex_pingpong 100000 9 > docs/benchmarks-futex.json
fi
cat docs/benchmarks-futex.json
for t in 2 4 8; do
  run "contended-t$t" -- -t "$t" 'dev\.keyedmutex\.bench\.ContendedBench\.'
done

end=$(date +%s)
steal_end=$(awk '/^cpu /{print $9}' /proc/stat)
BENCH_COMMIT=$commit BENCH_STEAL_TICKS=$(( steal_end - steal_start )) BENCH_HZ=$(getconf CLK_TCK) \
BENCH_MODE=$mode BENCH_START=$start BENCH_END=$end BENCH_LOAD_START=$load_start BENCH_OTHERS=$others \
BENCH_JAVA_VERSION=$("$JAVA" -version 2>&1 | head -n 2 | paste -sd ' ') \
BENCH_CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1) \
python3 - "$meta" <<'PY'
import json, os, subprocess, sys
e = os.environ
json.dump({
    "mode": e["BENCH_MODE"],
    "start": int(e["BENCH_START"]), "end": int(e["BENCH_END"]),
    "seconds": int(e["BENCH_END"]) - int(e["BENCH_START"]),
    "java": e["BENCH_JAVA_VERSION"],
    "cpu": e["BENCH_CPU"],
    "cores": os.cpu_count(),
    "kernel": " ".join(os.uname()[i] for i in (0, 2)),
    "loadStart": e["BENCH_LOAD_START"],
    "loadEnd": open("/proc/loadavg").read().split()[:3],
    "otherJavaProcesses": int(e["BENCH_OTHERS"] or 0),
    "note": e.get("BENCH_NOTE", ""),
    "commit": e["BENCH_COMMIT"],
    "stealSeconds": int(e["BENCH_STEAL_TICKS"]) / int(e["BENCH_HZ"]),
}, open(sys.argv[1], "w"), indent=1)
PY
python3 scripts/bench-report.py docs
echo "bench: $mode run took $(( end - start )) s; wrote docs/benchmarks.md and docs/benchmarks.json"
