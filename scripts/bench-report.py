#!/usr/bin/env python3
"""Writes docs/benchmarks.md (and docs/benchmarks.json) from the raw results of scripts/bench.sh.

usage: scripts/bench-report.py [DOCS_DIR]    (default: docs)

Reads DOCS_DIR/benchmarks-SECTION.json (JMH -rf json, one file per section), benchmarks-futex.json
(scripts/futex_pingpong.c) and benchmarks-meta.json (machine, JDK, duration); merges the JMH results
of the normal run into benchmarks.json; writes benchmarks.md: a table per section (median with
min-max, each figure's ratio to its anchors from the same run) and the issue's targets, met or
missed by how much. A hand-written block between the NOTES markers of an existing benchmarks.md is
kept (the analysis of why a target is missed).
"""
import datetime
import json
import statistics
import os
import sys

NOTES_BEGIN = "<!-- NOTES: hand-written, kept by scripts/bench-report.py -->"
NOTES_END = "<!-- /NOTES -->"
PKG = "dev.keyedmutex.bench."

# What a full run (the iterations and forks the classes declare) costs, per JMH invocation of
# scripts/bench.sh: (benchmarks x param combinations x thread counts, forks, seconds per fork).
# Keep in step with the @Fork/@Warmup/@Measurement annotations.
FULL_PLAN = {
    "uncontended": (6, 2, 5 * 1 + 5 * 1),
    "pingpong": (7, 2, 5 * 1 + 5 * 1),
    "pingpong-1cpu": (6, 2, 5 * 1 + 5 * 1),
    "placement": (8, 1, 3 * 1 + 4 * 1),
    "ring": (16, 1, 3 * 1 + 5 * 1),
    "timeout": (9, 1, 2 * 1 + 5 * 2),
    "crossprocess": (2, 2, 5 * 1 + 5 * 1),
    "contended-t2": (4, 2, 3 * 1 + 5 * 1),
    "contended-t4": (4, 2, 3 * 1 + 5 * 1),
    "contended-t8": (4, 2, 3 * 1 + 5 * 1),
}


def load(docs):
    sections = {}
    for f in sorted(os.listdir(docs)):
        if f.startswith("benchmarks-") and f.endswith(".json") and f not in ("benchmarks-meta.json", "benchmarks-futex.json"):
            sections[f[len("benchmarks-"):-len(".json")]] = json.load(open(os.path.join(docs, f)))
    meta = json.load(open(os.path.join(docs, "benchmarks-meta.json")))
    futex_path = os.path.join(docs, "benchmarks-futex.json")
    futex = json.load(open(futex_path)) if os.path.exists(futex_path) else None
    return sections, meta, futex


class Results:
    def __init__(self, sections):
        self.sections = sections

    def find(self, section, name, **params):
        for r in self.sections.get(section, []):
            if r["benchmark"] != PKG + name:
                continue
            if all(str(r.get("params", {}).get(k)) == str(v) for k, v in params.items()):
                return r
        return None


def pct(r, p):
    return r["primaryMetric"]["scorePercentiles"][p]


def median(r):
    return None if r is None else pct(r, "50.0")


def secondary(r, name):
    m = r["secondaryMetrics"].get(name) if r else None
    return None if m is None else m["score"]


def cpu_per_op(r, ops_per_unit=1.0):
    """CPU us per operation from the ThreadCpu/Cpu aux counters (cpuNanos, cpuOps)."""
    nanos, ops = secondary(r, "cpuNanos"), secondary(r, "cpuOps")
    if not nanos or not ops:
        return None
    return nanos / (ops * ops_per_unit) / 1e3


def samples(r):
    """The number of samples of a SampleTime result (rawDataHistogram: fork, iteration, [value, count])."""
    if r is None:
        return "n/a"
    return sum(c for fork in r["primaryMetric"].get("rawDataHistogram", []) for it in fork for _, c in it)


def fmt(x, digits=3):
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 10 ** digits:
        return f"{x:,.0f}"
    for d in range(digits):
        if a >= 10 ** (digits - 1 - d):
            return f"{x:.{d}f}"
    return f"{x:.{digits}g}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fx(x):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}×"
    if x >= 10:
        return f"{x:.1f}×"
    return f"{x:.3f}×" if x < 0.1 else f"{x:.2f}×"


def bop(x):
    """Bytes per operation (JMH's gc.alloc.rate.norm; JMH's own allocation shows as a few thousandths)."""
    return "n/a" if x is None else f"{x:.2f}"


def span(r, scale=1.0):
    if r is None:
        return "n/a"
    return f"{fmt(pct(r, '0.0') * scale)}–{fmt(pct(r, '100.0') * scale)}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def verdict(value, limit, at_most=True):
    """'met', or 'missed by ...' (how far past the limit), or 'n/a'."""
    if value is None:
        return "n/a (no result)"
    ok = value <= limit if at_most else value >= limit
    if ok:
        return "**met**"
    if limit == 0 or value == 0:
        return "**missed**"
    factor = value / limit if at_most else limit / value
    if factor >= 2:
        return f"**missed** by {factor:.1f}×"
    percent = (factor - 1) * 100
    if percent < 0.1:
        return "**missed** by < 0.1 %"
    return f"**missed** by {percent:.1f} %" if percent < 1 else f"**missed** by {percent:.0f} %"


def report(docs):
    sections, meta, futex = load(docs)
    R = Results(sections)
    quick = meta.get("mode") == "quick"
    any_result = next((r for s in sections.values() for r in s), None)
    when = datetime.datetime.fromtimestamp(meta["start"], datetime.timezone.utc)
    md = []
    title = "# Benchmarks" + (" — PRELIMINARY (short run)" if quick else "")
    md.append(title)
    md.append("")
    md.append("Generated by `scripts/bench-report.py` from the JMH suite in `src/jmh/java` "
              "(`dev.keyedmutex.bench`); raw results: `docs/benchmarks.json` (JMH JSON, every section "
              "but the one-CPU pass) and `docs/benchmarks-SECTION.json`. Every ratio divides two "
              "figures of **this** run. Medians are over the measured iterations of all forks "
              "(sections 1–3, 5, 6) or over all samples (section 4); min–max likewise.")
    md.append("")
    if quick:
        md.append("> **Preliminary.** A short run (`scripts/bench.sh --quick`: one fork, 2 × 0.5 s "
                  "warm-up, 3 × 0.5 s measured per benchmark), to validate the pipeline end to end. "
                  "Do not quote these figures as the library's performance.")
        md.append("")
    if meta.get("note"):
        md.append(f"> {meta['note']}")
        md.append("")
    jdk = any_result and f"{any_result['vmName']} {any_result['jdkVersion']} ({any_result['vmVersion']})"
    md.append(table(["", ""], [
        ["date", when.strftime("%Y-%m-%d %H:%M UTC")],
        ["JDK", jdk or meta.get("java")],
        ["CPU", f"{meta.get('cpu')} (lscpu model name)"],
        ["cores", f"{meta.get('cores')} (the JVM's availableProcessors; section 2b pins to 1)"],
        ["OS", meta.get("kernel")],
        ["load average", f"{meta.get('loadStart')} at the start, {' '.join(meta.get('loadEnd', []))} at the end; "
                         f"{meta.get('otherJavaProcesses')} other java processes running at the start"],
        ["run", f"`scripts/bench.sh{' --quick' if quick else ''}`, {meta['seconds'] / 60:.1f} min"],
        ["code", f"commit {meta.get('commit', 'not recorded')}"],
    ] + ([["host steal time", f"{meta['stealSeconds']:.1f} s of vCPU time over the run "
                               f"({meta['stealSeconds'] / max(1, meta['seconds'] * (meta.get('cores') or 1)) * 100:.1f} %): "
                               "the host ran something else on this VM's CPUs"]]
         if "stealSeconds" in meta else [])))
    md.append("")

    # ------------------------------------------------------------------ 1 uncontended
    md.append("## 1. Uncontended acquire + release (ns per pair, one thread)")
    md.append("")
    md.append("`UncontendedBench`, `-prof gc` for B/op; lower is better; ratios are this row ÷ the anchor.")
    md.append("")
    names = [("keyedLocal", "`local` KeyedMutex `acquire(0)`/`release(0)`"),
             ("keyedMutexLock", "`KeyedMutexLock` `lock()`/`unlock()`"),
             ("keyedShm", "`shm` KeyedMutex `acquire(0)`/`release(0)`"),
             ("reentrantLock", "anchor: `ReentrantLock`"),
             ("synchronizedBlock", "anchor: `synchronized`"),
             ("casSpinLock", "anchor: CAS spin lock")]
    un = {n: R.find("uncontended", "UncontendedBench." + n) for n, _ in names}
    rows = []
    for n, label in names:
        r = un[n]
        m = median(r)
        rows.append([label, fmt(m), span(r), bop(secondary(r, "gc.alloc.rate.norm")),
                     fx(ratio(m, median(un["reentrantLock"]))), fx(ratio(m, median(un["synchronizedBlock"]))),
                     fx(ratio(m, median(un["casSpinLock"])))])
    md.append(table(["figure", "median ns", "min–max", "B/op", "× ReentrantLock", "× synchronized", "× CAS spin"], rows))
    md.append("")

    # ------------------------------------------------------------------ 2 ping-pong
    md.append("## 2. Two-thread hand-off ping-pong (round-trip time, us)")
    md.append("")
    md.append("`PingPongBench`: two threads in a JMH group, an operation of either is one round trip. "
              "CPU is what both threads burn per round trip (`ThreadMXBean` current-thread CPU time over each "
              "iteration, both threads, ÷ round trips; "
              "CPU ÷ RTT = cores kept busy). Lower is better; ratios are this row ÷ the anchor.")
    md.append("")
    pp_names = [("keyed", "keyed `acquire(0)..release(1)` / `acquire(1)..release(0)`"),
                ("keyedLock", "`KeyedMutexLock` `lock(k)..unlock(next)`"),
                ("reentrantConditions", "anchor: `ReentrantLock` + 2 `Condition`s"),
                ("synchronousQueue", "anchor: `SynchronousQueue`"),
                ("exchanger", "anchor: `Exchanger`"),
                ("parkUnpark", "anchor: `LockSupport` park/unpark"),
                ("busySpin", "anchor: busy-spin on a volatile")]
    anchors = ["reentrantConditions", "synchronousQueue", "exchanger", "parkUnpark", "busySpin"]
    anchor_labels = ["× RL+Conditions", "× SynchronousQueue", "× Exchanger", "× park/unpark", "× busy-spin"]

    def pingpong_table(section, rows_wanted, anchor_names, anchor_heads):
        got = {n: R.find(section, "PingPongBench." + n) for n, _ in rows_wanted}
        rows = []
        for n, label in rows_wanted:
            r = got[n]
            m = median(r)
            rows.append([label, fmt(m), span(r), fmt(cpu_per_op(r, 0.5)), bop(secondary(r, "gc.alloc.rate.norm"))]
                        + [fx(ratio(m, median(got.get(a)))) for a in anchor_names])
        return got, table(["figure", "median RTT us", "min–max", "CPU us / RT", "B/op"] + anchor_heads, rows)

    pp, t = pingpong_table("pingpong", pp_names, anchors, anchor_labels)
    ex_anchor = median(pp["exchanger"])
    md.append(t)
    md.append("")
    if "pingpong-1cpu" in sections:
        md.append("### 2b. The same on one CPU (`taskset -c 0`)")
        md.append("")
        md.append("Both threads (and the JVM) pinned to CPU 0: the JVM sees one CPU and the mutex does not spin. "
                  "Busy-spin is left out (on one CPU it only moves when the scheduler preempts it). "
                  "Not in `docs/benchmarks.json`; raw: `docs/benchmarks-pingpong-1cpu.json`.")
        md.append("")
        pp1, t = pingpong_table("pingpong-1cpu", [x for x in pp_names if x[0] != "busySpin"], anchors[:4], anchor_labels[:4])
        md.append(t)
        md.append("")

    placed = {}
    md.append("### 2c. The keyed ping-pong by where the mutex lands")
    md.append("")
    if "placement" in sections:
        md.append("`PlacementBench`: the keyed ping-pong of 2 on a `local` mutex placed at each 8-byte offset from "
                  "a 64-byte cache-line boundary (its address mod 64; Java objects are 8-byte aligned and a "
                  "user's mutex lands anywhere). The fields every hand-off writes share one cache line at "
                  "some placements and span two at the others (`LocalMutexFields`). One fork per placement, "
                  "a 2 GB young generation so that the mutex does not move (checked every iteration). "
                  "Ratios: ÷ section 2's `Exchanger`, same run.")
        md.append("")
        rows = []
        for p in range(0, 64, 8):
            r = R.find("placement", "PlacementBench.keyed", placement=p)
            placed[p] = r
            m = median(r)
            rows.append([str(p), fmt(m), span(r), fx(ratio(m, ex_anchor))])
        md.append(table(["placement (address mod 64)", "median RTT us", "min–max", "× Exchanger"], rows))
        md.append("")
    else:
        md.append("Not in this run (`PlacementBench` did not run or failed; `scripts/bench.sh` says why).")
        md.append("")

    # ------------------------------------------------------------------ 3 ring
    md.append("## 3. Token ring of N threads (hand-offs per second)")
    md.append("")
    md.append("`RingBench`: stage 0 is the benchmark thread, stages 1..N-1 pre-started threads; "
              "one invocation is 128 hand-offs. CPU is what all N threads burn per hand-off. "
              "Higher is better; ratios are this row ÷ the anchor (with the same N).")
    md.append("")
    impls = [("keyed", "keyed mutex, keys 0..N-1"), ("conditionPerThread", "anchor: `ReentrantLock`, a `Condition` per thread"),
             ("signalAll", "anchor: `ReentrantLock`, one `Condition` + `signalAll`"), ("parkUnpark", "anchor: park/unpark of the next thread")]
    rows = []
    ring = {}
    for n in (2, 4, 16, 64):
        for impl, _ in impls:
            ring[(impl, n)] = R.find("ring", "RingBench.ring", impl=impl, n=n)
    for n in (2, 4, 16, 64):
        for impl, label in impls:
            r = ring[(impl, n)]
            m = median(r)
            rows.append([label, n, fmt(m / 1e3 if m else None), span(r, 1e-3), fmt(cpu_per_op(r)),
                         fx(ratio(m, median(ring[("parkUnpark", n)]))),
                         fx(ratio(m, median(ring[("conditionPerThread", n)]))),
                         fx(ratio(m, median(ring[("signalAll", n)])))])
    md.append(table(["ring", "N", "median k hand-offs/s", "min–max", "CPU us / hand-off", "× park/unpark",
                     "× Condition per thread", "× signalAll"], rows))
    md.append("")
    k2, k64 = median(ring[("keyed", 2)]), median(ring[("keyed", 64)])
    md.append(f"Keyed ring, N=64 ÷ N=2: {fx(ratio(k64, k2))}.")
    md.append("")

    # ------------------------------------------------------------------ 4 timeouts
    md.append("## 4. Timeout precision (overshoot past the deadline, us)")
    md.append("")
    md.append("`TimeoutBench` (SampleTime): a wait that cannot succeed; overshoot = sample − d. "
              "CPU is the waiting thread's CPU time per wait (`ThreadMXBean` current-thread CPU time over each "
              "iteration ÷ the waits made in it). Lower is better; ratios compare median overshoots.")
    md.append("")
    waits = [("keyedTryAcquire", "keyed `tryAcquire(wrongKey, d)`"), ("reentrantTryLock", "anchor: `ReentrantLock.tryLock(d)` (held)"),
             ("parkNanos", "anchor: `LockSupport.parkNanos(d)`")]
    rows = []
    to = {}
    for d in (50, 1000, 10000):
        for n, _ in waits:
            to[(n, d)] = R.find("timeout", "TimeoutBench." + n, micros=d)
    for d in (50, 1000, 10000):
        dl = f"{d} us" if d < 1000 else f"{d // 1000} ms"
        for n, label in waits:
            r = to[(n, d)]
            over = lambda p, r=r: None if r is None else pct(r, p) - d
            rl, pk = to[("reentrantTryLock", d)], to[("parkNanos", d)]
            rows.append([label, dl, fmt(over("50.0")), fmt(over("99.0")), fmt(over("100.0")), fmt(cpu_per_op(r)),
                         samples(r),
                         fx(ratio(over("50.0"), rl and pct(rl, "50.0") - d)), fx(ratio(over("50.0"), pk and pct(pk, "50.0") - d))])
    md.append(table(["wait", "d", "median overshoot", "p99", "max", "CPU us / wait", "samples", "× tryLock", "× parkNanos"], rows))
    md.append("")

    # ------------------------------------------------------------------ 5 cross-process
    md.append("## 5. Cross-process ping-pong (round-trip time, us)")
    md.append("")
    md.append("`CrossProcessBench`: this JVM and a child JVM it starts; `scripts/futex_pingpong.c`: two processes "
              "(parent and forked child) over a futex word in shared memory, no spinning. Lower is better.")
    md.append("")
    shm, tcp = R.find("crossprocess", "CrossProcessBench.shm"), R.find("crossprocess", "CrossProcessBench.tcp")
    fm = futex and futex["median"]
    rows = [["`shm` keyed mutex, two JVMs", fmt(median(shm)), span(shm), fx(ratio(median(shm), fm)), fx(ratio(median(shm), median(tcp)))],
            ["anchor: loopback TCP, two JVMs", fmt(median(tcp)), span(tcp), fx(ratio(median(tcp), fm)), fx(1.0 if tcp else None)],
            ["anchor: C futex, two processes", fmt(fm), f"{fmt(futex['min'])}–{fmt(futex['max'])}" if futex else "n/a",
             fx(1.0 if futex else None), fx(ratio(fm, median(tcp)))]]
    md.append(table(["figure", "median RTT us", "min–max", "× C futex", "× TCP"], rows))
    md.append("")
    if futex:
        md.append(f"C futex: {futex['runs']} runs of {futex['rounds']} round trips (median and min–max over the runs); "
                  f"CPU per round trip, both processes: {fmt(futex['cpuPerRoundTrip'])} us.")
        md.append("")

    # ------------------------------------------------------------------ 6 contended
    md.append("## 6. Contended throughput (lock + unlock pairs per us, all threads)")
    md.append("")
    md.append("`ContendedBench`: every thread hammers one lock (a counter increment inside). Higher is better.")
    md.append("")
    rows = []
    cont = {}
    for t in (2, 4, 8):
        for n in ("keyedLockNonFair", "reentrantLockNonFair", "keyedLockFair", "reentrantLockFair"):
            cont[(n, t)] = R.find(f"contended-t{t}", "ContendedBench." + n)
        kn, rn, kf, rf = (cont[(n, t)] for n in ("keyedLockNonFair", "reentrantLockNonFair", "keyedLockFair", "reentrantLockFair"))
        rows.append([t, f"{fmt(median(kn))} ({span(kn)})", f"{fmt(median(rn))} ({span(rn)})", fx(ratio(median(kn), median(rn))),
                     f"{fmt(median(kf))} ({span(kf)})", f"{fmt(median(rf))} ({span(rf)})", fx(ratio(median(kf), median(rf)))])
    md.append(table(["threads", "KeyedMutexLock non-fair", "ReentrantLock non-fair", "ratio", "KeyedMutexLock fair",
                     "ReentrantLock fair", "ratio"], rows))
    md.append("")

    # ------------------------------------------------------------------ targets
    md.append("## Targets (issue 5)" + (" — preliminary, from this short run" if quick else ""))
    md.append("")
    rl = median(un["reentrantLock"])
    local, kml, shm_un = median(un["keyedLocal"]), median(un["keyedMutexLock"]), median(un["keyedShm"])
    b_local = secondary(un["keyedLocal"], "gc.alloc.rate.norm")
    keyed_rt, rlc_rt = median(pp["keyed"]), median(pp["reentrantConditions"])
    k64_park = ratio(k64, median(ring[("parkUnpark", 64)]))
    k64_all = ratio(k64, median(ring[("signalAll", 64)]))
    t1 = to[("keyedTryAcquire", 1000)]
    t1_med = t1 and pct(t1, "50.0") - 1000
    t1_p99 = t1 and pct(t1, "99.0") - 1000
    c8 = ratio(median(cont[("keyedLockNonFair", 8)]), median(cont[("reentrantLockNonFair", 8)]))
    rows = [
        ["1", "uncontended `local` ÷ `ReentrantLock`", "≤ 1.0×", fx(ratio(local, rl)), verdict(ratio(local, rl), 1.0)],
        ["1", "uncontended `local` allocation", "0 B/op", f"{bop(b_local)} B/op",
         "n/a (no -prof gc)" if b_local is None else ("**met**" if b_local < 0.5 else f"**missed** ({bop(b_local)} B/op)")],
        ["1", "uncontended `KeyedMutexLock` ÷ `ReentrantLock`", "≤ 1.2×", fx(ratio(kml, rl)), verdict(ratio(kml, rl), 1.2)],
        ["2", "key ping-pong RTT ÷ `Exchanger`", "≤ 1.0×", fx(ratio(keyed_rt, ex_anchor)), verdict(ratio(keyed_rt, ex_anchor), 1.0)],
    ]
    placed_medians = sorted(m for m in (median(r) for r in placed.values()) if m is not None)
    if len(placed_medians) == 8:   # the rows need every placement
        best_half = placed_medians[3]   # the slowest of the 4 best
        mid = statistics.median(placed_medians)
        rows += [
            ["2", "key ping-pong RTT ÷ `Exchanger`, 2c: the median of the 8 placements", "≤ 1.0×",
             fx(ratio(mid, ex_anchor)), verdict(ratio(mid, ex_anchor), 1.0)],
            ["2", "key ping-pong RTT ÷ `Exchanger`, 2c: the 4 best placements (the slowest of them)", "≤ 1.0×",
             fx(ratio(best_half, ex_anchor)), verdict(ratio(best_half, ex_anchor), 1.0)],
        ]
    rows += [
        ["2", "key ping-pong RTT ÷ `ReentrantLock`+Conditions", "≤ 0.05×", fx(ratio(keyed_rt, rlc_rt)), verdict(ratio(keyed_rt, rlc_rt), 0.05)],
        ["3", "ring N=64 ÷ park/unpark", "≥ 1.0×", fx(k64_park), verdict(k64_park, 1.0, at_most=False)],
        ["3", "ring N=64 ÷ `signalAll`", "≥ 20×", fx(k64_all), verdict(k64_all, 20.0, at_most=False)],
        ["3", "keyed ring N=64 ÷ N=2", "≥ 0.7×", fx(ratio(k64, k2)), verdict(ratio(k64, k2), 0.7, at_most=False)],
        ["4", "`tryAcquire(wrongKey, 1 ms)` median overshoot", "≤ 10 us", f"{fmt(t1_med)} us", verdict(t1_med, 10.0)],
        ["4", "`tryAcquire(wrongKey, 1 ms)` p99 overshoot", "≤ 50 us", f"{fmt(t1_p99)} us", verdict(t1_p99, 50.0)],
        ["5", "cross-process `shm` RTT ÷ C futex", "≤ 1.0×", fx(ratio(median(shm), fm)), verdict(ratio(median(shm), fm), 1.0)],
        ["6", "uncontended `shm` ÷ `local`", "≤ 2×", fx(ratio(shm_un, local)), verdict(ratio(shm_un, local), 2.0)],
        ["6", "uncontended `shm`: no system call", "none",
         f"{fmt(shm_un)} ns per pair",
         ("**met**: no futex call in 100,000 uncontended pairs (`ShmTest.theUncontendedPathMakesNoSystemCall`, "
          "counting every futex call the provider makes); the time agrees (under 100 ns, less than one system call costs)")
         if shm_un is not None and shm_un < 100
         else "**check**: far slower than a CAS; `ShmTest.theUncontendedPathMakesNoSystemCall` counts the futex calls"],
        ["7", "contended, 8 threads, `KeyedMutexLock` ÷ non-fair `ReentrantLock`", "≥ 1.0×", fx(c8), verdict(c8, 1.0, at_most=False)],
    ]
    md.append(table(["#", "figure", "target", "measured", "verdict"], rows))
    md.append("")

    # ------------------------------------------------------------------ how to run, how long
    md.append("## Running it")
    md.append("")
    planned = sum(b * f * s for b, f, s in FULL_PLAN.values())
    forks = sum(b * f for b, f, _ in FULL_PLAN.values())
    quick_forks = sum(len(v) for v in sections.values())
    quick_iter = quick_forks * (2 * 0.5 + 3 * 0.5)
    overhead = max(1.0, (meta["seconds"] - quick_iter) / max(1, quick_forks)) if quick else 2.0
    full_min = (planned + forks * overhead) / 60
    md.append("```sh\nscripts/bench.sh            # everything: builds target/benchmarks.jar (mvn -Pbench), runs, writes this file\n"
              "scripts/bench.sh --quick    # a short run (labelled preliminary)\n"
              "scripts/bench-smoke.sh      # CI: every benchmark and param once, 100 ms each; ~35 s on 2 cores plus the\n"
              "                            # build; non-zero if a benchmark fails, hangs (5 min cap) or has no result\n"
              "java -jar target/benchmarks.jar -h   # JMH itself, e.g. -prof gc 'PingPongBench'\n```")
    md.append("")
    if quick:
        md.append(f"How long: this quick run took {meta['seconds'] / 60:.1f} min ({quick_forks} forks, about "
                  f"{overhead:.1f} s of JVM start-up and setup per fork beyond its iterations). A full run is {forks} forks and "
                  f"{planned / 60:.1f} min of warm-up and measurement iterations (the classes' `@Fork`/`@Warmup`/`@Measurement`), "
                  f"so about **{full_min:.0f} min** with that per-fork overhead, plus the build and the C futex run (~1 min).")
    else:
        md.append(f"How long: this full run took {meta['seconds'] / 60:.1f} min ({forks} forks; {planned / 60:.1f} min of it "
                  f"warm-up and measurement iterations).")
    md.append("")
    md.append("Blocking waits in the two-thread groups are timed (20 ms) and check JMH's `Control.stopMeasurement` "
              "(JMH sample 18), or an iteration would hang at its end; the keyed mutex's timed and untimed waits share "
              "one path (spin, then park) until shortly before the deadline, which a hand-off never reaches. Forks "
              "that use `shm` get `--enable-native-access=ALL-UNNAMED` (JNA on JDK 22+).")
    md.append("")
    return "\n".join(md)


def main():
    docs = sys.argv[1] if len(sys.argv) > 1 else "docs"
    sections, _, _ = load(docs)
    merged = [r for name, rs in sorted(sections.items()) if name != "pingpong-1cpu" for r in rs]
    with open(os.path.join(docs, "benchmarks.json"), "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    text = report(docs)
    path = os.path.join(docs, "benchmarks.md")
    notes = ""
    if os.path.exists(path):
        old = open(path).read()
        if NOTES_BEGIN in old and NOTES_END in old:
            notes = old[old.index(NOTES_BEGIN):old.index(NOTES_END) + len(NOTES_END)]
    if not notes:
        notes = NOTES_BEGIN + "\n## Notes\n\n(Why a target is missed: write it here; regenerating keeps this block.)\n" + NOTES_END
    with open(path, "w") as f:
        f.write(text + "\n" + notes + "\n")
    print(f"bench-report: wrote {path} and {os.path.join(docs, 'benchmarks.json')} ({len(merged)} results)")


if __name__ == "__main__":
    main()
