#!/usr/bin/env python3
"""Summarise a verbose jcstress console log (java -jar target/jcstress.jar -v ... > log):
per test, how many configurations ran and their verdicts, and the samples of each outcome
(from jcstress's "Results across all configurations" table when present, else summed), as a
Markdown table. Usage: scripts/jcstress-summary.py LOG"""
import re
import sys
from collections import OrderedDict, defaultdict

verdict_re = re.compile(r"^\.*\s*\[(OK|FAILED|ERROR|TIMEOUT|SKIPPED)\]\s+(\S+)")
row_re = re.compile(r"^\s{2,}(.+?)\s+([\d,]+)\s+([<\d.]+)%\s+(Acceptable|Forbidden|Interesting|Acceptable_Interesting)\s")


def main(path):
    tests = OrderedDict()
    current = None
    in_summary = False
    for line in open(path, encoding="utf-8", errors="replace"):
        m = verdict_re.match(line)
        if m:
            current = m.group(2)
            in_summary = False
            t = tests.setdefault(current, {"verdicts": defaultdict(int), "per_config": OrderedDict(),
                                           "summary": None})
            t["verdicts"][m.group(1)] += 1
            continue
        if current and "Results across all configurations" in line:
            in_summary = True
            t = tests[current]
            t["verdicts"][list(t["verdicts"])[-1]] -= 1  # the summary's own [..] line is not a configuration
            t["summary"] = OrderedDict()
            continue
        m = row_re.match(line)
        if m and current:
            key = (m.group(1).strip(), m.group(4))
            n = int(m.group(2).replace(",", ""))
            t = tests[current]
            table = t["summary"] if in_summary else t["per_config"]
            table[key] = table.get(key, 0) + n
    print("| test | configurations | outcomes (samples, all configurations) |")
    print("|---|---|---|")
    for name, t in sorted(tests.items()):
        runs = ", ".join(f"{n} {v}" for v, n in sorted(t["verdicts"].items()) if n)
        outcomes = t["summary"] if t["summary"] else t["per_config"]
        outs = "; ".join(f"`{o}` {e.lower()}: {n:,}" for (o, e), n in outcomes.items())
        print(f"| {name.replace('dev.keyedmutex.stress.', '')} | {runs} | {outs} |")


if __name__ == "__main__":
    main(sys.argv[1])
