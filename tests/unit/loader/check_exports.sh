#!/bin/sh
# Every plugin exports exactly one dynamic symbol, rewire_plugin_entry (TAP).
# usage: check_exports.sh NM PLUGIN.so...
nm_tool=$1
shift
n=0
failed=0
for so in "$@"; do
    n=$((n + 1))
    # Defined dynamic symbols, names only.
    symbols=$("$nm_tool" -D --defined-only --format=posix "$so" | cut -d' ' -f1 | sort | tr '\n' ' ')
    if [ "$symbols" = "rewire_plugin_entry " ]; then
        echo "ok $n - $(basename "$so") exports only rewire_plugin_entry"
    else
        echo "not ok $n - $(basename "$so") exports: $symbols"
        failed=1
    fi
done
echo "1..$n"
exit $failed
