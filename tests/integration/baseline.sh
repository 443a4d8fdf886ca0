#!/usr/bin/env bash
# The regression flow CI uses: a fresh run has no regression against the
# committed baseline, a run against a faulty build has, and a subset run
# (--filter) is not one: the scenarios it left out are listed as "not run".
# run --baseline FILE, for an implementation known to fail some rules: exit 0
# when nothing changed against FILE, 1 on a change, the changes listed first.
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
# --baseline: the corrupting build fails some scenarios; against its own
# earlier report nothing changed (exit 0), another faulty build changed (exit
# 1, as many changes as scenarios the two builds differ in). On the
# tutorial's scenarios (--tag tutorial: a dozen, where the two builds agree
# on some and differ on others), not the whole suite again: the comparison
# is the same, and the whole suite three more times made this the longest
# test under memcheck.
tut=(--tag tutorial)
"$EH" run -q --report-dir "$WORK/known" --server-program faulty-server-corrupt "${tut[@]}" scenarios > /dev/null 2>&1
"$EH" run -q --report-dir "$WORK/same" --server-program faulty-server-corrupt --baseline "$WORK/known/report.json" "${tut[@]}" scenarios > "$WORK/out" 2>&1
status=$?
if [ $status -eq 0 ] && head -2 "$WORK/out" | grep -q "^0 regressions, 0 fixed, 0 changed, 0 new, 0 skipped, 0 not run$" \
  && grep -q "^against the baseline .*: 0 changes" "$WORK/out" && grep -q "^FAIL    basic-echo" "$WORK/out"; then
  ok "--baseline: an unchanged implementation that fails some scenarios exits 0"
else bad "--baseline, unchanged: exit $status"; cat "$WORK/out"; fi
"$EH" run -q --report-dir "$WORK/changed" --server-program faulty-server-echoes-once --baseline "$WORK/known/report.json" "${tut[@]}" scenarios > "$WORK/out" 2>&1
status=$?
# The changes: the scenarios whose verdict the two faulty builds differ in.
changes=$(python3 -c 'import json,sys; v=[{s["name"]: s["verdict"] for s in json.load(open(f))["scenarios"]} for f in sys.argv[1:]]; print(sum(v[0][k] != v[1].get(k) for k in v[0]))' \
  "$WORK/known/report.json" "$WORK/changed/report.json")
if [ $status -eq 1 ] && [ "$(head -1 "$WORK/out")" = "Against the baseline $WORK/known/report.json:" ] \
  && sed -n 2p "$WORK/out" | grep -q "^fixed basic-echo: FAIL -> PASS" && grep -q "^against the baseline .*: $changes changes" "$WORK/out"; then
  ok "--baseline: a changed implementation exits 1, the changes listed first ($(grep -c '^fixed ' "$WORK/out") fixed)"
else bad "--baseline, changed: exit $status"; cat "$WORK/out"; fi
"$EH" run -q --report-dir "$WORK/worse" --baseline "$base" --server-program faulty-server-corrupt --filter basic-echo scenarios > "$WORK/out" 2>&1
status=$?
[ $status -eq 1 ] && sed -n 2p "$WORK/out" | grep -q "^REGRESSION basic-echo" && ok "--baseline: a regression exits 1 and comes first" \
  || { bad "--baseline, regression: exit $status"; cat "$WORK/out"; }
"$EH" run -q --report-dir "$WORK/sub" --baseline "$base" --filter basic-echo scenarios > "$WORK/out" 2>&1
[ $? -eq 0 ] && ok "--baseline: a subset run is no change (the rest is not run)" || { bad "--baseline, subset"; cat "$WORK/out"; }
"$EH" run -q --report-dir "$WORK/none" --baseline "$WORK/no-such.json" scenarios > "$WORK/out" 2>&1
[ $? -eq 2 ] && grep -q "^echoharness run: --baseline: $WORK/no-such.json: " "$WORK/out" && ok "--baseline: a missing file: exit 2 naming it" \
  || { bad "--baseline, missing file"; cat "$WORK/out"; }
finish
