#!/usr/bin/env python3
"""Disassembles the C2 code of methods from a -XX:+PrintAssembly log made without hsdis (HotSpot
then prints the machine code as hex), with objdump. Usage: disassemble.py LOG Class::method..."""
import re
import subprocess
import sys
import tempfile


def c2_code(text, method):
    """The bytes and start address of the last C2 nmethod of method, entry point to stubs."""
    found = None
    for m in re.finditer(r"Compiled method \(c2\)[^\n]*?" + re.escape(method) + r" \(", text):
        found = m.start()
    if found is None:
        raise SystemExit("no C2 code for " + method + " in the log")
    end = text.find("Compiled method", found + 10)
    section = text[found:end if end > 0 else len(text)]
    start = section.find("[Entry Point]")
    if start < 0:
        start = section.find("[Verified Entry Point]")
    code = section[start:]
    for marker in ("[Exception Handler]", "[Stub Code]"):
        cut = code.find(marker)
        if cut > 0:
            code = code[:cut]
    data, base = bytearray(), None
    for line in code.splitlines():
        m = re.match(r"\s*0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$", line)
        if m:
            if base is None:
                base = int(m.group(1), 16)
            data += bytes.fromhex(re.sub(r"[\s|]", "", m.group(2)))
    return data, base


def main(log, methods):
    text = open(log, encoding="utf-8", errors="replace").read()
    for method in methods:
        data, base = c2_code(text, method)
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(data)
            f.flush()
            out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "--adjust-vma=%d" % base, f.name],
                                 capture_output=True, text=True, check=True).stdout
        lines = [l for l in out.splitlines() if re.match(r"\s+[0-9a-f]+:\t", l)]
        # The fast path runs from the entry to the first ret; what follows are out-of-line slow paths.
        fast = []
        for l in lines:
            fast.append(l)
            if "\tret" in l:
                break
        locked = [l.split("\t")[-1].strip() for l in fast if "\tlock " in l]
        print("## %s: %d instructions to the first ret, %d locked: %s" % (method, len(fast), len(locked), "; ".join(locked)))
        print("\n".join(l.split("\t", 1)[0].strip() + " " + l.split("\t")[-1].strip() for l in fast))
        print()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2:])
