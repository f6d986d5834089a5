#!/usr/bin/env python3
"""Print the scalar measures of a run at the end of each phase, from its summary.json.

usage: phase_table.py RUN_DIR_OR_SUMMARY [MEASURE ...]   (default: every scalar measure)
Standard library only.
"""
import json
import os
import sys


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    if os.path.isdir(path):
        path = os.path.join(path, "summary.json")
    with open(path) as f:
        phases = json.load(f).get("phases", [])
    names = argv[2:] or sorted({k for p in phases for k, v in p.get("metrics", {}).items()
                                if isinstance(v, (int, float)) and not k.endswith(".total")})
    if not phases or not names:
        print("no per-phase measures in %s" % path)
        return 0
    width = max(len(n) for n in names)
    print("%-*s" % (width, "measure") + "".join("  %14s" % p["name"][:14] for p in phases))
    for n in names:
        row = []
        for p in phases:
            v = p.get("metrics", {}).get(n)
            row.append("  %14s" % ("-" if not isinstance(v, (int, float)) else "%.3g" % v))
        print("%-*s" % (width, n) + "".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
