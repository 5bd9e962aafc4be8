#!/usr/bin/env bash
# Prints the machine code C2 makes of one uncontended acquire+release pair: the local KeyedMutex,
# a KeyedMutexLock and ReentrantLock, from the entry to the first return (the fast path), and how
# many locked (atomic) instructions each has. Needs objdump (binutils); no hsdis plugin: HotSpot
# prints the code as hex, scripts/asm/disassemble.py decodes it. About 10 s; run it on a build:
#   mvn -q -B -DskipTests package && scripts/fastpath-asm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java}
JAVAC=${JAVAC:-javac}
command -v objdump >/dev/null || { echo "fastpath-asm: objdump (binutils) is needed" >&2; exit 1; }
[ -d target/classes/dev/keyedmutex ] || { echo "fastpath-asm: build first (mvn -q -B -DskipTests package)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$JAVAC" -cp target/classes -d "$work" scripts/asm/FastPathProbe.java
"$JAVA" -cp "target/classes:$work" -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet \
  -XX:CompileCommand=dontinline,FastPathProbe::* -XX:CompileCommand=print,FastPathProbe::keyed \
  -XX:CompileCommand=print,FastPathProbe::keyedLock -XX:CompileCommand=print,FastPathProbe::reentrant \
  FastPathProbe > "$work/asm.log" 2>&1
"$JAVA" -version 2>&1 | head -1
python3 scripts/asm/disassemble.py "$work/asm.log" FastPathProbe::keyed FastPathProbe::keyedLock FastPathProbe::reentrant
