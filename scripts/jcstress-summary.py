#!/usr/bin/env python3
"""Summarise a verbose jcstress console log (java -jar target/jcstress.jar -v ... > log):
per test, the verdict of every run and the total samples of each outcome, as a Markdown table.
Usage: scripts/jcstress-summary.py LOG"""
import re
import sys
from collections import OrderedDict, defaultdict

verdict_re = re.compile(r"^\.*\s*\[(OK|FAILED|ERROR)\]\s+(\S+)")
row_re = re.compile(r"^\s{2,}(.+?)\s+([\d,]+)\s+([\d.]+)%\s+(Acceptable|Forbidden|Interesting|Acceptable_Interesting)\s")


def main(path):
    tests = OrderedDict()
    current = None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = verdict_re.match(line)
        if m:
            current = m.group(2)
            t = tests.setdefault(current, {"verdicts": defaultdict(int), "outcomes": OrderedDict()})
            t["verdicts"][m.group(1)] += 1
            continue
        m = row_re.match(line)
        if m and current:
            key = (m.group(1).strip(), m.group(4))
            outcomes = tests[current]["outcomes"]
            outcomes[key] = outcomes.get(key, 0) + int(m.group(2).replace(",", ""))
    print("| test | runs | outcomes (samples, all runs) |")
    print("|---|---|---|")
    for name, t in tests.items():
        runs = ", ".join(f"{n} {v}" for v, n in sorted(t["verdicts"].items()))
        outs = "; ".join(f"`{o}` {e.lower()}: {n:,}" for (o, e), n in t["outcomes"].items())
        print(f"| {name.replace('dev.keyedmutex.stress.', '')} | {runs} | {outs} |")


if __name__ == "__main__":
    main(sys.argv[1])
