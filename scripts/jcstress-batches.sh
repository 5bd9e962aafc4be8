#!/usr/bin/env bash
# The full -m default run (docs/jcstress.md) in batches of whole test classes, B01..B10, each its
# own jcstress invocation with its own log; resumable: a batch with an "end ... rc=0" line in
# OUTDIR/progress is skipped. About 5.7 hours in all on 2 cores; build first:
#   mvn -q -B -Pjcstress -DskipTests package && scripts/jcstress-batches.sh results/default
# Summarise a batch with scripts/jcstress-summary.py OUTDIR/B01.log.
out=${1:?usage: scripts/jcstress-batches.sh OUTDIR (progress, logs and results go there; re-run to resume)}
jar=${JCSTRESS_JAR:-$(dirname "$0")/../target/jcstress.jar}
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
[ -f "$jar" ] || { echo "jcstress-batches: no $jar (build it first)" >&2; exit 1; }
mkdir -p "$out"
cd "$out"
run() { # name regex-of-class-names
  local name=$1 re="^dev\\.keyedmutex\\.stress\\.($2)Stress\$"
  grep -q "^$name end .* rc=0" progress 2>/dev/null && return
  echo "$name start $(date -u +%FT%TZ) $re" >> progress
  java -jar "$jar" -t "$re" -v -r ./res-$name > ./$name.log 2>&1
  echo "$name end $(date -u +%FT%TZ) rc=$?" >> progress
}
run B01 'AbandonmentTermination|AcquireWakesOnInterrupt|AcquireWakesOnRelease|ConditionSignalTermination|FairAcquireWakesOnRelease|FairAcquireWakesOnInterrupt|FairConditionSignalTermination|FairLockAcquireWakesOnInterrupt|FairLockAcquireWakesOnRelease|FairLockNotWokenByOtherKey|FairNotWokenByOtherKey|LockAcquireWakesOnInterrupt|LockAcquireWakesOnRelease|LockNotWokenByOtherKey|NotWokenByOtherKey'
run B02 'ConditionVisibility|FairConditionVisibility|ForeignRelease|FairForeignRelease'
run B03 'LockForeignRelease|FairLockForeignRelease|MutexExclusion|FairMutexExclusion'
run B04 'LockExclusion|FairLockExclusion|TimedExclusion|KeyGating'
run B05 'HandOff|FairHandOff|LockHandOff|FairLockHandOff'
run B06 'FairGrantedHandOff|QueuedHandOff|RingTurn|ReentrantHold'
run B07 'FairReentrantHold|PrivateDataWhole|FairPrivateDataWhole|TimeoutVsHandOff'
run B08 'FairTimeoutVsHandOff|LockTimeoutVsHandOff|FairLockTimeoutVsHandOff|KeyGatingRace'
run B09 'FairKeyGatingRace|LockKeyGatingRace|FairLockKeyGatingRace'
run B10 'SharedExclusion|SharedForeignRelease|SharedHandOff|SharedKeyGatingRace|SharedPrivateDataWhole|SharedTimeoutVsHandOff'
