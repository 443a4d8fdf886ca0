#!/bin/sh
# regen.sh - rewrite every tests/invalid/NAME.err from the current messages.
#
# Each NAME.json here is an invalid scenario and NAME.err the exact message
# `echoharness validate` must print for it (test_scenario checks them). Run
# this ON PURPOSE only, after changing a message deliberately or adding a
# NAME.json, then read `git diff tests/invalid/` line by line: every changed
# line and column must point at the offending value. It never runs in CI.
#
# Usage: tests/invalid/regen.sh   (EH_BIN_DIR overrides build/bin)
set -eu
cd "$(dirname "$0")/../.."
bin=${EH_BIN_DIR:-build/bin}/echoharness
[ -x "$bin" ] || { echo "regen.sh: $bin not built (run make first)" >&2; exit 1; }
for json in tests/invalid/*.json; do
    err=${json%.json}.err
    status=0
    "$bin" validate "$json" 2>"$err.new" >/dev/null || status=$?
    if [ "$status" -ne 2 ]; then
        echo "regen.sh: $json: expected exit status 2, got $status" >&2
        rm -f "$err.new"
        exit 1
    fi
    mv "$err.new" "$err"
done
echo "regen.sh: rewrote $(ls tests/invalid/*.err | wc -l) files; review with git diff tests/invalid/"
