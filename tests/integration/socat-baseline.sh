#!/usr/bin/env bash
# The server suite against socat, an echo server nobody here wrote, in its
# two common forms (reports/baselines/socat.bash), compared with the
# committed baselines reports/baselines/socat-fork.json and socat-pipe.json
# by `run --baseline`: the test fails only when a verdict changed, that is
# when the harness judges the same program differently. Every scenario of
# each baseline must have run (none "not run"), so a scenario renamed or
# dropped from the suite shows here too.
. "$(dirname "$0")/lib.bash"
need socat socat
need xmllint libxml2-utils
. reports/baselines/socat.bash

# compare NAME RUN-ARGS...: runs against reports/baselines/NAME.json.
compare() {
  local name=$1 base=reports/baselines/$1.json totals
  shift
  "$EH" run -q -j 2 --report-dir "$WORK/$name" --baseline "$base" "$@" > "$WORK/$name.out" 2>&1
  status=$?
  totals=$(grep -m1 '^[0-9]* regressions, ' "$WORK/$name.out")
  if [ $status -eq 0 ] && [[ $totals == "0 regressions, 0 fixed, 0 changed, 0 new, 0 skipped, 0 not run" ]]; then
    ok "$name: no change against $base ($(json "$base" "len(d['scenarios'])") scenarios, $(json "$base" "sum(s['verdict']=='PASS' for s in d['scenarios'])") PASS) in $(json "$WORK/$name/report.json" "d['duration_ms']") ms"
  else
    bad "$name: against $base: exit $status, $totals"
    cat "$WORK/$name.out"
  fi
}

n=$("$EH" list --tag server scenarios | grep -c '^server-')
m=$(json reports/baselines/socat-fork.json "len(d['scenarios'])")
[ "$n" -eq "$m" ] && ok "socat-fork.json holds all $n scenarios of the server suite" \
  || bad "socat-fork.json holds $m scenarios, the server suite $n: regenerate it with reports/baselines/update.sh"
compare socat-fork --tag server --server-cmd "$SOCAT_FORK" scenarios
# shellcheck disable=SC2046 # one word per file
compare socat-pipe --server-cmd "$SOCAT_PIPE" $(socat_pipe_files)
finish
