#!/usr/bin/env python3
"""Count every test point in meson test logs and print "N passed, N failed".

A TAP test (one whose output has a plan line "1..N") contributes one point per "ok"/"not ok" line; a test that died without
reporting a failing point counts one more failure; any other test is one point.
Exit status 1 if anything failed or a log is missing.
"""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")
TAP_PLAN = re.compile(r"^1\.\.\d+", re.M)


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            result = t.get("result", "")
            if result == "SKIP":
                skipped += 1
                continue
            out = t.get("stdout") or ""
            p = q = s = 0
            if TAP_PLAN.search(out):  # meson's log does not say the protocol; a TAP plan does
                for l in out.splitlines():
                    m = TAP_LINE.match(l)
                    if not m:
                        continue
                    if "# SKIP" in m.group(2).upper():
                        s += 1
                    elif m.group(1) == "ok":
                        p += 1
                    else:
                        q += 1
                if result not in ("OK", "EXPECTEDFAIL") and q == 0:
                    q = 1  # crashed, timed out or exited non-zero without a failing point
            elif result in ("OK", "EXPECTEDFAIL"):
                p = 1
            else:
                q = 1
            passed, failed, skipped = passed + p, failed + q, skipped + s
            if q:
                print(f"FAILED: {t.get('name')} ({result})")
    return passed, failed, skipped


def main():
    total = [0, 0, 0]
    missing = False
    for path in sys.argv[1:]:
        try:
            p, f, s = count(path)
        except FileNotFoundError:
            print(f"{path}: missing (the build or the test run did not happen)")
            missing = True
            continue
        print(f"{path}: {p} passed, {f} failed, {s} skipped")
        total = [total[0] + p, total[1] + f, total[2] + s]
    if missing:
        total[1] += 1
    line = f"{total[0]} passed, {total[1]} failed"
    if total[2]:
        line += f", {total[2]} skipped"
    print(line)
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
