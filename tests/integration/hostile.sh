#!/usr/bin/env bash
# Systems under test that never listen, hang after accept, ignore SIGTERM,
# flood their output or leave a child behind: each is judged within its
# deadline, the harness never hangs, and no process is left afterwards.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

scale=${EH_TIMEOUT_SCALE:-1}
# basic-echo's timeout is 5 s; allow the teardown margin on top.
limit=$(python3 -c "print(int((5 + 8 + 5) * $scale))")

case_() { # BUILD ALLOWED_VERDICTS
  out=$WORK/$1
  start=$(date +%s)
  timeout $((limit * 2)) "$EH" run -q --report-dir "$out" \
    --server-cmd "$BIN/$1 --host {host} --port {port}" scenarios/basic-echo.json > "$WORK/$1.stdout" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))
  v=$(verdict_of "$out" basic-echo 2>/dev/null)
  if [[ " $2 " == *" $v "* ]] && [ $status -eq 1 ]; then ok "$1: $v in ${elapsed}s: $(reason_of "$out" basic-echo)"
  else bad "$1: expected one of {$2} and exit 1, got $v, exit $status"; cat "$WORK/$1.stdout"; fi
  [ "$elapsed" -le "$limit" ] && ok "$1: finished within ${limit}s" || bad "$1: took ${elapsed}s (limit ${limit}s)"
  left=$(leftovers "$BIN/$1")
  [ -z "$left" ] && ok "$1: no process left" || { bad "$1: processes left: $left"; pkill -9 -f "$BIN/$1"; }
}

case_ hostile-never-listens "TIMEOUT FAIL"
case_ hostile-hangs-after-accept "TIMEOUT FAIL"
case_ hostile-ignores-sigterm "TIMEOUT FAIL"

# Flooding output: the harness keeps a bounded part and the echo still passes.
out=$WORK/flood
"$EH" run -q --report-dir "$out" --server-cmd "$BIN/hostile-floods-output --host {host} --port {port}" \
  scenarios/basic-echo.json > /dev/null 2>&1
kept=$(json "$out/report.json" "len(d['scenarios'][0]['roles']['server']['stdout'])")
total=$(json "$out/report.json" "d['scenarios'][0]['roles']['server']['stdout_bytes']")
[ "$kept" -le 65536 ] && [ "$total" -ge 4194304 ] && ok "flood: kept $kept of $total bytes of stdout" \
  || bad "flood: kept $kept of $total bytes (expected at most 65536 of at least 4194304)"
v=$(verdict_of "$out" basic-echo)
[ "$v" = PASS ] && ok "flood: the echo is still judged: PASS" || bad "flood: expected PASS, got $v: $(reason_of "$out" basic-echo)"
[ -z "$(leftovers "$BIN/hostile-floods-output")" ] && ok "flood: no process left" || bad "flood: processes left"

# A child left behind holding the port dies with the scenario's namespace.
"$EH" run -q --report-dir "$WORK/fork" --server-cmd "$BIN/hostile-forks-child --host {host} --port {port}" \
  scenarios/basic-echo.json > /dev/null 2>&1
left=$(leftovers "$BIN/hostile-forks-child")
[ -z "$left" ] && ok "forks-child: no process left" || { bad "forks-child: left $left"; pkill -9 -f "$BIN/hostile-forks-child"; }

# A server that daemonizes a child into its own session (out of every process
# group the harness signals): the child dies with the scenario in either
# isolation mode; on the host loopback there is no PID namespace to catch it.
py=$(command -v python3)
for mode in namespaces host-loopback; do
  opts=(); [ $mode = host-loopback ] && opts=(--no-namespaces)
  marker=3141.$RANDOM
  "$EH" run -q "${opts[@]}" --report-dir "$WORK/daemon-$mode" \
    --server-cmd "sh -c 'setsid sleep $marker < /dev/null > /dev/null 2>&1 & exec \"\$0\" \"\$@\"' $py tests/integration/servers/tutorial_server.py {host} {port}" \
    scenarios/basic-echo.json > "$WORK/daemon.stdout" 2>&1
  v=$(verdict_of "$WORK/daemon-$mode" basic-echo 2>/dev/null)
  [ "$v" = PASS ] && ok "daemonizing server ($mode): $v" || { bad "daemonizing server ($mode): $v"; cat "$WORK/daemon.stdout"; }
  left=$(leftovers "sleep $marker")
  [ -z "$left" ] && ok "daemonizing server ($mode): its setsid child is gone" \
    || { bad "daemonizing server ($mode): left $left"; pkill -9 -f "sleep $marker"; }
done
finish
