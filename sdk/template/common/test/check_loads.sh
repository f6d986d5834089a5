#!/bin/sh
# rewire itself must load the plugin just built: `rewire plugins` lists @NAME@ as a
# @KIND@, and `rewire plugins @NAME@` prints its parameter schema.
# usage: check_loads.sh REWIRE BUILD_DIR
set -eu
rewire=$1 build=$2
list=$("$rewire" plugins --plugin-path "$build")
if ! printf '%s\n' "$list" | grep -Eq '^@KIND@ +@NAME@ '; then
    printf 'FAIL: rewire plugins does not list @NAME@ as a @KIND@:\n%s\n' "$list"
    exit 1
fi
"$rewire" plugins --plugin-path "$build" @NAME@
