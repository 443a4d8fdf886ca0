#!/bin/sh
# regen-golden.sh - rewrite tests/data/**/expected.json from the current build.
#
# Run ON PURPOSE after a deliberate change of the analysis or of a capture,
# then review `git diff tests/data` line by line: every change must be
# explained by the change you made. The tests never run this script.
#
# Usage: tests/data/regen-golden.sh [CASE_DIR...]
#   (default: every directory under tests/data holding an input.pcap)
# Environment: ECHOHARNESS (default build/bin/echoharness).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${ECHOHARNESS:-$here/../../build/bin/echoharness}
if [ ! -x "$bin" ]; then
    echo "regen-golden.sh: $bin not found; build first or set ECHOHARNESS" >&2
    exit 2
fi
if [ $# -eq 0 ]; then
    set -- $(find "$here" -name input.pcap -exec dirname {} \; | sort)
fi
for dir in "$@"; do
    "$bin" analyze --json "$dir/input.pcap" > "$dir/expected.json.tmp"
    mv "$dir/expected.json.tmp" "$dir/expected.json"
    echo "wrote $dir/expected.json"
done
