#!/usr/bin/env bash
# The regression flow CI uses: a fresh run has no regression against the
# committed baseline, and a run against a faulty build has.
. "$(dirname "$0")/lib.bash"
base=reports/baselines/reference.json

"$EH" run -q --report-dir "$WORK/now" scenarios > /dev/null 2>&1
"$EH" diff "$base" "$WORK/now/report.json" > "$WORK/diff" 2>&1
status=$?
[ $status -eq 0 ] && ok "no regression against $base" || { bad "diff against $base exited $status"; cat "$WORK/diff"; }

"$EH" run -q --report-dir "$WORK/faulty" --server-program faulty-server-corrupt scenarios > /dev/null 2>&1
"$EH" diff "$base" "$WORK/faulty/report.json" > "$WORK/diff" 2>&1
status=$?
[ $status -eq 1 ] && grep -q "REGRESSION basic-echo" "$WORK/diff" && ok "a faulty server is a regression: $(grep -c REGRESSION "$WORK/diff") scenarios" \
  || { bad "diff with a faulty server exited $status"; cat "$WORK/diff"; }
finish
