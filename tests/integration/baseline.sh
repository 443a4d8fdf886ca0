#!/usr/bin/env bash
# The regression flow CI uses: a fresh run has no regression against the
# committed baseline, a run against a faulty build has, and a subset run
# (--filter) is not one: the scenarios it left out are listed as "not run".
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
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

"$EH" run -q --report-dir "$WORK/subset" --filter basic-echo scenarios > /dev/null 2>&1
"$EH" diff "$base" "$WORK/subset/report.json" > "$WORK/diff" 2>&1
status=$?
not_run=$(grep -c '^not run ' "$WORK/diff")
total=$(json "$base" "len(d['scenarios'])")
if [ $status -eq 0 ] && ! grep -q REGRESSION "$WORK/diff" && [ "$not_run" -eq $((total - 1)) ] \
  && grep -q "^0 regressions, .*, $not_run not run$" "$WORK/diff"; then
  ok "a --filter subset run is no regression: $not_run scenarios not run"
else
  bad "diff of a --filter subset exited $status with $not_run of $((total - 1)) not run"; cat "$WORK/diff"
fi
finish
