#!/bin/sh
# Runs example.yaml with the plugin just built: @NAME@'s spike_counts.csv must hold, for
# every neuron, the number of its spikes in the csv output's cells.csv.
# usage: run_example.sh REWIRE EXAMPLE.yaml BUILD_DIR
set -eu
rewire=$1 example=$2 build=$3
out=$build/example-run
rm -rf "$out"
# example.yaml finds the plugin through `plugin_path: [build]`; a copy in the build
# folder points at this build, whatever its name.
sed 's/plugin_path: \[build\]/plugin_path: [.]/' "$example" > "$build/example.yaml"
"$rewire" run "$build/example.yaml" --out "$out" --quiet

# cells.csv: t_ms,neuron; spike_counts.csv: channel,neuron,spikes,rate_hz.
awk -F, '
    FNR == 1 { file++; next }
    file == 1 { expected[$2]++; next }
    $1 == "cells" { rows++; total += $3; if ($3 != expected[$2] + 0) bad++ }
    END {
        printf "%d neurons, %d spikes, %d counts wrong\n", rows, total, bad
        exit !(rows == 10 && total > 0 && bad == 0)
    }' "$out/cells.csv" "$out/spike_counts.csv"
