#!/bin/sh
# Runs example.yaml with the plugin just built: rewire must load @NAME@, run it, and the
# recorded weights must have changed between the first and the last snapshot.
# usage: run_example.sh REWIRE EXAMPLE.yaml BUILD_DIR
set -eu
rewire=$1 example=$2 build=$3
out=$build/example-run
rm -rf "$out"
# example.yaml finds the plugin through `plugin_path: [build]`; a copy in the build
# folder points at this build, whatever its name.
sed 's/plugin_path: \[build\]/plugin_path: [.]/' "$example" > "$build/example.yaml"
"$rewire" run "$build/example.yaml" --out "$out" --quiet

if ! grep -q '"name": "@NAME@"' "$out/summary.json"; then
    echo "FAIL: summary.json does not list the plugin @NAME@"
    exit 1
fi
# w.csv: t_ms,pre,post,weight; the first snapshot is at t = 0, the last at the end.
awk -F, '
    NR == 1 { next }
    $1 == 0 { first[$2 "," $3] = $4; next }
    { last[$2 "," $3] = $4 }
    END {
        for (k in last) { n++; if (last[k] != first[k]) changed++ }
        printf "%d of %d weights changed\n", changed, n
        exit !(changed > 0)
    }' "$out/w.csv"
